// SPDX-License-Identifier: MIT
// `npm pack` holds what the element and its helpers load, the types and the docs, and nothing
// else; once installed, Node and TypeScript find every entry of the exports map.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installInto, moduleClosure, pack, root, run } from './packed.mjs';

let tmp;
let packed;
let installed;
const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-package-'));
  packed = await pack(tmp);
  installed = await installInto(path.join(tmp, 'app'), packed.tarball);
});
after(() => rm(tmp, { recursive: true, force: true }));

test('the tarball holds exactly the modules, worker and wasm the entry points load, the types, docs and changelog', async (t) => {
  t.diagnostic(`${packed.filename}: ${packed.files.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`);
  const entries = Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [] : [e.default])).map((p) => p.replace(/^\.\//, ''));
  assert.deepEqual(entries, ['dist/avseg.js', 'dist/exports.js', 'dist/imports.js', 'dist/avseg-compare.js']);
  const { files: loaded, missing } = await moduleClosure(installed, entries);
  assert.deepEqual(missing, [], 'modules loaded by the package but not in it');
  for (const needed of ['dist/worker.js', 'dist/avseg-core.js', 'dist/avseg-core.wasm', 'dist/avseg-model.js', 'dist/avseg-model.wasm']) {
    assert.ok(loaded.includes(needed), `${needed} is not reached from the entry points`);
  }
  const types = Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [] : [e.types])).map((p) => p.replace(/^\.\//, ''));
  const docs = packed.files.filter((f) => /^doc\/[\w-]+\.md$/.test(f));
  assert.ok(docs.includes('doc/element-api.md'));
  // The wasm modules' glue is internal (no exports entry) but typed beside it, as avseg-core.js -> avseg-core.d.ts.
  const wasmTypes = loaded.filter((f) => /^dist\/avseg-(core|model)\.js$/.test(f)).map((f) => f.replace(/\.js$/, '.d.ts'));
  assert.deepEqual(wasmTypes, ['dist/avseg-core.d.ts', 'dist/avseg-model.d.ts']);
  // The classic build ("./classic", for pages that refuse module scripts: doc/ground-truth.md) is one
  // script holding the modules, whose worker, worker.classic.js, it names by a URL made at run time.
  assert.equal(manifest.exports['./classic'], './dist/avseg.classic.js');
  // So are the wasm files' script variants (wasm-script.js), for a page whose connect-src or CORS refuses the .wasm.
  const classic = ['dist/avseg.classic.js', 'dist/worker.classic.js', 'dist/avseg-core.wasm.js', 'dist/avseg-model.wasm.js'];
  const expected = [...new Set([...loaded, ...classic, ...types, ...wasmTypes, ...docs, 'CHANGELOG.md', 'LICENSE', 'README.md', 'package.json'])].sort();
  assert.deepEqual(packed.files, expected, 'the tarball holds files nothing loads, or lacks some');
  for (const f of packed.files) assert.doesNotMatch(f, /^(tests|build|web|examples|node_modules|scripts|template|wasm|bench)\//);
});

test('the modules name the files they load by literal URLs, and start the worker in the form bundlers bundle', async () => {
  // webpack turns import.meta.url into the module's file: URL at build time, so a URL computed at
  // run time (new URL(file, import.meta.url)) points at the build machine; a literal one is an
  // asset webpack and Vite emit. Both bundle the worker with its modules (so the worker's side is
  // held to the same) when it is started as new Worker(new URL('literal', import.meta.url), ...).
  const { files } = await moduleClosure(installed, ['dist/avseg.js', 'dist/exports.js', 'dist/imports.js', 'dist/avseg-compare.js']);
  const computed = [];
  const workers = [];
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    const code = (await readFile(path.join(installed, file), 'utf8')).replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(/new URL\(\s*([^,)]*?)\s*,\s*import\.meta\.url\s*\)/g)) {
      if (!/^(['"`])[^'"`$]+\1$/.test(m[1])) computed.push(`${file}: ${m[0]}`);
    }
    for (const m of code.matchAll(/new Worker\(new URL\(\s*(['"])([^'"]+)\1\s*,\s*import\.meta\.url\s*\)\s*,\s*\{\s*type:\s*['"]module['"]\s*\}\s*\)/g)) {
      workers.push(`${file}: ${m[2]}`);
    }
  }
  assert.deepEqual(computed, []);
  assert.deepEqual(workers, ['dist/core-client.js: ./worker.js']);
  assert.ok(files.includes('dist/avseg-model.js') && files.includes('dist/worker-render.js'));
});

test('the package carries its MIT licence, as package.json says', async () => {
  assert.equal(manifest.license, 'MIT');
  const licence = await readFile(path.join(installed, 'LICENSE'), 'utf8');
  assert.match(licence, /^MIT License\n\nCopyright \(c\) 2026 the avseg authors\n/);
  assert.match(licence, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
});

test('avseg.d.ts declares every export of the entry point, and of its layout namespace exactly what layout.js exports', async () => {
  const entry = await readFile(path.join(installed, 'dist/avseg.js'), 'utf8');
  const exported = [...entry.matchAll(/^export (?:\{ *(\w+) *\}|\* as (\w+))/gm)].map((m) => m[1] ?? m[2]).sort();
  assert.deepEqual(exported, ['AvsegEditor', 'layout', 'setAssetBase']);
  const dts = await readFile(path.join(installed, 'dist/avseg.d.ts'), 'utf8');
  for (const name of exported) assert.match(dts, new RegExp(`^export declare (?:class|function|namespace) ${name}\\b`, 'm'), `${name} is exported but not declared`);
  const start = dts.indexOf('export declare namespace layout {');
  const body = dts.slice(start, dts.indexOf('\n}\n', start));
  const declared = [...body.matchAll(/^ {2}(?:function|const) (\w+)/gm)].map((m) => m[1]).sort();
  const layout = await import(pathToFileURL(path.join(installed, 'dist/layout.js')).href);
  assert.deepEqual(declared, Object.keys(layout).sort());
});

test('the version is the changelog\'s newest and the README points at the examples and the API doc', async () => {
  const changelog = await readFile(path.join(installed, 'CHANGELOG.md'), 'utf8');
  assert.equal(/^## (\d+\.\d+\.\d+)/m.exec(changelog)?.[1], manifest.version);
  const readme = await readFile(path.join(installed, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using the element'), readme.indexOf('\n## ', readme.indexOf('## Using the element') + 1));
  for (const link of ['examples/', 'doc/element-api.md', 'npm install avseg']) assert.ok(section.includes(link), `"Using the element" does not mention ${link}`);
});

test('Node resolves the exports map of the installed package and runs the export and import helpers', async () => {
  const script = `
    const resolved = ['avseg', 'avseg/exports', 'avseg/imports', 'avseg/compare', 'avseg/classic', 'avseg/dist/worker.js', 'avseg/dist/avseg-core.wasm', 'avseg/package.json']
      .map((s) => import.meta.resolve(s).replace(/^.*node_modules\\/avseg\\//, ''));
    const { fromAudacity } = await import('avseg/imports');
    const { toAudacity, EXPORTS } = await import('avseg/exports');
    const doc = fromAudacity('0.5\\t1.25\\tAlice\\n', { category: 'speaker' });
    console.log(JSON.stringify({ resolved, labels: toAudacity(doc, {}), formats: Object.keys(EXPORTS), segment: doc.segments[0] }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: path.dirname(path.dirname(installed)) });
  const out = JSON.parse(stdout);
  assert.deepEqual(out.resolved, ['dist/avseg.js', 'dist/exports.js', 'dist/imports.js', 'dist/avseg-compare.js', 'dist/avseg.classic.js', 'dist/worker.js', 'dist/avseg-core.wasm', 'package.json']);
  assert.equal(out.labels, '0.500000\t1.250000\tSpeaker: Alice\n');
  assert.deepEqual(out.formats, ['jsonl', 'vtt', 'srt', 'audacity', 'textgrid', 'eaf', 'rttm', 'csv']);
  assert.deepEqual([out.segment.start, out.segment.end], [24000, 60000]);
  await assert.rejects(run(process.execPath, ['--input-type=module', '-e', "import('avseg/dist/../tests/x.js')"], { cwd: path.dirname(path.dirname(installed)) }));
});

test('TypeScript takes the types of each entry point from the installed package', async () => {
  const app = path.dirname(path.dirname(installed));
  const usage = `
import type { AvsegDocument, AvsegEditor } from 'avseg';
import { layout } from 'avseg';
import type { AvsegCoreModule } from 'avseg/dist/avseg-core.js';
import type { Annotations } from 'avseg/dist/avseg-model.js';
import { EXPORTS, toAudacity } from 'avseg/exports';
import { ImportError, importDocument } from 'avseg/imports';

const editor: AvsegEditor = document.createElement('avseg-editor');
editor.config = { categories: [{ name: 'speaker', tags: ['Alice'] }] };
const id: string = editor.addSegment(editor.addTrack('speaker', 'Alice'), 0.5, 1.25);
const doc: AvsegDocument | null = editor.value;
const labels: string = toAudacity(doc!, editor.config) + EXPORTS.vtt.extension + id;
const imported: Promise<AvsegDocument> = importDocument('audacity', labels, { rate: 48000 });
// @ts-expect-error: not an import format
void importDocument('mp3', labels);
// @ts-expect-error: exact positions are numbers
const wrong: string = doc!.segments[0].start;
void imported; void wrong; void ImportError;
const view = layout.clampView(editor.view, editor.duration, layout.minSpan(800, 48000));
const label: string = layout.formatTime(layout.xToTime(400, view, 800)) + layout.rulerTicks(view, 800).ticks.length;
// @ts-expect-error: a time is parsed from text
layout.parseTime(1.5);
const core = null as unknown as AvsegCoreModule;
const session = new core.Session();
const annotations = null as unknown as Annotations;
void label; void session; void annotations;
`;
  await writeFile(path.join(app, 'usage.ts'), usage);
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const common = ['--noEmit', '--strict', '--lib', 'es2022,dom', '--target', 'es2022'];
  // Bundler resolution, as web apps' TypeScript is set up (node16 reads the same exports conditions).
  await run(process.execPath, [tsc, ...common, '--module', 'esnext', '--moduleResolution', 'bundler', path.join(app, 'usage.ts')], { cwd: app });
});
