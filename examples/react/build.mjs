// SPDX-License-Identifier: MIT
// Bundles the app with esbuild, then copies avseg's worker and wasm files beside the bundle:
// the element looks for them next to the module that holds it (import.meta.url).
import { cp, mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';

const out = 'out';
await esbuild.build({
  entryPoints: ['app.jsx'],
  bundle: true,
  format: 'esm', // keeps import.meta.url, which the element resolves its files against
  jsx: 'automatic',
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  outfile: `${out}/app.js`,
});

const dist = path.dirname(createRequire(import.meta.url).resolve('avseg/package.json')) + '/dist';
await mkdir(out, { recursive: true });
for (const file of await readdir(dist)) {
  if (/\.(js|wasm)$/.test(file)) await cp(path.join(dist, file), path.join(out, file));
}
