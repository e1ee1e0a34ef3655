// SPDX-License-Identifier: MIT
// What the element does when a portal refuses what it needs (issue 13.1), in headless Chromium
// with real servers: without IndexedDB (refused as a cross-site frame or an opaque origin refuses
// it) drafts are kept in the page's memory, said in the element and by `draftStorage`, and
// survive a remount; under a Content-Security-Policy without 'wasm-unsafe-eval' the element fails
// with a message naming the directive (the worker's core and the main thread's model alike), and
// a Ground Truth task refuses to submit, saying why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, collectConsole } from './browser.mjs';
import { fixtures, root } from './harness.mjs';
import { startServers } from '../../scripts/lib/servers.mjs';
import { localize, renderTemplate } from '../../scripts/lib/labeling/render.mjs';
import { strictCsp } from '../../web/demo/page.mjs';

const DIRECTIVE = "script-src needs 'wasm-unsafe-eval'";
let browser, allowed, refused;

/** The page's servers: `csp(origins)` is the page's policy. */
async function serve(csp) {
  const servers = await startServers({ pageRoot: path.join(root, 'template/local'), pages: { '/index.html': '' }, csp, assetRoot: process.env.AVSEG_DIST ?? path.join(root, 'dist'), mediaRoot: fixtures });
  servers.setPage('/index.html', `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>degrade</title>
<script type="module" src="${servers.assets.url('/avseg.js')}"></script><body></body>`);
  return servers;
}

before(async () => {
  await promisify(execFile)(path.join(root, 'tests/fixtures/make-media.sh'), [fixtures]);
  allowed = await serve(strictCsp);
  // The same policy but for WebAssembly, as a portal that did not think of it sends.
  refused = await serve((o) => strictCsp(o).replace(" 'wasm-unsafe-eval'", ''));
  assert.doesNotMatch(strictCsp({ assets: 'a', media: 'm' }).replace(" 'wasm-unsafe-eval'", ''), /wasm/);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await allowed?.close();
  await refused?.close();
});

/** Collects the editors' events and workers' error messages; `mount` makes an editor for a task. */
function instrument({ dropWorkerErrors = false } = {}) {
  window.heard = [];
  window.workerErrors = [];
  for (const type of ['error', 'ready', 'restored']) {
    // Capturing: the element's `error` does not bubble.
    window.addEventListener(type, (e) => {
      if (e.target?.localName === 'avseg-editor') window.heard.push({ editor: e.target.id, type, code: e.detail?.code, fatal: e.detail?.fatal, message: e.detail?.message });
    }, true);
  }
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    set onmessage(fn) {
      super.onmessage = (e) => {
        if (e.data?.type === 'error') {
          window.workerErrors.push({ code: e.data.code, fatal: e.data.fatal });
          // The worker's report kept from the element: only the main thread's model can tell it.
          if (dropWorkerErrors) return;
        }
        fn(e);
      };
    }
  };
  window.mount = (id, taskId, src) => new Promise((resolve, reject) => {
    const el = document.createElement('avseg-editor');
    el.id = id;
    el.taskId = taskId;
    el.config = { categories: [{ name: 'Dog', tags: ['Dog #1'] }] };
    el.addEventListener('ready', () => resolve(el), { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.src = src;
    document.body.append(el);
  });
}

/** As Chromium refuses IndexedDB: in a cross-site frame with third-party storage blocked, or in an opaque origin. */
function refuseIndexedDb(how) {
  IDBFactory.prototype.open = function open() {
    if (how === 'opaque') throw new DOMException("Failed to execute 'open' on 'IDBFactory': access to the Indexed Database API is denied in this context.", 'SecurityError');
    const request = { result: undefined, error: null, onsuccess: null, onerror: null, onupgradeneeded: null, onblocked: null };
    setTimeout(() => {
      request.error = new DOMException('The user denied permission to access the database.', 'UnknownError');
      request.onerror?.({ target: request });
    }, 0);
    return request;
  };
}

async function open(t, servers, { init = [], url = servers.page.url('/') } = {}) {
  const page = await browser.newPage();
  const log = collectConsole(page);
  t.after(async () => {
    if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
    await page.close();
  });
  for (const [fn, arg] of init) await page.addInitScript(fn, arg);
  await page.goto(url);
  await page.waitForFunction(() => customElements.get('avseg-editor'));
  return page;
}

const clip = (servers, n) => servers.media.url(`/speech-gaps.wav?degrade=${n}`);

test('with IndexedDB, drafts are kept there and nothing is said', async (t) => {
  const page = await open(t, allowed, { init: [[instrument]] });
  const out = await page.evaluate(async (src) => {
    const el = await window.mount('a', 'task-idb', src);
    return { storage: el.draftStorage, warning: Boolean(el.shadowRoot.querySelector('.draft-memory')), errors: window.heard.filter((h) => h.type === 'error') };
  }, clip(allowed, 1));
  assert.deepEqual(out, { storage: 'indexeddb', warning: false, errors: [] });
});

for (const how of ['cross-site', 'opaque']) {
  test(`without IndexedDB (${how === 'opaque' ? 'an opaque origin: open throws SecurityError' : 'a cross-site frame: "The user denied permission"'}), drafts are kept in memory, said in the element, and a remounted editor gets them back`, async (t) => {
    const page = await open(t, allowed, { init: [[instrument], [refuseIndexedDb, how]] });
    const first = await page.evaluate(async (src) => {
      const el = await window.mount('a', 'task-mem', src);
      window.first = el;
      const track = el.addTrack('Dog', 'Dog #1');
      el.addSegment(track, 1, 2, {});
      el.addSegment(track, 3, 4.5, {});
      await el.flushDraft();
      return { storage: el.draftStorage };
    }, clip(allowed, 2));
    assert.equal(first.storage, 'memory');
    const warning = page.locator('#a .draft-memory');
    assert.ok(await warning.isVisible(), 'the element shows that drafts are only in memory');
    assert.match(await warning.textContent(), /does not let the task store drafts.*(denied permission|denied in this context).*reloading or closing it loses your work/s);
    const errors = await page.evaluate(() => window.heard.filter((h) => h.type === 'error'));
    assert.deepEqual(errors.map(({ editor, code, fatal }) => ({ editor, code, fatal })), [{ editor: 'a', code: 'drafts-in-memory', fatal: false }]);
    assert.equal(errors[0].message, await warning.textContent());

    // Removed for good (a framework's remount) and made again for the task: nothing typed is lost.
    const second = await page.evaluate(async (src) => {
      document.getElementById('a').remove();
      await new Promise((resolve) => { setTimeout(resolve, 1500); });
      const el = await window.mount('b', 'task-mem', src);
      el.addSegment(el.value.tracks[0].id, 5, 6, {});
      await el.flushDraft();
      return { storage: el.draftStorage, segments: el.value.segments.map((s) => [s.startTime, s.endTime]), restored: window.heard.filter((h) => h.type === 'restored').map((h) => h.editor) };
    }, clip(allowed, 2));
    assert.deepEqual(second, { storage: 'memory', segments: [[1, 2], [3, 4.5], [5, 6]], restored: ['b'] });
    assert.ok(await page.locator('#b .draft-memory').isVisible(), 'the new editor says it too');

    // The first editor put back loads again and takes up the latest draft.
    const back = await page.evaluate(async () => {
      document.getElementById('b').remove();
      await new Promise((resolve) => { setTimeout(resolve, 1500); });
      const a = window.first;
      const ready = new Promise((resolve) => { a.addEventListener('ready', resolve, { once: true }); });
      document.body.append(a);
      await ready;
      return a.value.segments.map((s) => [s.startTime, s.endTime]);
    });
    assert.deepEqual(back, [[1, 2], [3, 4.5], [5, 6]]);
  });
}

/** Waits for the element's first fatal error, then a moment for any second one. */
async function fatalErrors(page) {
  await page.waitForFunction(() => window.heard.some((h) => h.type === 'error' && h.fatal), undefined, { timeout: 20000 });
  await page.waitForTimeout(1000);
  return page.evaluate(() => window.heard.filter((h) => h.type === 'error'));
}

test('a CSP without \'wasm-unsafe-eval\': a fatal message naming the directive, from the worker\'s core and the model alike, said once', async (t) => {
  const page = await open(t, refused, { init: [[instrument]] });
  await page.evaluate((src) => { window.mount('a', 'task-wasm', src).catch(() => {}); }, clip(refused, 3));
  const errors = await fatalErrors(page);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].code, 'wasm-refused');
  assert.equal(errors[0].fatal, true);
  assert.ok(errors[0].message.includes(DIRECTIVE), errors[0].message);
  const box = page.locator('#a .error');
  assert.ok(await box.isVisible());
  assert.ok((await box.textContent()).includes(DIRECTIVE));
  assert.equal(await box.getAttribute('data-fatal'), 'true');
  // The worker's core was refused too, and said so under the same code.
  const fromWorker = await page.evaluate(() => window.workerErrors);
  assert.deepEqual(fromWorker, [{ code: 'wasm-refused', fatal: true }]);
  assert.equal(await page.evaluate(() => document.getElementById('a').ready), false);
});

test('a CSP without \'wasm-unsafe-eval\': the main thread\'s model alone is enough to say it', async (t) => {
  const page = await open(t, refused, { init: [[instrument, { dropWorkerErrors: true }]] });
  await page.evaluate((src) => { window.mount('a', 'task-wasm-model', src).catch(() => {}); }, clip(refused, 4));
  const errors = await fatalErrors(page);
  assert.deepEqual(errors.map(({ code, fatal }) => ({ code, fatal })), [{ code: 'wasm-refused', fatal: true }]);
  assert.match(errors[0].message, /annotation model/);
  assert.ok(errors[0].message.includes(DIRECTIVE), errors[0].message);
});

test('Ground Truth task under a CSP without \'wasm-unsafe-eval\': submit is refused, and the annotator is told why', async (t) => {
  const template = await readFile(path.join(root, 'template/audio.liquid.html'), 'utf8');
  let html = await renderTemplate(template, { 'source-ref': 'chirp.wav' }, { grant: (src) => refused.media.url(`/${src}`) });
  html = localize(html, { assetBase: refused.assets.origin, crowdElements: refused.page.url('/crowd-html-elements.js') });
  // The preview stand-in shows an answer that goes ahead in #avseg-preview-output.
  refused.setPage('/task.html', `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>task</title>
<meta name="avseg-preview" content="1">
${html}`);
  const page = await open(t, refused, { init: [[instrument]], url: refused.page.url('/task.html') });
  const errors = await fatalErrors(page);
  assert.deepEqual(errors.map((e) => e.code), ['wasm-refused']);
  const alert = page.locator('[data-avseg-alert]');
  await page.click('crowd-button[form-action="submit"]');
  await page.waitForTimeout(300);
  assert.ok(await alert.isVisible());
  const said = await alert.textContent();
  assert.match(said, /cannot be submitted from this page/);
  assert.ok(said.includes(DIRECTIVE), said);
  assert.equal(await page.locator('#avseg-preview-output').count(), 0, 'nothing was submitted');
});
