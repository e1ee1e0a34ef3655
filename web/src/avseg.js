// SPDX-License-Identifier: MIT
// Entry point: importing this module defines <avseg-editor>.
import { AvsegEditor } from './avseg-editor.js';

export { AvsegEditor };
export { setAssetBase } from './asset-base.js';
export * as layout from './layout.js';

if (!customElements.get('avseg-editor')) customElements.define('avseg-editor', AvsegEditor);
