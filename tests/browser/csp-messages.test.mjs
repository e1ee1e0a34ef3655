// SPDX-License-Identifier: MIT
// A failed fetch names its real cause (issue 13.1, web/src/csp-report.js), in headless Chromium
// with real pages under real Content-Security-Policy headers and real servers on loopback: a
// connect-src without the asset host (the two .wasm files then come as scripts, web/src/wasm-script.js;
// named only when the scripts are refused too) or without the media host, a worker-src
// without blob:, an opaque origin (a policy's `sandbox` without allow-same-origin) whose
// `Origin: null` the asset host refuses; and a server that is down is not blamed on the policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, collectConsole } from './browser.mjs';
import { fixtures, root } from './harness.mjs';
import { startServers } from '../../scripts/lib/servers.mjs';

const dist = process.env.AVSEG_DIST ?? path.join(root, 'dist');
let browser;
const closers = [];

before(async () => {
  await promisify(execFile)(path.join(root, 'tests/fixtures/make-media.sh'), [fixtures]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const close of closers) await close();
});

/** Page, assets (CORS *) and media servers; `csp(origins)` is the page's policy. */
async function serve(csp) {
  const servers = await startServers({ pages: { '/index.html': '' }, csp, assetRoot: dist, mediaRoot: fixtures });
  closers.push(() => servers.close());
  return servers;
}

/** An asset host (dist/) whose CORS rule names only `allowed` origins, as one restricted to the portal's. */
async function namedCorsHost(allowed, { wasmScripts = true } = {}) {
  const server = createServer(async (req, res) => {
    const name = path.basename(new URL(req.url, 'http://x').pathname);
    const cors = allowed().includes(req.headers.origin) ? { 'access-control-allow-origin': req.headers.origin } : {};
    try {
      if (!wasmScripts && name.endsWith('.wasm.js')) throw new Error('not deployed');
      const body = await readFile(path.join(dist, name));
      res.writeHead(200, { ...cors, vary: 'Origin', 'content-type': name.endsWith('.wasm') ? 'application/wasm' : 'application/javascript' });
      res.end(body);
    } catch {
      res.writeHead(404, cors);
      res.end();
    }
  });
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  closers.push(() => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }));
  return `http://127.0.0.1:${server.address().port}`;
}

/** A port on which nothing listens: a server that is down. */
async function downOrigin() {
  const server = createServer();
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const { port } = server.address();
  await new Promise((resolve) => { server.close(resolve); });
  return `http://127.0.0.1:${port}`;
}

/**
 * The page: the element mounted for `src` (after setAssetBase(`assetBase`) when given), its
 * `error` events kept in window.heard.
 */
function page(servers, { src, assetBase = null }) {
  const assets = servers.assets.url('/avseg.js');
  return `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>csp messages</title>
<body><script type="module">
import { setAssetBase } from ${JSON.stringify(assets)};
window.heard = [];
window.origin_ = self.origin;
${assetBase ? `setAssetBase(${JSON.stringify(assetBase)});` : ''}
const el = document.createElement('avseg-editor');
el.taskId = 'csp-messages';
el.config = { categories: [{ name: 'Dog', tags: ['Dog #1'] }] };
el.addEventListener('error', (e) => window.heard.push({ code: e.detail.code, fatal: e.detail.fatal, message: e.detail.message }));
el.addEventListener('ready', () => window.heard.push({ ready: true }));
window.editor = el;
el.src = ${JSON.stringify(src)};
document.body.append(el);
</script></body>`;
}

async function open(t, servers, html) {
  servers.setPage('/index.html', html);
  const tab = await browser.newPage();
  const log = collectConsole(tab);
  t.after(async () => {
    if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
    await tab.close();
  });
  await tab.goto(servers.page.url('/'));
  return tab;
}

/**
 * The element's fatal errors, once one came whose message names each of `naming` (the worker's
 * and the model's come in either order, each after its own wait for a violation), and a moment
 * passed for others.
 */
async function fatalErrors(tab, naming = []) {
  await tab.waitForFunction((parts) => {
    const fatal = window.heard?.filter((h) => h.fatal) ?? [];
    return fatal.length > 0 && parts.every((p) => fatal.some((h) => h.message.includes(p)));
  }, naming, { timeout: 30000 });
  await tab.waitForTimeout(1000);
  const fatal = await tab.evaluate(() => window.heard.filter((h) => h.fatal));
  if (process.env.AVSEG_SHOW_MESSAGES) console.log(JSON.stringify(fatal, null, 1));
  return fatal;
}

const has = (message, ...parts) => parts.every((p) => message.includes(p));

test('connect-src without the asset host: both .wasm come as scripts (script-src allows the host) and the element gets ready', async (t) => {
  const servers = await serve((o) => `script-src 'self' 'unsafe-inline' ${o.assets} 'wasm-unsafe-eval'; worker-src blob: ${o.assets}; connect-src ${o.media}`);
  const tab = await open(t, servers, page(servers, { src: servers.media.url('/chirp.wav?csp=1') }));
  await tab.waitForFunction(() => window.heard?.some((h) => h.ready || h.fatal), undefined, { timeout: 30000 });
  const heard = await tab.evaluate(() => window.heard);
  assert.deepEqual(heard.filter((h) => h.fatal), [], JSON.stringify(heard));
  assert.equal(await tab.evaluate(() => window.editor.wasmVia), 'script');
  assert.equal(await tab.evaluate(() => window.editor.coreThread), 'worker');
});

test('connect-src without the asset host and a script-src that refuses the .wasm.js scripts: the model and the worker each name connect-src, the asset host and their .wasm', async (t) => {
  let scripts = '';
  const servers = await serve((o) => `script-src 'self' 'unsafe-inline' ${scripts} 'wasm-unsafe-eval'; worker-src blob: ${o.assets}; connect-src ${o.media}`);
  scripts = await allButWasmScripts(servers.assets.origin);
  const tab = await open(t, servers, page(servers, { src: servers.media.url('/chirp.wav?csp=1') }));
  const errors = await fatalErrors(tab, ['avseg-model.wasm', 'avseg-core.wasm']);
  const cdn = servers.assets.origin;
  const model = errors.find((e) => e.message.includes('avseg-model.wasm'));
  const core = errors.find((e) => e.message.includes('avseg-core.wasm'));
  assert.ok(model && core, JSON.stringify(errors));
  for (const [{ message }, file] of [[model, 'avseg-model.wasm'], [core, 'avseg-core.wasm']]) {
    assert.ok(has(message, "Content-Security-Policy (connect-src) does not allow the asset host", cdn, `add ${cdn} to connect-src`), message);
    assert.ok(has(message, `Its script variant ${file}.js`, 'could not be loaded either', 'Content-Security-Policy (script-src) refuses it too'), message);
    assert.doesNotMatch(message, /Failed to fetch/);
  }
  // What the annotator sees in the element.
  const shown = await tab.locator('avseg-editor .error').textContent();
  assert.ok(has(shown, 'connect-src', cdn), shown);
  assert.equal(await tab.evaluate(() => window.editor.wasmVia), null);
});

/** Every script of dist/ by its own path except the wasm's script variants: a script-src that refuses those. */
const allButWasmScripts = async (origin) => (await readdir(dist)).filter((f) => f.endsWith('.js') && !f.endsWith('.wasm.js')).map((f) => `${origin}/${f}`).join(' ');

test('a policy without connect-src (and no script variant allowed): the message names default-src, the directive that refused', async (t) => {
  let scripts = '';
  const servers = await serve((o) => `script-src 'self' 'unsafe-inline' ${scripts} 'wasm-unsafe-eval'; worker-src blob: ${o.assets}; default-src ${o.media}`);
  scripts = await allButWasmScripts(servers.assets.origin);
  const tab = await open(t, servers, page(servers, { src: servers.media.url('/chirp.wav?csp=2') }));
  const errors = await fatalErrors(tab, ['avseg-model.wasm']);
  assert.ok(errors.length >= 1);
  for (const { message } of errors) {
    assert.ok(has(message, 'Content-Security-Policy (default-src)', servers.assets.origin, 'to default-src'), message);
  }
});

test('connect-src without the media host: the media fetch names connect-src and the media origin', async (t) => {
  const servers = await serve((o) => `script-src 'self' 'unsafe-inline' ${o.assets} 'wasm-unsafe-eval'; worker-src blob: ${o.assets}; connect-src ${o.assets}; media-src ${o.media}`);
  const tab = await open(t, servers, page(servers, { src: servers.media.url('/chirp.wav?csp=3') }));
  const errors = await fatalErrors(tab);
  const media = servers.media.origin;
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].code, 'fetch-failed');
  assert.ok(has(errors[0].message, 'Content-Security-Policy (connect-src) does not allow the media host', media, `add ${media} to connect-src`), errors[0].message);
  assert.doesNotMatch(errors[0].message, /unreachable|Access-Control/);
});

test('media-src without the media host: playback\'s warning names media-src and the media origin, and the waveform is still drawn', async (t) => {
  const servers = await serve((o) => `script-src 'self' 'unsafe-inline' ${o.assets} 'wasm-unsafe-eval'; worker-src blob: ${o.assets}; connect-src ${o.assets} ${o.media}; media-src 'self'`);
  const tab = await open(t, servers, page(servers, { src: servers.media.url('/chirp.wav?csp=6') }));
  await tab.waitForFunction(() => window.heard?.some((h) => h.code === 'playback-failed'), undefined, { timeout: 30000 });
  const warning = (await tab.evaluate(() => window.heard)).find((h) => h.code === 'playback-failed');
  const media = servers.media.origin;
  assert.equal(warning.fatal, false);
  assert.ok(has(warning.message, 'Content-Security-Policy (media-src) does not allow the media host', media, `add ${media} to media-src`), warning.message);
  assert.doesNotMatch(warning.message, /cannot play this file/);
  await tab.waitForFunction(() => window.heard.some((h) => h.ready), undefined, { timeout: 30000 });
});

test('a worker refused by worker-src (or by script-src without one): explainFailure names that directive and blob:', async (t) => {
  for (const [csp, directive] of [[(o) => `script-src 'self' 'unsafe-inline' ${o.assets}; worker-src 'self'`, 'worker-src'], [(o) => `script-src 'self' 'unsafe-inline' ${o.assets}`, 'script-src']]) {
    const servers = await serve(csp);
    const tab = await open(t, servers, '<!doctype html><title>worker</title><body>');
    const said = await tab.evaluate(async (assets) => {
      const { explainFailure } = await import(`${assets}/csp-report.js`);
      const failed = new Promise((resolve) => {
        const w = new Worker(URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' })), { type: 'module' });
        w.onerror = resolve;
        w.onmessage = () => resolve('started');
      });
      if (await failed === 'started') return null;
      return explainFailure({ kind: 'worker', url: `${assets}/worker.js` });
    }, servers.assets.origin);
    assert.equal(said?.cause, 'csp', JSON.stringify(said));
    assert.equal(said.directive, directive);
    assert.ok(has(said.message, `Content-Security-Policy (${directive}) does not allow workers from blob: URLs`, servers.assets.origin,
      /^(worker|child)-src$/.test(directive) ? `add blob: to ${directive}` : `add "worker-src blob:" (or blob: in ${directive})`), said.message);
  }
});

test('an opaque origin (sandbox without allow-same-origin) refused by the asset host\'s CORS: the message says so and names the host', async (t) => {
  let pageOrigin = null;
  const servers = await serve(() => 'sandbox allow-scripts allow-forms');
  pageOrigin = servers.page.origin;
  // The wasm and worker from a host whose CORS names only the page's own origin (setAssetBase).
  const named = await namedCorsHost(() => [pageOrigin], { wasmScripts: false });
  const tab = await open(t, servers, page(servers, { src: servers.media.url('/chirp.wav?csp=4'), assetBase: named }));
  assert.equal(await tab.evaluate(() => window.origin_), 'null', 'the policy\'s sandbox makes the page an opaque origin');
  const errors = await fatalErrors(tab, ['avseg-model.wasm']);
  const model = errors.find((e) => e.message.includes('avseg-model.wasm'));
  assert.ok(model, JSON.stringify(errors));
  assert.ok(has(model.message, 'opaque origin', 'allow-same-origin', 'Origin: null', `the asset host ${named}`), model.message);
  assert.doesNotMatch(model.message, /Content-Security-Policy \(/);
  assert.ok(has(model.message, 'Its script variant avseg-model.wasm.js', `${named}/avseg-model.wasm.js did not load`), model.message);
});

test('an opaque origin refused by the asset host\'s CORS, where the host has the script variants: the wasm comes as scripts and the element gets ready', async (t) => {
  let pageOrigin = null;
  const servers = await serve(() => 'sandbox allow-scripts allow-forms');
  pageOrigin = servers.page.origin;
  const named = await namedCorsHost(() => [pageOrigin]);
  const tab = await open(t, servers, page(servers, { src: servers.media.url('/chirp.wav?csp=7'), assetBase: named }));
  await tab.waitForFunction(() => window.heard?.some((h) => h.ready || h.fatal), undefined, { timeout: 30000 });
  const heard = await tab.evaluate(() => window.heard);
  assert.deepEqual(heard.filter((h) => h.fatal), [], JSON.stringify(heard));
  assert.equal(await tab.evaluate(() => window.editor.wasmVia), 'script');
  assert.equal(await tab.evaluate(() => window.editor.coreThread), 'classic-worker');
});

test('a server that is down is not blamed on the Content-Security-Policy', async (t) => {
  const servers = await serve((o) => `script-src 'self' 'unsafe-inline' ${o.assets} 'wasm-unsafe-eval'; worker-src blob: ${o.assets}; connect-src *`);
  const notCsp = (message) => assert.doesNotMatch(message, /Content-Security-Policy|connect-src|opaque origin/, message);
  // The media from a host that is down.
  const mediaDown = await downOrigin();
  let tab = await open(t, servers, page(servers, { src: `${mediaDown}/chirp.wav` }));
  let errors = await fatalErrors(tab);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  notCsp(errors[0].message);
  assert.ok(has(errors[0].message, mediaDown, 'unreachable'), errors[0].message);
  await tab.close();
  // The model's wasm (and the worker) from an asset host that is down.
  const assetsDown = await downOrigin();
  tab = await open(t, servers, page(servers, { src: servers.media.url('/chirp.wav?csp=5'), assetBase: assetsDown }));
  errors = await fatalErrors(tab, ['avseg-model.wasm']);
  const model = errors.find((e) => e.message.includes('avseg-model.wasm'));
  assert.ok(model, JSON.stringify(errors));
  notCsp(model.message);
  assert.ok(has(model.message, `The asset host ${assetsDown} did not answer`), model.message);
});
