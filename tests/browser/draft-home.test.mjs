// SPDX-License-Identifier: MIT
// Where drafts live when the task is framed by another site (issue 13.1), in headless Chromium
// with real loopback servers: the local run keeps them itself (`draftStore`, 'host') when the
// browser refuses the frame storage; with third-party storage partitioned (Chrome as shipped) the
// frame's IndexedDB partition keeps them ('indexeddb-partitioned'); refused, the annotator's
// first gesture asks for storage access; the element says in a quiet line which store is used.
// Another site's page can neither read nor write a draft on the run's server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, collectConsole } from './browser.mjs';
import { fixtures, root } from './harness.mjs';
import { secretsIn, secretsOf, stateFileOf } from './run-secrets.mjs';
import { startServers } from '../../scripts/lib/servers.mjs';
import { startLabeling } from '../../scripts/label.mjs';
import { launchPartitioned } from '../lib/portal.mjs';

let browser, tmp, portal, hostile, elementPages;
const framed = new Map(); // portal path → the framed URL

/** A page on its own origin framing `url`: at localhost it is another site than 127.0.0.1. */
async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  return { server, port: server.address().port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

before(async () => {
  await promisify(execFile)(path.join(root, 'tests/fixtures/make-media.sh'), [fixtures]);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-draft-home-'));
  process.env.AVSEG_STATE_DIR = path.join(tmp, 'state');
  await copyFile(path.join(fixtures, 'call.wav'), path.join(tmp, 'call.wav'));
  portal = await listen((req, res) => {
    const url = framed.get(new URL(req.url, 'http://x').pathname);
    if (!url) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><meta charset="utf-8"><title>portal</title><body style="margin:0"><iframe title="task" src="${url.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" style="width:1200px;height:900px;border:0"></iframe>`);
  });
  // A page of another site that tries the run's draft endpoint.
  hostile = await listen((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><meta charset="utf-8"><title>hostile</title>');
  });
  // A bare element page (no host store), for the browser's own stores.
  elementPages = await startServers({ pageRoot: path.join(root, 'template/local'), pages: { '/task.html': '' }, assetRoot: path.join(root, 'dist'), mediaRoot: fixtures });
  elementPages.setPage('/task.html', `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>task</title>
<script type="module" src="${elementPages.assets.url('/avseg.js')}"></script><body></body>`);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await portal?.close();
  await hostile?.close();
  await elementPages?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const portalUrl = (name, url, site = 'cross-site') => {
  framed.set(`/${name}`, url);
  return `http://${site === 'cross-site' ? 'localhost' : '127.0.0.1'}:${portal.port}/${name}`;
};

async function newPage(t, b = browser) {
  const page = await b.newPage();
  const log = collectConsole(page);
  t.after(async () => {
    if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
    await page.close();
  });
  return page;
}

const taskFrame = async (page) => {
  await page.waitForFunction(() => document.querySelector('iframe')?.contentWindow);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  await frame.waitForLoadState();
  return frame;
};

/** Waits for the framed task's editor to be ready and its draft settled; its store and line. */
async function settled(frame) {
  await frame.waitForFunction(() => {
    const el = document.querySelector('avseg-editor');
    return el?.ready && el.draftStorage;
  }, null, { timeout: 20000 });
  return frame.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const line = el.shadowRoot.querySelector('.draft-where');
    return { storage: el.draftStorage, line: line?.textContent, role: line?.getAttribute('role'), visible: line ? !line.hidden : false };
  });
}

const segmentsOf = (frame) => frame.evaluate(() => document.querySelector('avseg-editor').value.segments.map((s) => [s.startTime, s.endTime]));

/** A local run of one item that a page on `ancestors` may frame. */
async function localRun(t, name, ancestors) {
  const manifest = path.join(tmp, `${name}.jsonl`);
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'call.wav' })}\n`);
  const output = path.join(tmp, `${name}-out`);
  const run = await startLabeling({ manifest, output, port: 0, frameAncestors: ancestors });
  t.after(() => run.close());
  return { run, output, task: `${run.url}task/0?worker=ann` };
}

test('a local task framed by another site, its browser storage refused, keeps its draft in the run over a reload', async (t) => {
  const { run, output, task } = await localRun(t, 'framed', [`http://localhost:${portal.port}`]);
  const page = await newPage(t);
  await page.goto(portalUrl('local', task));
  let frame = await taskFrame(page);
  // The browser refuses this frame IndexedDB (playwright-core's Chromium: third-party storage not partitioned, so blocked).
  assert.match(await frame.evaluate(() => new Promise((resolve) => {
    const r = indexedDB.open('probe');
    r.onsuccess = () => resolve('opened');
    r.onerror = () => resolve(String(r.error?.message));
  })), /denied/);
  assert.deepEqual(await settled(frame), { storage: 'host', line: 'Drafts: saved by the labeling run.', role: 'status', visible: true });
  assert.equal(await frame.locator('avseg-editor .draft-memory').count(), 0, 'no memory warning: nothing is lost on a reload');

  await frame.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    const track = el.addTrack('speaker', 'Customer');
    el.addSegment(track, 1, 2, {});
    el.addSegment(track, 3, 4.5, {});
    await el.flushDraft();
  });
  // Kept beside the run's secrets, for the user alone; the output folder (shared as results) holds no draft and no secret.
  const draftsDir = (await stateFileOf(output)).replace(/\.json$/, '.drafts');
  const files = (await readdir(draftsDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  assert.equal(files.length, 1);
  assert.equal(JSON.parse(await readFile(path.join(files[0].parentPath, files[0].name), 'utf8')).text.includes('"segments"'), true);
  assert.deepEqual(await secretsIn(output, await secretsOf(output)), []);

  await page.reload();
  frame = await taskFrame(page);
  assert.equal((await settled(frame)).storage, 'host');
  assert.deepEqual(await segmentsOf(frame), [[1, 2], [3, 4.5]]);
  assert.match(await frame.locator('avseg-editor .notice').textContent(), /Restored your unsaved work/);

  // A submitted answer takes its draft with it.
  const submitUrl = await frame.evaluate(() => document.querySelector('meta[name="avseg-submit"]').content);
  const submitted = await frame.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: { annotations: '{}' } }) })).status, submitUrl);
  assert.equal(submitted, 200);
  assert.deepEqual((await readdir(draftsDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()), []);
  assert.equal(run.store.answerOf(0, 'ann') !== undefined, true);
});

test('the run\'s drafts: another site can neither read nor write them, a wrong link gets nothing, a draft too large is refused with 413 and says why', async (t) => {
  const { output, task } = await localRun(t, 'guarded', [`http://localhost:${portal.port}`]);
  const page = await newPage(t);
  await page.goto(task);
  const draftUrl = await page.evaluate(() => document.querySelector('meta[name="avseg-draft-store"]').content);
  assert.match(draftUrl, /\/api\/draft\/0\/[^/?]+\?worker=ann$/);
  const pageOrigin = new URL(draftUrl).origin;
  await settled(page.mainFrame());
  await page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('speaker', 'Customer'), 1, 2, {});
    await el.flushDraft();
  });
  const kept = await page.evaluate(async (url) => (await (await fetch(url)).json()).draft.text, draftUrl);
  assert.match(kept, /"segments"/);

  // A page of another site (127.0.0.1 on another port is another origin) in the same browser.
  const evil = await newPage(t);
  await evil.goto(`http://localhost:${hostile.port}/`);
  const tries = await evil.evaluate(async (url) => {
    const attempt = (fn) => fn().then((r) => (r.type === 'opaque' ? 'opaque' : `${r.status}`), (err) => `refused: ${err.name}`);
    return {
      read: await attempt(() => fetch(url)),
      readNoCors: await attempt(() => fetch(url, { mode: 'no-cors' })),
      write: await attempt(() => fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ draft: { text: 'evil', savedAt: 1 } }) })),
      writeNoCors: await attempt(() => fetch(url, { method: 'POST', mode: 'no-cors', body: 'x' })),
      remove: await attempt(() => fetch(url, { method: 'DELETE' })),
    };
  }, draftUrl);
  assert.deepEqual(tries, { read: 'refused: TypeError', readNoCors: 'opaque', write: 'refused: TypeError', writeNoCors: 'opaque', remove: 'refused: TypeError' });
  // What the server answered such requests, asked directly: refused before anything is read.
  const from = (origin, init = {}) => fetch(draftUrl, { ...init, headers: { ...init.headers, origin } });
  assert.equal((await from(`http://localhost:${hostile.port}`)).status, 403);
  assert.equal((await from(`http://localhost:${hostile.port}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ draft: { text: 'evil', savedAt: 1 } }) })).status, 403);
  assert.equal((await from(`http://localhost:${hostile.port}`, { method: 'DELETE' })).status, 403);
  assert.equal((await fetch(draftUrl, { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' } })).status, 403);
  // Without the run's link: nothing.
  const wrong = draftUrl.replace(/\/[^/]+\/api\//, '/not-the-token/api/');
  assert.equal((await fetch(wrong)).status, 404);
  assert.equal((await fetch(wrong, { method: 'PUT', headers: { origin: pageOrigin, 'content-type': 'application/json' }, body: JSON.stringify({ draft: { text: 'evil', savedAt: 1 } }) })).status, 404);
  // The draft is still the annotator's.
  assert.equal(await page.evaluate(async (url) => (await (await fetch(url)).json()).draft.text, draftUrl), kept);
  // A DNS-rebound name is not answered.
  const rebound = await new Promise((resolve, reject) => {
    request(draftUrl, { headers: { host: `evil.example:${new URL(draftUrl).port}` } }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject).end();
  });
  assert.equal(rebound, 421);

  // Too large: 413 and a message the element shows as autosave-failed.
  const big = JSON.stringify({ draft: { text: 'x'.repeat(17 * 1024 * 1024), savedAt: Date.now() } });
  const refused = await from(pageOrigin, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: big });
  assert.equal(refused.status, 413);
  assert.match((await refused.json()).error, /the run keeps drafts up to 16 MB: it was not saved by the run, so submit before you leave the page/);
  assert.deepEqual(await secretsIn(output, await secretsOf(output)), []);
});

/** The bare element page framed by the portal: mounts an editor for `taskId`. */
async function mountFramed(frame, taskId) {
  await frame.waitForFunction(() => customElements.get('avseg-editor'));
  await frame.evaluate(({ taskId, src }) => {
    const el = document.createElement('avseg-editor');
    el.taskId = taskId;
    el.config = { categories: [{ name: 'Dog', tags: ['Dog #1'] }] };
    el.src = src;
    document.body.append(el);
  }, { taskId, src: elementPages.media.url('/speech-gaps.wav') });
  return settled(frame);
}

test('third-party storage partitioned (Chrome as shipped): drafts are kept in the portal\'s partition, said so, and survive a reload', async (t) => {
  const partitioned = await launchPartitioned();
  t.after(() => partitioned.close());
  const page = await newPage(t, partitioned);
  await page.goto(portalUrl('partitioned', elementPages.page.url('/task.html')));
  let frame = await taskFrame(page);
  assert.deepEqual(await mountFramed(frame, 'task-partitioned'), {
    storage: 'indexeddb-partitioned', line: 'Drafts: saved in this browser for this portal only.', role: 'status', visible: true,
  });
  await frame.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('Dog', 'Dog #1'), 1, 2, {});
    await el.flushDraft();
  });
  await page.reload();
  frame = await taskFrame(page);
  assert.equal((await mountFramed(frame, 'task-partitioned')).storage, 'indexeddb-partitioned');
  assert.deepEqual(await segmentsOf(frame), [[1, 2]]);

  // The same page framed by its own site: the site's own storage, said so.
  const same = await newPage(t, partitioned);
  await same.goto(portalUrl('same-site', elementPages.page.url('/task.html'), 'same-site'));
  assert.deepEqual(await mountFramed(await taskFrame(same), 'task-same-site'), {
    storage: 'indexeddb', line: 'Drafts: saved in this browser.', role: 'status', visible: true,
  });
});

test('storage refused to a cross-site frame: drafts in memory, said as an alert and in the line; the first gesture asks for storage access', async (t) => {
  const page = await newPage(t);
  await page.goto(portalUrl('blocked', elementPages.page.url('/task.html')));
  const frame = await taskFrame(page);
  await frame.evaluate(() => {
    window.accessAnswers = [];
    window.addEventListener('storageaccess', (e) => window.accessAnswers.push(e.detail), true);
  });
  assert.deepEqual(await mountFramed(frame, 'task-blocked'), {
    storage: 'memory', line: 'Drafts: kept in memory only: a reload loses them.', role: 'status', visible: true,
  });
  assert.equal(await frame.locator('avseg-editor .draft-memory').getAttribute('role'), 'alert');
  await frame.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('Dog', 'Dog #1'), 1, 2, {});
    await el.flushDraft();
  });
  // A real click (a user gesture) in the element.
  await frame.locator('avseg-editor').click({ position: { x: 20, y: 20 } });
  await frame.waitForFunction(() => window.accessAnswers.length > 0, null, { timeout: 10000 });
  const [answer] = await frame.evaluate(() => window.accessAnswers);
  const now = await frame.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    return { storage: el.draftStorage, line: el.shadowRoot.querySelector('.draft-where').textContent, memoryWarning: !el.shadowRoot.querySelector('.draft-memory').hidden };
  });
  if (answer.granted) {
    assert.deepEqual(now, { storage: 'storage-access', line: 'Drafts: saved in this browser (storage access granted).', memoryWarning: false });
  } else {
    // Headless Chromium answers without a prompt: refused, the draft stays in memory and the warning stays.
    assert.deepEqual(now, { storage: 'memory', line: 'Drafts: kept in memory only: a reload loses them.', memoryWarning: true });
    assert.ok(answer.reason, 'the browser\'s reason is given');
    t.diagnostic(`storage access refused: ${answer.reason}`);
  }
});

/**
 * The grant this Chromium refuses, given by the page itself: IndexedDB refused as in a blocked
 * cross-site frame, and a requestStorageAccess() that, as the API does, wants a user gesture and
 * hands out the site's own IndexedDB; once granted, the permission reads 'granted'.
 */
function grantOnGesture() {
  if (location.pathname !== '/task.html') return;
  const open = IDBFactory.prototype.open;
  const own = indexedDB;
  IDBFactory.prototype.open = function refused() {
    if (this !== own || window.granting) return open.apply(this, arguments);
    const request = { result: undefined, error: null };
    setTimeout(() => {
      request.error = new DOMException('The user denied permission to access the database.', 'UnknownError');
      request.onerror?.({ target: request });
    }, 0);
    return request;
  };
  const handle = { indexedDB: { open: (...args) => { window.granting = true; try { return open.apply(own, args); } finally { window.granting = false; } } } };
  document.requestStorageAccess = async () => {
    if (!navigator.userActivation.isActive && localStorage.getItem('granted') !== 'yes') throw new DOMException('requestStorageAccess not allowed', 'NotAllowedError');
    localStorage.setItem('granted', 'yes');
    return handle;
  };
  const query = navigator.permissions.query.bind(navigator.permissions);
  navigator.permissions.query = (d) => (d?.name === 'storage-access' ? Promise.resolve({ state: localStorage.getItem('granted') === 'yes' ? 'granted' : 'prompt' }) : query(d));
}

test('storage access granted on the first gesture: the draft moves out of memory, is said so, and comes back after a reload (the grant simulated: this Chromium refuses it)', async (t) => {
  const page = await newPage(t);
  await page.addInitScript(grantOnGesture);
  await page.goto(portalUrl('granted', elementPages.page.url('/task.html'), 'same-site'));
  let frame = await taskFrame(page);
  await frame.evaluate(() => {
    localStorage.removeItem('granted');
    window.accessAnswers = [];
    window.addEventListener('storageaccess', (e) => window.accessAnswers.push(e.detail), true);
  });
  assert.equal((await mountFramed(frame, 'task-granted')).storage, 'memory');
  await frame.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('Dog', 'Dog #1'), 1, 2, {});
    await el.flushDraft();
  });
  // A real click in the element: the user gesture the request needs.
  await frame.locator('avseg-editor').click({ position: { x: 20, y: 20 } });
  await frame.waitForFunction(() => window.accessAnswers.length > 0);
  assert.deepEqual(await frame.evaluate(() => window.accessAnswers), [{ granted: true }]);
  assert.equal(await frame.evaluate(() => document.querySelector('avseg-editor').draftStorage), 'storage-access');
  assert.deepEqual(await frame.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    return { line: el.shadowRoot.querySelector('.draft-where').textContent, memoryWarning: !el.shadowRoot.querySelector('.draft-memory').hidden };
  }), { line: 'Drafts: saved in this browser (storage access granted).', memoryWarning: false });
  await frame.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.value.tracks[0].id, 3, 4, {});
    await el.flushDraft();
  });
  await page.reload();
  frame = await taskFrame(page);
  // Granted before: asked again at once, no gesture needed, and the draft is back.
  assert.deepEqual(await mountFramed(frame, 'task-granted'), {
    storage: 'storage-access', line: 'Drafts: saved in this browser (storage access granted).', role: 'status', visible: true,
  });
  assert.deepEqual(await segmentsOf(frame), [[1, 2], [3, 4]]);
  await frame.evaluate(() => localStorage.removeItem('granted'));
});
