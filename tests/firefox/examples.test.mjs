// SPDX-License-Identifier: MIT
// The three examples in Firefox ESR against the packed package, as tests/package/examples.test.mjs
// runs them in Chromium (its packing and install helpers): the plain page with the package on a
// CDN origin of its own, the JavaScript app with the package installed by npm, the React app
// bundled by esbuild. Each loads a clip made now, adds a segment and reads `value`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServers } from '../../scripts/lib/servers.mjs';
import { installInto, makeClip, pack, root, run, unpackInto } from '../package/packed.mjs';
import { launchFirefox } from './firefox.mjs';
import { openTab, waitFor } from './harness.mjs';

const examples = path.join(root, 'examples');
const START = 0.5;
const END = 1.25;
let tmp, packed, clip, firefox;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-firefox-examples-'));
  [packed, clip, firefox] = await Promise.all([pack(tmp), makeClip(path.join(tmp, 'clip.wav')), launchFirefox()]);
});
after(async () => {
  await firefox?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Serves the example and opens `page` in a Firefox tab; the servers close when test `t` ends. */
async function open(t, serverOptions, page) {
  const servers = await startServers(serverOptions);
  t.after(() => servers.close());
  const tab = await openTab(firefox, t);
  const errors = [];
  tab.on('pageerror', (err) => errors.push(String(err)));
  await tab.goto(servers.page.url(await page(servers)));
  return { tab, servers, errors };
}

const text = (tab, selector) => tab.$eval(selector, (e) => e.textContent);
const valueOf = (tab) => tab.evaluate(() => document.querySelector('avseg-editor').value);

/** The added segment is in `value` at the exact positions of START and END, on the clip's time base. */
function assertSegment(doc) {
  assert.deepEqual(doc.timebase, { rate: clip.rate, frames: clip.frames });
  assert.deepEqual(doc.segments.map((s) => [s.start, s.end, s.startTime, s.endTime]), [[START * clip.rate, END * clip.rate, START, END]]);
  assert.deepEqual(doc.tracks.map((x) => [x.category, x.tag]), [['speaker', 'Alice']]);
}

/** Who served the element's own files: [server, path] of its worker and wasm requests. */
const workerAndWasm = (servers) => servers.requests
  .filter((r) => /\/(worker\.js|avseg-core\.wasm|avseg-model\.wasm)$/.test(r.path) && r.status === 200)
  .map((r) => `${r.server} ${r.path}`).sort();

test('plain.html in Firefox: the element by markup, from the package unpacked on a CDN origin', async (t) => {
  const html = await readFile(path.join(examples, 'plain.html'), 'utf8');
  const site = path.join(tmp, 'plain');
  const cdnRoot = path.join(tmp, 'cdn');
  await unpackInto(path.join(cdnRoot, `npm/avseg@${packed.version}`), packed.tarball);
  await mkdir(site);
  await copyFile(path.join(tmp, 'clip.wav'), path.join(site, 'clip.wav'));
  const { tab, servers, errors } = await open(t, { pageRoot: site, assetRoot: cdnRoot }, async (s) => {
    await writeFile(path.join(site, 'plain.html'), html.replace('https://cdn.jsdelivr.net', s.assets.origin));
    return '/plain.html';
  });
  await waitFor(tab, () => document.querySelector('avseg-editor')?.ready === true);
  assert.equal(await text(tab, 'body > #status'), 'Ready: 3.000 s');
  assertSegment(await tab.evaluate((start, end) => {
    const editor = document.getElementById('editor');
    editor.addSegment(editor.addTrack('speaker', 'Alice'), start, end);
    return editor.value;
  }, START, END));
  assert.equal(await text(tab, 'body > #status'), '1 segment(s)');
  assert.deepEqual(workerAndWasm(servers), ['avseg-core.wasm', 'avseg-model.wasm', 'worker.js'].map((f) => `assets /npm/avseg@${packed.version}/dist/${f}`));
  assert.deepEqual(errors, [], 'the page threw');
});

test('js-app in Firefox: built with createElement and driven through its form, the package installed by npm', async (t) => {
  const app = path.join(tmp, 'js-app');
  await installInto(app, packed.tarball);
  for (const file of ['index.html', 'app.js']) await copyFile(path.join(examples, 'js-app', file), path.join(app, file));
  await copyFile(path.join(tmp, 'clip.wav'), path.join(app, 'clip.wav'));
  const { tab, servers, errors } = await open(t, { pageRoot: app }, () => '/index.html');
  await tab.waitForSelector('#segment > button:not([disabled])', { timeout: 60000 });
  assert.equal(await text(tab, 'body > #status'), 'Ready: 3.000 s at 48000 Hz');
  for (const [name, v] of [['start', START], ['end', END]]) {
    await tab.$eval(`#segment input[name=${name}]`, (input) => { input.value = ''; });
    await tab.type(`#segment input[name=${name}]`, String(v));
  }
  await tab.click('#segment > button');
  await waitFor(tab, () => document.getElementById('labels').textContent !== '');
  assertSegment(await valueOf(tab));
  assert.equal(await text(tab, 'body > #labels'), '0.500000\t1.250000\tAlice\n', 'avseg/exports wrote the labels');
  assert.deepEqual(workerAndWasm(servers), ['avseg-core.wasm', 'avseg-model.wasm', 'worker.js'].map((f) => `page /node_modules/avseg/dist/${f}`));
  assert.deepEqual(errors, [], 'the page threw');
});

test('react in Firefox: the app bundled by esbuild renders the element; its worker and wasm are the copies beside the bundle', async (t) => {
  const app = path.join(tmp, 'react');
  // Unpacked where npm would install it (the JavaScript app above goes through npm install).
  await unpackInto(path.join(app, 'node_modules/avseg'), packed.tarball);
  await cp(path.join(examples, 'react'), app, { recursive: true, filter: (src) => !/\/(out|node_modules)$/.test(src) });
  for (const name of ['react', 'react-dom', 'esbuild']) await symlink(path.join(root, 'node_modules', name), path.join(app, 'node_modules', name));
  await run(process.execPath, ['build.mjs'], { cwd: app });
  const { tab, servers, errors } = await open(t, { pageRoot: app, mediaRoot: tmp }, (s) => `/index.html?media=${encodeURIComponent(s.media.url('/clip.wav'))}`);
  await tab.waitForSelector('main > button:not([disabled])', { timeout: 60000 });
  assert.equal(await text(tab, 'main > [role=status]'), 'Ready: 3.000 s');
  await tab.click('main > button');
  await tab.waitForSelector('main > ul > li');
  const doc = await valueOf(tab);
  assertSegment(doc);
  assert.equal(await text(tab, 'main > ul > li'), `${doc.segments[0].id}: 0.5 to 1.25 s`);
  assert.deepEqual(workerAndWasm(servers), ['page /out/avseg-core.wasm', 'page /out/avseg-model.wasm', 'page /out/worker.js']);
  assert.deepEqual(errors, [], 'the page threw');
});
