// SPDX-License-Identifier: MIT
// Loaded as a module script (and imported by a blob: module worker) by probe.js: it arriving is the answer.
export const PROBE = 'avseg-diagnostics-module';
if (typeof window !== 'undefined') window.dispatchEvent(new CustomEvent(PROBE, { detail: import.meta.url }));
