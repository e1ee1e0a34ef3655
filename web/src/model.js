// SPDX-License-Identifier: MIT
// The annotation model's wasm module (no FFmpeg), loaded once per page on the main thread:
// edits are synchronous, so `value` always reflects the last keystroke.
import createAvsegModel from './avseg-model.js';
import { codedError } from './error-codes.js';

let modulePromise;

/** @returns {Promise<{Annotations: new () => any}>} */
export function loadModel() {
  modulePromise ??= createAvsegModel({ locateFile: (file) => new URL(file, import.meta.url).href });
  return modulePromise;
}

/** Turns a refused edit into an Error that says why (code: 'refused', 'invalid-config', ...). */
export function check(result) {
  if (result.ok) return result.id;
  throw codedError(result.code, result.message);
}
