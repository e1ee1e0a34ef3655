// SPDX-License-Identifier: MIT
// The Web Worker that owns the wasm core: its global scope is the port worker-host.js serves, so
// the main thread never decodes or computes peaks.
import { serve } from './worker-host.js';

serve(self);
