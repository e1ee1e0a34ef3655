// SPDX-License-Identifier: MIT
// Injected first into each classic bundle (scripts/build-classic.mjs), where it stands for every
// module's import.meta.url: the bundle's own URL, read while the bundle is evaluated. On a page,
// document.currentScript (null later, and in modules); in a worker, the URL its starter put in
// self.avsegWorkerUrl before importScripts (a blob worker's own location is the blob), else the
// worker's location (a worker started by the bundle's URL).
export const avsegClassicScriptUrl = typeof document !== 'undefined'
  ? (document.currentScript?.src || document.baseURI)
  : (self.avsegWorkerUrl || self.location.href);
