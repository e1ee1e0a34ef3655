// SPDX-License-Identifier: MIT
// Whether this copy runs as a classic-script bundle (dist/*.classic.js, scripts/build-classic.mjs
// defines AVSEG_CLASSIC_BUILD): there nothing may be loaded as a module script, the worker included.
/* global AVSEG_CLASSIC_BUILD */
export const classicBuild = typeof AVSEG_CLASSIC_BUILD !== 'undefined' && AVSEG_CLASSIC_BUILD === true;
