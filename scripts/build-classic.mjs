#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Bundles dist/'s ES modules into classic scripts (one IIFE each, no import/export/import.meta), for
// pages that refuse module scripts (doc/ground-truth.md, "Classic scripts"); run by scripts/build
// once web/src is copied to dist/:
//   dist/worker.classic.js      the worker with its wasm glue, for importScripts or new Worker(url)
//   dist/avseg.classic.js       defines <avseg-editor>; its exports are on globalThis.avseg
//   dist/crowd-task.classic.js  the Ground Truth task glue, with the element
// Every module is in the one folder dist/, so each `import.meta.url` becomes the bundle's own URL
// (classic-script-url.js): files named beside a module are found beside the bundle. No chunks:
// esbuild's IIFE output has no code splitting, so a lazy import() is inlined.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist/`;

const BUNDLES = [
  // First: a worker needs nothing else of the classic build.
  { entry: 'worker.js', out: 'worker.classic.js' },
  { entry: 'avseg.js', out: 'avseg.classic.js', globalName: 'avseg' },
  { entry: 'crowd-task.js', out: 'crowd-task.classic.js', globalName: 'avsegCrowdTask' },
];

async function bundle({ entry, out, globalName }) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [`${dist}${entry}`],
    outfile: `${dist}${out}`,
    bundle: true,
    format: 'iife',
    globalName,
    platform: 'browser',
    // The browsers the ES modules need (private fields, ??=, top-level classes): nothing is lowered.
    target: 'es2022',
    inject: [fileURLToPath(new URL('lib/classic-script-url.js', import.meta.url))],
    define: { 'import.meta.url': 'avsegClassicScriptUrl', AVSEG_CLASSIC_BUILD: 'true' },
    banner: { js: `// SPDX-License-Identifier: MIT\n// avseg ${out}: dist/${entry} and what it imports as one classic script (scripts/build-classic.mjs).` },
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    metafile: true,
  });
  // A warning here (an import.meta left empty, a require) is a bundle that breaks at run time.
  if (result.warnings.length) throw new Error(`${out}: ${result.warnings.map((w) => w.text).join('; ')}`);
  return Object.keys(result.metafile.inputs).length;
}

for (const b of BUNDLES) await bundle(b);
