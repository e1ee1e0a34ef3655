// SPDX-License-Identifier: MIT
// A module script loaded by a URL made at run time, apart from the code that needs it: the classic
// bundles (scripts/build-classic.mjs) replace this module by `importModule = null`, since they hold
// no import() and run where module scripts may be refused.
export const importModule = (url) => import(/* webpackIgnore: true */ /* @vite-ignore */ url);
