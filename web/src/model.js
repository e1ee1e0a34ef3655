// SPDX-License-Identifier: MIT
// The annotation model's wasm module (no FFmpeg), loaded once per page on the main thread:
// edits are synchronous, so `value` always reflects the last keystroke.
import createAvsegModel from './avseg-model.js';
import { codedError } from './error-codes.js';
import { assetUrl } from './asset-base.js';
import { wasmError } from './wasm-refusal.js';

let modulePromise;

/** @returns {Promise<{Annotations: new () => any}>} */
export function loadModel() {
  // Without a host's folder the glue finds its wasm beside itself, by a literal
  // new URL('avseg-model.wasm', import.meta.url) that bundlers follow.
  // Refused by the page's CSP, it rejects with a `wasm-refused` Error naming the directive.
  modulePromise ??= createAvsegModel(assetUrl('avseg-model.wasm') ? { locateFile: (file) => assetUrl(file).href } : {})
    .catch((err) => { throw wasmError('the annotation model', err); });
  return modulePromise;
}

/** Turns a refused edit into an Error that says why (code: 'refused', 'invalid-config', ...). */
export function check(result) {
  if (result.ok) return result.id;
  throw codedError(result.code, result.message);
}
