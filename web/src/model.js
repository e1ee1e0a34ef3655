// SPDX-License-Identifier: MIT
// The annotation model's wasm module (no FFmpeg), loaded once per page on the main thread:
// edits are synchronous, so `value` always reflects the last keystroke.
import createAvsegModel from './avseg-model.js';
import { codedError } from './error-codes.js';
import { assetUrl } from './asset-base.js';
import { wasmError, wasmRefused } from './wasm-refusal.js';
import { startWasmModule } from './wasm-script.js';

let modulePromise;

/** @returns {Promise<{Annotations: new () => any}>} */
export function loadModel() {
  // Without a host's folder the glue finds its wasm beside itself, by a literal
  // new URL('avseg-model.wasm', import.meta.url) that bundlers follow.
  // Refused by the page's CSP, it rejects with a `wasm-refused` Error naming the directive; a
  // fetch of the wasm that failed says why (csp-report.js) instead of "Failed to fetch".
  // Where that fetch is refused (connect-src, CORS), the wasm comes as a script (wasm-script.js).
  modulePromise ??= startWasmModule(createAvsegModel, { url: wasmUrl(), file: WASM_FILE,
    options: assetUrl('avseg-model.wasm') ? { locateFile: (file) => assetUrl(file).href } : {} })
    .then(({ module, via }) => { modelVia = via; return module; }, (err) => {
      if (wasmRefused(err)) throw wasmError('the annotation model', err);
      throw err;
    });
  return modulePromise;
}

let modelVia = null;
/** How the model's wasm came: 'fetch', 'script' (wasm-script.js), or null before it did. */
export const modelWasmVia = () => modelVia;

const WASM_FILE = 'avseg-model.wasm';

/**
 * Where the glue fetched its wasm from, for messages only: beside this module unless the host
 * named a folder (a bundler may make this module's URL a file: URL of the build, which then
 * names no origin); null where it can't be known.
 */
function wasmUrl() {
  try {
    return assetUrl(WASM_FILE) ?? new URL(WASM_FILE, new URL(import.meta.url));
  } catch {
    return null;
  }
}

/** Turns a refused edit into an Error that says why (code: 'refused', 'invalid-config', ...). */
export function check(result) {
  if (result.ok) return result.id;
  throw codedError(result.code, result.message);
}
