// SPDX-License-Identifier: MIT
// The three examples in Chromium against the packed package: the plain page with the package on
// a CDN origin of its own, the JavaScript app with the package installed by npm and served as it
// is, and the React app bundled by esbuild. Each loads a clip made now, adds a segment and reads
// `value`: the segment is there at exact sample positions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServers } from '../../scripts/lib/servers.mjs';
import { collectConsole, launchBrowser } from '../browser/browser.mjs';
import { installInto, makeClip, pack, root, run, unpackInto } from './packed.mjs';

const examples = path.join(root, 'examples');
const START = 0.5;
const END = 1.25;
let tmp;
let packed;
let clip;
let browser;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-examples-'));
  [packed, clip, browser] = await Promise.all([pack(tmp), makeClip(path.join(tmp, 'clip.wav')), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Serves the example, opens `page` in a tab and hands both to `body`; prints the page's console on failure. */
async function withPage(serverOptions, page, body) {
  const servers = await startServers(serverOptions);
  const tab = await browser.newPage();
  const log = collectConsole(tab);
  try {
    await tab.goto(servers.page.url(await page(servers)));
    await body(tab, servers);
    assert.deepEqual(log.filter((m) => m.type === 'pageerror' || m.type === 'crash'), [], 'the page threw');
  } catch (err) {
    console.log(JSON.stringify(log, null, 1));
    throw err;
  } finally {
    // A tab that does not close (seen with a worker stuck in a read) is left to the browser's own close.
    await Promise.race([tab.close(), new Promise((resolve) => setTimeout(resolve, 10000).unref())]);
    await servers.close();
  }
}

const readyIn = (tab) => tab.waitForFunction(() => document.querySelector('avseg-editor')?.ready === true, null, { timeout: 60000 });
const valueOf = (tab) => tab.evaluate(() => document.querySelector('avseg-editor').value);

/** The added segment is in `value` at the exact positions of START and END, on the clip's time base. */
function assertSegment(doc) {
  assert.deepEqual(doc.timebase, { rate: clip.rate, frames: clip.frames });
  assert.equal(doc.segments.length, 1);
  const [s] = doc.segments;
  assert.deepEqual({ start: s.start, end: s.end, startTime: s.startTime, endTime: s.endTime },
    { start: START * clip.rate, end: END * clip.rate, startTime: START, endTime: END });
  const track = doc.tracks.find((x) => x.id === s.track);
  assert.deepEqual({ category: track?.category, tag: track?.tag }, { category: 'speaker', tag: 'Alice' });
}

/** Who served the element's own files: [server, path] of its worker and wasm requests. */
const workerAndWasm = (servers) => servers.requests
  .filter((r) => /\/(worker\.js|avseg-core\.wasm|avseg-model\.wasm)$/.test(r.path) && r.status === 200)
  .map((r) => `${r.server} ${r.path}`).sort();

test('plain.html: the element by markup, the package unpacked on a CDN origin apart from the page', async () => {
  const html = await readFile(path.join(examples, 'plain.html'), 'utf8');
  const cdn = `https://cdn.jsdelivr.net/npm/avseg@${packed.version}/dist/avseg.js`;
  assert.ok(html.includes(`src="${cdn}"`), `plain.html loads ${cdn} (the package's version)`);
  const site = path.join(tmp, 'plain');
  const cdnRoot = path.join(tmp, 'cdn');
  await unpackInto(path.join(cdnRoot, `npm/avseg@${packed.version}`), packed.tarball);
  await mkdir(site);
  await copyFile(path.join(tmp, 'clip.wav'), path.join(site, 'clip.wav'));
  await withPage({ pageRoot: site, assetRoot: cdnRoot }, async (servers) => {
    // The only change: the CDN's origin is a loopback server's.
    await writeFile(path.join(site, 'plain.html'), html.replace('https://cdn.jsdelivr.net', servers.assets.origin));
    return '/plain.html';
  }, async (tab, servers) => {
    await readyIn(tab);
    assert.match(await tab.textContent('body > #status'), /^Ready: 3\.000 s$/);
    const doc = await tab.evaluate(([start, end]) => {
      const editor = document.getElementById('editor');
      editor.addSegment(editor.addTrack('speaker', 'Alice'), start, end);
      return editor.value;
    }, [START, END]);
    assertSegment(doc);
    assert.equal(await tab.textContent('body > #status'), '1 segment(s)');
    assert.deepEqual(workerAndWasm(servers),
      ['assets /npm/avseg@0.2.0/dist/avseg-core.wasm', 'assets /npm/avseg@0.2.0/dist/avseg-model.wasm', 'assets /npm/avseg@0.2.0/dist/worker.js'].map((s) => s.replaceAll('0.2.0', packed.version)));
  });
});

test('js-app: built with createElement and driven through the API, the package installed by npm and served as it is', async () => {
  const app = path.join(tmp, 'js-app');
  await installInto(app, packed.tarball);
  for (const file of ['index.html', 'app.js']) await copyFile(path.join(examples, 'js-app', file), path.join(app, file));
  await copyFile(path.join(tmp, 'clip.wav'), path.join(app, 'clip.wav'));
  await withPage({ pageRoot: app }, () => '/index.html', async (tab, servers) => {
    await tab.waitForSelector('#segment > button:not([disabled])', { timeout: 60000 });
    assert.equal(await tab.textContent('body > #status'), 'Ready: 3.000 s at 48000 Hz');
    await tab.fill('#segment input[name=start]', String(START));
    await tab.fill('#segment input[name=end]', String(END));
    await tab.click('#segment > button');
    await tab.waitForFunction(() => document.getElementById('labels').textContent !== '');
    assertSegment(await valueOf(tab));
    assert.equal(await tab.textContent('body > #labels'), '0.500000\t1.250000\tAlice\n', 'avseg/exports wrote the labels');
    assert.equal(await tab.textContent('body > #status'), `Added ${(await valueOf(tab)).segments[0].id}`);
    assert.deepEqual(workerAndWasm(servers),
      ['page /node_modules/avseg/dist/avseg-core.wasm', 'page /node_modules/avseg/dist/avseg-model.wasm', 'page /node_modules/avseg/dist/worker.js']);
  });
});

test('react: a React 19 app bundled by esbuild renders the element; its worker and wasm are the copies beside the bundle', async () => {
  // The example pins what the repository tests it with.
  const [example, repo] = await Promise.all([path.join(examples, 'react/package.json'), path.join(root, 'package.json')].map(async (f) => JSON.parse(await readFile(f, 'utf8'))));
  assert.deepEqual({ ...example.dependencies, ...example.devDependencies },
    { avseg: packed.version, react: repo.devDependencies.react, 'react-dom': repo.devDependencies['react-dom'], esbuild: repo.devDependencies.esbuild });
  const app = path.join(tmp, 'react');
  await unpackInto(path.join(app, 'node_modules/avseg'), packed.tarball);
  await cp(path.join(examples, 'react'), app, { recursive: true, filter: (src) => !/\/(out|node_modules)$/.test(src) });
  // React and esbuild as the repository's devDependencies installed them: no network needed.
  for (const name of ['react', 'react-dom', 'esbuild']) await symlink(path.join(root, 'node_modules', name), path.join(app, 'node_modules', name));
  await run(process.execPath, ['build.mjs'], { cwd: app });
  await withPage({ pageRoot: app, mediaRoot: tmp }, (servers) => `/index.html?media=${encodeURIComponent(servers.media.url('/clip.wav'))}`, async (tab, servers) => {
    await tab.waitForSelector('main > button:not([disabled])', { timeout: 60000 });
    assert.equal(await tab.textContent('main > [role=status]'), 'Ready: 3.000 s');
    await tab.click('main > button');
    await tab.waitForSelector('main > ul > li');
    const doc = await valueOf(tab);
    assertSegment(doc);
    assert.equal(await tab.textContent('main > ul > li'), `${doc.segments[0].id}: 0.5 to 1.25 s`);
    assert.deepEqual(workerAndWasm(servers), ['page /out/avseg-core.wasm', 'page /out/avseg-model.wasm', 'page /out/worker.js']);
    const scripts = servers.requests.filter((r) => r.server === 'page' && r.path.endsWith('.js')).map((r) => r.path);
    assert.ok(!scripts.includes('/out/avseg.js') && !scripts.includes('/out/avseg-editor.js'), `the element came from the bundle, not from ${scripts}`);
  });
});

test('setAssetBase: the worker and wasm come from the folder the host names, here on another origin', async () => {
  const app = path.join(tmp, 'asset-base');
  const installed = await unpackInto(path.join(app, 'node_modules/avseg'), packed.tarball);
  await copyFile(path.join(tmp, 'clip.wav'), path.join(app, 'clip.wav'));
  const assets = path.join(tmp, 'asset-base-files');
  await cp(path.join(installed, 'dist'), path.join(assets, 'avseg-files'), { recursive: true });
  await withPage({ pageRoot: app, assetRoot: assets }, async (servers) => {
    await writeFile(path.join(app, 'index.html'), `<!doctype html><meta charset="utf-8"><title>asset base</title>
<script type="importmap">{"imports": {"avseg": "./node_modules/avseg/dist/avseg.js"}}</script>
<script type="module">
  import { setAssetBase } from 'avseg';
  setAssetBase(${JSON.stringify(servers.assets.url('/avseg-files'))});
  const editor = document.createElement('avseg-editor');
  editor.config = { categories: [{ name: 'speaker', tags: ['Alice'] }] };
  editor.src = 'clip.wav';
  document.body.append(editor);
</script>`);
    return '/index.html';
  }, async (tab, servers) => {
    await readyIn(tab);
    assertSegment(await tab.evaluate(([start, end]) => {
      const editor = document.querySelector('avseg-editor');
      editor.addSegment(editor.addTrack('speaker', 'Alice'), start, end);
      return editor.value;
    }, [START, END]));
    assert.deepEqual(workerAndWasm(servers), ['assets /avseg-files/avseg-core.wasm', 'assets /avseg-files/avseg-model.wasm', 'assets /avseg-files/worker.js']);
  });
});
