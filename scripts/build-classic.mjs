#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Bundles dist/'s ES modules into classic scripts (one IIFE each, no import/export/import.meta), for
// pages that refuse module scripts (doc/ground-truth.md, "Classic scripts"); run by scripts/build
// once web/src is copied to dist/:
//   dist/worker.classic.js      the worker with its wasm glue, for importScripts or new Worker(url)
//   dist/avseg.classic.js       defines <avseg-editor>; its exports are on globalThis.avseg
//   dist/crowd-task.classic.js  the Ground Truth task glue, with the element
//   dist/compare-task.classic.js  the comparison templates' glue, with <avseg-compare>
//   dist/avseg-core.wasm.js, dist/avseg-model.wasm.js  each wasm's bytes as a script, where fetching the .wasm
//                                is refused (connect-src, CORS): web/src/wasm-script.js
//   dist/templates/NAME-classic.liquid.html  template/NAME.liquid.html loading crowd-task.classic.js
//                                (scripts/lib/labeling/classic-template.mjs), for portals without module scripts
// Every module is in the one folder dist/, so each `import.meta.url` becomes the bundle's own URL
// (classic-script-url.js): files named beside a module are found beside the bundle. No chunks:
// esbuild's IIFE output has no code splitting, so a lazy import() is inlined.
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { classicTemplate } from './lib/labeling/classic-template.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist/`;

const SCRIPT_URL = fileURLToPath(new URL('lib/classic-script-url.js', import.meta.url));
const TEMPLATES = ['audio', 'video', 'aws-sample-audio', 'aws-sample-video', 'compare-audio', 'compare-video'];

const BUNDLES = [
  // First: a worker needs nothing else of the classic build.
  { entry: 'worker.js', out: 'worker.classic.js' },
  { entry: 'avseg.js', out: 'avseg.classic.js', globalName: 'avseg' },
  { entry: 'crowd-task.js', out: 'crowd-task.classic.js', globalName: 'avsegCrowdTask' },
  { entry: 'compare-task.js', out: 'compare-task.classic.js', globalName: 'avsegCompareTaskModule' },
];

// web/src/module-import.js (an import() by a URL made at run time) is left out: a classic bundle
// holds no import(); where it runs, a classic script (importScripts, <script>) does instead.
const noModuleImport = {
  name: 'no-module-import',
  setup(b) {
    b.onResolve({ filter: /(^|\/)module-import\.js$/ }, (args) => ({ path: args.path, namespace: 'no-module-import' }));
    b.onLoad({ filter: /.*/, namespace: 'no-module-import' }, () => ({ contents: 'export const importModule = null;', loader: 'js' }));
  },
};

async function bundle({ entry, out, globalName }) {
  const result = await build({
    absWorkingDir: root,
    // The bundle's URL is read first, while the script is evaluated (document.currentScript is null
    // later): imported ahead of the entry, not left to the first module that reads it, which may run
    // lazily (esbuild wraps a module something imports with import()).
    stdin: {
      contents: `import ${JSON.stringify(SCRIPT_URL)};\nexport * from ${JSON.stringify(`./${entry}`)};\n`,
      resolveDir: dist,
      sourcefile: `${out} entry`,
    },
    outfile: `${dist}${out}`,
    bundle: true,
    format: 'iife',
    globalName,
    platform: 'browser',
    // The syntax the ES modules already use (private class members, ??=): nothing is lowered.
    target: 'es2022',
    inject: [SCRIPT_URL],
    define: { 'import.meta.url': 'avsegClassicScriptUrl', AVSEG_CLASSIC_BUILD: 'true' },
    banner: { js: `// SPDX-License-Identifier: MIT\n// avseg ${out}: dist/${entry} and what it imports as one classic script (scripts/build-classic.mjs).` },
    legalComments: 'none',
    // No charset option: non-ASCII is written as \u escapes, since a classic script is decoded in
    // the page's encoding (a module script always as UTF-8) unless the host names a charset.
    logLevel: 'silent',
    plugins: [noModuleImport],
  });
  // A warning here (an import.meta left empty, a require) is a bundle that breaks at run time.
  if (result.warnings.length) throw new Error(`${out}: ${result.warnings.map((w) => w.text).join('; ')}`);
}

for (const b of BUNDLES) await bundle(b);
// Gzipped, then base64 (ASCII, so the page's encoding doesn't matter): about 2/3 of the .wasm.
for (const file of ['avseg-core.wasm', 'avseg-model.wasm']) {
  const data = gzipSync(await readFile(`${dist}${file}`), { level: 9 }).toString('base64');
  await writeFile(`${dist}${file}.js`, `// SPDX-License-Identifier: MIT\n// avseg: ${file} as a script (gzip, base64), for web/src/wasm-script.js.\n`
    + `(self.avsegWasm ||= {})[${JSON.stringify(file)}] = '${data}';\n`);
}
await mkdir(`${dist}templates`, { recursive: true });
for (const name of TEMPLATES) {
  const html = classicTemplate(await readFile(`${root}template/${name}.liquid.html`, 'utf8'))
    .replace(/^(<!-- SPDX[^\n]*\n)/, `$1<!-- Made by scripts/build from template/${name}.liquid.html: edit that one. -->\n`);
  await writeFile(`${dist}templates/${name}-classic.liquid.html`, html);
}
