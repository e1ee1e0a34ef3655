// SPDX-License-Identifier: MIT
// A Vite app against the packed package, with no Vite configuration and nothing copied: `vite
// build` bundles the worker and both wasm files itself (from the literal new Worker(new URL(...,
// import.meta.url)) the element starts its worker with), and the built app, served as it is, loads
// a clip in Chromium; a segment added through the API is in `value` at exact sample positions.
// The dev server too, on the same app: the worker and wasm from the package's own files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServers } from '../../scripts/lib/servers.mjs';
import { collectConsole, launchBrowser } from '../browser/browser.mjs';
import { makeClip, pack, root, run, unpackInto } from './packed.mjs';

const START = 0.5;
const END = 1.25;
let tmp;
let packed;
let clip;
let browser;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-vite-'));
  [packed, clip, browser] = await Promise.all([pack(tmp), makeClip(path.join(tmp, 'clip.wav')), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await rm(tmp, { recursive: true, force: true });
});

const APP = `import 'avseg';
const editor = document.createElement('avseg-editor');
editor.config = { categories: [{ name: 'speaker', tags: ['Alice'] }] };
editor.addEventListener('error', (e) => { window.avsegErrors = [...(window.avsegErrors ?? []), \`\${e.detail.code}: \${e.detail.message}\`]; });
editor.src = 'clip.wav';
document.body.append(editor);
`;

/** The app in a folder of its own: the package unpacked from the tarball, Vite linked, the clip in public/. */
async function makeApp(name) {
  const app = path.join(tmp, name);
  await unpackInto(path.join(app, 'node_modules/avseg'), packed.tarball);
  // Vite as the repository's devDependencies installed it: no network needed.
  await symlink(path.join(root, 'node_modules/vite'), path.join(app, 'node_modules/vite'));
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  await writeFile(path.join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><title>Vite app</title>\n<script type="module" src="./main.js"></script>\n');
  await writeFile(path.join(app, 'main.js'), APP);
  await mkdir(path.join(app, 'public'));
  await copyFile(path.join(tmp, 'clip.wav'), path.join(app, 'public/clip.wav'));
  return app;
}

/** Opens `url`, waits for ready, adds a segment and checks `value`; returns the URLs the tab fetched. */
async function loadAndAnnotate(url) {
  const tab = await browser.newPage();
  const log = collectConsole(tab);
  const fetched = [];
  tab.on('response', (r) => { if (r.status() === 200) fetched.push(new URL(r.url()).pathname + new URL(r.url()).search); });
  try {
    await tab.goto(url);
    await tab.waitForFunction(() => document.querySelector('avseg-editor')?.ready === true || window.avsegErrors, null, { timeout: 60000 });
    assert.deepEqual(await tab.evaluate(() => window.avsegErrors ?? []), [], 'the element reported errors');
    const doc = await tab.evaluate(([start, end]) => {
      const editor = document.querySelector('avseg-editor');
      editor.addSegment(editor.addTrack('speaker', 'Alice'), start, end);
      return editor.value;
    }, [START, END]);
    assert.deepEqual(doc.timebase, { rate: clip.rate, frames: clip.frames });
    assert.deepEqual(doc.segments.map((s) => [s.start, s.end, s.startTime, s.endTime]), [[START * clip.rate, END * clip.rate, START, END]]);
    assert.deepEqual(doc.tracks.map((x) => [x.category, x.tag]), [['speaker', 'Alice']]);
    assert.deepEqual(log.filter((m) => m.type === 'pageerror' || m.type === 'crash'), [], 'the page threw');
    return fetched;
  } catch (err) {
    console.log(JSON.stringify(log, null, 1));
    throw err;
  } finally {
    await tab.close();
  }
}

test('vite build: a Vite app with no configuration loads the clip, its worker and wasm bundled by Vite', async () => {
  const app = await makeApp('vite-build');
  await run(process.execPath, [path.join(app, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: app });

  const built = path.join(app, 'dist');
  const assets = await readdir(path.join(built, 'assets'));
  const worker = assets.find((f) => /^worker-[\w-]+\.js$/.test(f));
  assert.ok(worker, `Vite emitted the worker as a chunk of its own (assets: ${assets})`);
  assert.doesNotMatch(await readFile(path.join(built, 'assets', worker), 'utf8'), /\bimport\s*\(?\s*['"]\.\.?\//, 'the worker chunk still imports modules beside it');

  const servers = await startServers({ pageRoot: built });
  try {
    await loadAndAnnotate(servers.page.url('/index.html'));
    // The worker and both wasm files are Vite's hashed outputs, served from the build's assets.
    const served = servers.requests.filter((r) => r.status === 200 && /\.(js|wasm)$/.test(r.path)).map((r) => r.path.replace(/-[\w-]{8}\./, '-HASH.')).sort();
    assert.deepEqual(served, ['/assets/avseg-core-HASH.wasm', '/assets/avseg-model-HASH.wasm', '/assets/index-HASH.js', '/assets/worker-HASH.js']);
  } finally {
    await servers.close();
  }
});

test('vite dev server: the same app with no configuration loads the clip, the worker and wasm served from the package', async () => {
  const app = await makeApp('vite-dev');
  const { createServer } = await import(path.join(app, 'node_modules/vite/dist/node/index.js'));
  const server = await createServer({ root: app, configFile: false, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, strictPort: true } });
  try {
    await server.listen();
    const fetched = await loadAndAnnotate(new URL('/index.html', server.resolvedUrls.local[0]).href);
    const files = fetched.filter((p) => /\/(worker\.js|avseg-core\.wasm|avseg-model\.wasm)\b/.test(p)).sort();
    assert.deepEqual(files, ['/node_modules/avseg/dist/avseg-core.wasm', '/node_modules/avseg/dist/avseg-model.wasm', '/node_modules/avseg/dist/worker.js?worker_file&type=module']);
  } finally {
    await server.close();
  }
});
