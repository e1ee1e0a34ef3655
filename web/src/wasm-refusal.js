// SPDX-License-Identifier: MIT
// Owns telling a WebAssembly module refused by the page's Content-Security-Policy (no
// 'wasm-unsafe-eval') from other failures to start one, and saying so in words naming the directive.
import { ErrorCode, codedError } from './error-codes.js';

export const WASM_DIRECTIVE = "script-src needs 'wasm-unsafe-eval'";

// What browsers say (inside Emscripten's "Aborted(...)"): Chromium "Refused to compile or
// instantiate WebAssembly module because 'unsafe-eval' is not an allowed source of script in the
// following Content Security Policy directive", Firefox "... blocked by CSP", Safari "Refused to
// create a WebAssembly object because 'unsafe-eval' or 'wasm-unsafe-eval' is not an allowed source".
const REFUSED = /Content[- ]Security[- ]Policy|blocked by CSP|wasm-unsafe-eval|Refused to (compile|create)[^)]*WebAssembly/i;

/** True when `err` (a module's failure to start) is the page's CSP refusing WebAssembly. */
export function wasmRefused(err) {
  // csp-report.js's explained fetch failures name the policy too, but another directive.
  if (err?.reason) return false;
  return REFUSED.test(String(err?.message ?? err));
}

/** The message for a refusal: what could not start (`what`), the directive, and what the browser said. */
export function wasmRefusedMessage(what, err) {
  const said = String(err?.message ?? err).replace(/\s+/g, ' ').slice(0, 300);
  return `The editor cannot run on this page: its Content-Security-Policy refuses WebAssembly, which ${what} is built on `
    + `(${WASM_DIRECTIVE}). Nothing can be annotated here until the page's owner adds 'wasm-unsafe-eval' to the page's `
    + `script-src directive. (The browser said: ${said})`;
}

/** `err` as it should be reported: a coded `wasm-refused` Error when the CSP refused the module, else itself. */
export function wasmError(what, err) {
  return wasmRefused(err) ? codedError(ErrorCode.WasmRefused, wasmRefusedMessage(what, err)) : err;
}
