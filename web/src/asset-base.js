// SPDX-License-Identifier: MIT
// Where the worker and wasm files are served from: beside the modules that load them
// (import.meta.url), unless the host names a folder with setAssetBase: files served apart from
// the code (a CDN), or a bundler that neither bundles them nor keeps them beside the code.
let base = null;

/** Serves avseg's worker and wasm from `url`, a folder holding the package's dist/ files; null: beside the modules. */
export function setAssetBase(url) {
  if (url === null || url === undefined || url === '') {
    base = null;
    return;
  }
  const href = new URL(String(url), globalThis.document?.baseURI ?? globalThis.location?.href).href;
  base = href.endsWith('/') ? href : `${href}/`;
}

/** `file` under the host's folder, or null when the host named none. */
export function assetUrl(file) {
  return base ? new URL(file, base) : null;
}
