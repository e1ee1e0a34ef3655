// SPDX-License-Identifier: MIT
// Owns the second way in for a .wasm: where fetching it is refused (the page's CSP connect-src, or
// CORS for an opaque frame's `Origin: null`), its bytes come as a script, FILE.wasm.js beside it
// (scripts/build-classic.mjs). A script's load is governed by script-src, not connect-src, and a
// classic script needs no CORS. The script sets
//   (self.avsegWasm ||= {})['FILE.wasm'] = '<base64 of the gzipped wasm>';
// so it costs about 2/3 of the .wasm's bytes when the host does not compress (and about the same
// when it does), and is decoded and inflated by the browser's own code.
import { explainedError, violationFor } from './csp-report.js';
import { importModule } from './module-import.js';

/** The causes (csp-report.js's `reason`) that a script can get around; a host that does not answer can't be. */
const SCRIPT_HELPS = new Set(['csp', 'opaque-origin', 'cors']);

/**
 * Starts an Emscripten module (its MODULARIZE factory) whose wasm is `url`: fetched by the glue, or,
 * where that fetch is refused, from its script variant (passed as `wasmBinary`). Resolves to
 * {module, via: 'fetch' | 'script'}; rejects with the fetch's explained error (csp-report.js),
 * to which a refused script adds a sentence.
 * @param {(options: object) => Promise<any>} factory
 * @param {{url: URL|null, file: string, options?: object}} o
 */
export async function startWasmModule(factory, { url, file, options = {} }) {
  let refused;
  try {
    return { module: await factory(options), via: 'fetch' };
  } catch (err) {
    refused = await explainedError(err, { url, file });
    if (!url || !SCRIPT_HELPS.has(refused?.reason)) throw refused;
  }
  let bytes;
  try {
    bytes = await wasmFromScript(url, file);
  } catch (err) {
    const scriptUrl = `${url.href ?? url}.js`;
    const csp = await violationFor({ kind: 'script', url: scriptUrl });
    const why = csp ? `the page's Content-Security-Policy (${csp.directive}) refuses it too` : `${scriptUrl} did not load`;
    throw Object.assign(new Error(`${refused.message} Its script variant ${file}.js, which needs no connect-src or CORS, `
      + `could not be loaded either: ${why}.`, { cause: err }), { reason: refused.reason });
  }
  return { module: await factory({ ...options, wasmBinary: bytes }), via: 'script' };
}

/** The bytes of the wasm `file` (at `url`) from its script variant, `url` + '.js'. */
export async function wasmFromScript(url, file) {
  const scriptUrl = `${url.href ?? url}.js`;
  await runScript(scriptUrl);
  const text = globalThis.avsegWasm?.[file];
  if (typeof text !== 'string') throw new Error(`${scriptUrl} did not hold ${file}`);
  delete globalThis.avsegWasm[file]; // the string is as large as the bytes: not kept
  return inflate(base64Bytes(text));
}

function runScript(url) {
  if (globalThis.document) return injectScript(url);
  try {
    // A classic worker (the classic build's, or any in an opaque frame): no CORS.
    globalThis.importScripts(url);
    return Promise.resolve();
  } catch (err) {
    // A module worker refuses importScripts with a TypeError; it imports the same file as a module
    // (script-src governs it; the asset host answers CORS wherever module workers run).
    if (!(err instanceof TypeError) || !importModule) return Promise.reject(err);
    return importModule(url);
  }
}

function injectScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.async = true;
    script.onload = () => { script.remove(); resolve(); };
    script.onerror = () => { script.remove(); reject(new Error(`the browser refused the script ${url}`)); };
    (document.head ?? document.documentElement).append(script);
  });
}

function base64Bytes(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function inflate(gzipped) {
  const stream = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The element's wasmVia from its two modules' ways: 'script' if either came so, 'fetch' once both were fetched, else null. */
export const wasmVia = (...ways) => (ways.includes('script') ? 'script' : ways.every((w) => w === 'fetch') ? 'fetch' : null);
