// SPDX-License-Identifier: MIT
// Drafts (IndexedDB autosave) on the real audio template in headless Chromium: deleted once the
// answer is accepted (the local stand-in's `avseg-accepted`, Ground Truth's submit going ahead),
// kept per job, never silently restored over a host's document it was not started from (but
// silently over the very one it was), one tab per task, and expiring.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, collectConsole } from './browser.mjs';
import { fixtures, root } from './harness.mjs';
import { startServers } from '../../scripts/lib/servers.mjs';
import { localize, renderTemplate } from '../../scripts/lib/labeling/render.mjs';
import { documentFingerprint } from '../../web/src/fingerprint.js';

const DAY = 86_400_000;
let browser, servers, submit, template;
let pageCount = 0;

/** The local run's answer endpoint on its own loopback origin: answers each POST with `submit.status`. */
async function startSubmitServer(pageOrigin) {
  const state = { status: 200, bodies: [] };
  const server = createServer((req, res) => {
    const cors = { 'access-control-allow-origin': pageOrigin, 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'POST' };
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      if (state.delay) await new Promise((resolve) => { setTimeout(resolve, state.delay); });
      state.bodies.push(JSON.parse(body));
      const ok = state.status < 300;
      res.writeHead(state.status, { ...cors, 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { next: state.next ?? null } : { error: 'the disk is full' }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${server.address().port}/api/submit`;
  state.close = () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); });
  return state;
}

before(async () => {
  await promisify(execFile)(path.join(root, 'tests/fixtures/make-media.sh'), [fixtures]);
  template = await readFile(path.join(root, 'template/audio.liquid.html'), 'utf8');
  servers = await startServers({
    pageRoot: path.join(root, 'template/local'), // the crowd stand-in, as the local run serves it
    assetRoot: path.join(root, 'dist'),
    mediaRoot: fixtures,
    pages: { '/done.html': '<!doctype html><meta charset="utf-8"><title>done</title><p>Submitted.</p>', '/gt-crowd.js': '' },
    csp: ({ page, assets, media }) => [
      "default-src 'none'", `script-src ${page} ${assets} 'wasm-unsafe-eval'`, `connect-src ${assets} ${media} ${submit.url}`,
      `media-src ${media}`, `worker-src blob: ${assets}`, "style-src 'self'", 'img-src data: blob:', "base-uri 'none'",
    ].join('; '),
  });
  submit = await startSubmitServer(servers.page.origin);
  submit.next = servers.page.url('/done.html');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await servers?.close();
  await submit?.close();
});

/**
 * Renders the audio template for `input` as the local run does, on a page of its own.
 * groundTruth: no stand-in (Ground Truth's crowd-form is not reachable here), so the form is an
 * unknown element that the test submits as Ground Truth's does, with a cancelable `submit`.
 */
async function taskUrl(input, { groundTruth = false, attributes = '' } = {}) {
  let html = await renderTemplate(template, input, { grant: (src) => servers.media.url(`/${src}`) });
  html = localize(html, { assetBase: servers.assets.origin, crowdElements: servers.page.url(groundTruth ? '/gt-crowd.js' : '/crowd-html-elements.js') });
  if (attributes) html = html.replace('<avseg-editor data-avseg-task', `<avseg-editor ${attributes} data-avseg-task`);
  const p = `/task-${++pageCount}.html`;
  servers.setPage(p, `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>task</title>
<meta name="avseg-submit" content="${submit.url}">
${html}`);
  return servers.page.url(p);
}

async function open(t, url, { wait = true, insecure = false } = {}) {
  const page = await browser.newPage();
  // As on a page over plain HTTP (the local run's LAN mode): no Web Locks, a secure context's API.
  if (insecure) await page.addInitScript(() => { Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true }); });
  const log = collectConsole(page);
  t.after(async () => {
    if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
    if (!page.isClosed()) await page.close();
  });
  await page.addInitScript(() => {
    window.heard = [];
    for (const type of ['restored', 'error', 'draftchoice']) {
      // Capturing: the element's `error` does not bubble.
      window.addEventListener(type, (e) => {
        if (e.target?.localName === 'avseg-editor') window.heard.push({ type, code: e.detail?.code, choice: e.detail?.choice, savedAt: e.detail?.savedAt });
      }, true);
    }
  });
  await page.goto(url);
  if (wait) await whenReady(page);
  return page;
}

const whenReady = (page) => page.waitForFunction(() => document.querySelector('avseg-editor')?.ready, undefined, { timeout: 20000 });
const value = (page) => page.evaluate(() => document.querySelector('avseg-editor').value);
const heard = (page, type) => page.evaluate((ty) => window.heard.filter((h) => h.type === ty), type);

/** Every draft in the page origin's IndexedDB, read straight from the store: [{key, text, savedAt, base?}]. */
function drafts(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('avseg');
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('drafts')) {
        db.close();
        return resolve([]);
      }
      const out = [];
      const cursor = db.transaction('drafts').objectStore('drafts').openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) { db.close(); return resolve(out); }
        out.push({ key: c.key, text: c.value.text, savedAt: c.value.savedAt, ...('base' in c.value ? { base: c.value.base } : {}) });
        c.continue();
      };
      cursor.onerror = () => reject(cursor.error);
    };
  }));
}

/** Puts a draft record as an earlier visit would have left it (used to age drafts). */
function putDraft(page, key, record) {
  return page.evaluate(([k, r]) => new Promise((resolve, reject) => {
    const req = indexedDB.open('avseg'); // opened by the page already, at the version it uses
    req.onsuccess = () => {
      const tx = req.result.transaction('drafts', 'readwrite');
      tx.objectStore('drafts').put(r, k);
      tx.oncomplete = () => { req.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }), [key, record]);
}

/** The drafts holding a segment with these words (each test writes words of its own). */
const withText = (list, words) => list.filter((d) => d.text.startsWith('{') && JSON.parse(d.text).segments?.some((s) => s.fields.text === words));

/** An annotator's work: a Customer turn with its text, and the two required whole-clip answers. */
function annotate(page, text, { flush = true } = {}) {
  return page.evaluate(async ([words, doFlush]) => {
    const el = document.querySelector('avseg-editor');
    const track = el.value.tracks[0]?.id ?? el.addTrack('speaker', 'Customer');
    el.addSegment(track, 0.3 + el.value.segments.length, 0.9 + el.value.segments.length, { text: words });
    el.setClassification('speechNonSpeech', 'Speech');
    el.setClassification('rate', 4);
    if (doFlush) await el.flushDraft();
  }, [text, flush]);
}
const texts = (doc) => doc.segments.map((s) => s.fields.text);

test('local run: a refused submit keeps the draft; once the server accepts the answer the draft is deleted', async (t) => {
  const job = 'accept-local';
  const url = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job });
  const page = await open(t, url);
  await annotate(page, 'hello');
  assert.equal(withText(await drafts(page), 'hello').length, 1, 'the edit is autosaved');

  submit.status = 500;
  await page.click('crowd-button[form-action="submit"]');
  await page.getByText('Not submitted (nothing is lost, try again): the disk is full').waitFor();
  assert.equal(withText(await drafts(page), 'hello').length, 1, 'a refused answer keeps its draft');

  // The last keystroke, not yet written when submitting, cannot bring the draft back either.
  await annotate(page, 'and the last words', { flush: false });
  submit.status = 200;
  await page.click('crowd-button[form-action="submit"]');
  await page.waitForURL(/\/done\.html$/);
  assert.deepEqual(texts(JSON.parse(submit.bodies.at(-1).answer.annotations)), ['hello', 'and the last words']);
  await new Promise((resolve) => { setTimeout(resolve, 500); });
  assert.deepEqual(withText(await drafts(page), 'hello'), [], 'the accepted answer\'s draft is gone');

  // Opening the task again starts from what the host gives, not from a stale draft.
  const again = await open(t, url);
  assert.deepEqual(await heard(again, 'restored'), []);
  assert.deepEqual(texts(await value(again)), []);
});

test('local run: what is typed while the answer is on its way keeps its draft once the answer is accepted', async (t) => {
  const url = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: 'typed-while-sending' });
  const page = await open(t, url);
  await annotate(page, 'submitted');
  submit.status = 200;
  submit.delay = 1000;
  t.after(() => { submit.delay = 0; });
  const sent = submit.bodies.length;
  await page.click('crowd-button[form-action="submit"]');
  await annotate(page, 'typed while sending', { flush: false });
  await page.waitForURL(/\/done\.html$/);
  assert.deepEqual(texts(JSON.parse(submit.bodies[sent].answer.annotations)), ['submitted']);
  await new Promise((resolve) => { setTimeout(resolve, 500); });
  assert.deepEqual(withText(await drafts(page), 'typed while sending').map((d) => texts(JSON.parse(d.text))), [['submitted', 'typed while sending']]);
});

test('Ground Truth: a prevented submit keeps the draft; a submit that goes ahead deletes it', async (t) => {
  const job = 'accept-gt';
  const page = await open(t, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job }, { groundTruth: true }));
  const submitAsGroundTruth = () => page.evaluate(() => {
    const e = new Event('submit', { cancelable: true });
    document.querySelector('crowd-form').dispatchEvent(e);
    return e.defaultPrevented;
  });
  await page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('speaker', 'Customer'), 0.3, 0.9, { text: 'unfinished' });
    await el.flushDraft();
  });
  assert.equal(await submitAsGroundTruth(), true, 'the required answers are missing: submit is blocked');
  await new Promise((resolve) => { setTimeout(resolve, 300); });
  assert.equal(withText(await drafts(page), 'unfinished').length, 1, 'a blocked submit keeps the draft');

  await annotate(page, 'done', { flush: false });
  assert.equal(await submitAsGroundTruth(), false);
  await page.waitForFunction(() => document.querySelector('input[name="annotations"]').value !== '');
  await new Promise((resolve) => { setTimeout(resolve, 500); });
  assert.deepEqual(withText(await drafts(page), 'unfinished'), []);
});

test('Ground Truth: a submit fired by the browser that a later listener prevents keeps the draft', async (t) => {
  const page = await open(t, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: 'accept-gt-native' }, { groundTruth: true }));
  await annotate(page, 'natively submitted');
  await page.evaluate(() => {
    // A real form inside crowd-form, its submit button clicked: the browser fires `submit` (running
    // microtasks between listeners), and a listener further up prevents it.
    const form = document.createElement('form');
    const button = document.createElement('button');
    button.type = 'submit';
    button.id = 'native-submit';
    button.textContent = 'Submit';
    form.append(button);
    document.querySelector('crowd-form').append(form);
    window.addEventListener('submit', (e) => e.preventDefault());
  });
  await page.click('#native-submit');
  await page.waitForFunction(() => document.querySelector('input[name="annotations"]').value !== '');
  await new Promise((resolve) => { setTimeout(resolve, 500); });
  assert.equal(withText(await drafts(page), 'natively submitted').length, 1, 'the prevented submit kept its draft');
});

test('an edit made while the draft is being deleted is saved after the deletion', async (t) => {
  const page = await open(t, servers.page.url('/done.html'), { wait: false });
  const left = await page.evaluate(async (assets) => {
    const { DraftWriter, loadDraft } = await import(`${assets}/autosave.js`);
    const key = 'delete-race-test';
    const writer = new DraftWriter(key);
    await writer.save(() => 'first');
    writer.save(() => 'in flight when the answer was accepted');
    const deleted = writer.delete();
    const typed = writer.save(() => 'typed during the deletion');
    await deleted;
    await typed;
    await writer.flush();
    return (await loadDraft(key))?.text;
  }, servers.assets.origin);
  assert.equal(left, 'typed during the deletion');
});

test('a draft the editor cannot load is not dropped in silence', async (t) => {
  const url = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: 'unreadable' });
  const first = await open(t, url);
  await putDraft(first, `job:unreadable\u0000item:${documentFingerprint({ 'source-ref': 'chirp.wav', avsegJob: 'unreadable' })}\u0000chirp.wav\u0000${servers.media.url('/chirp.wav')}`,
    { text: JSON.stringify({ format: 'avseg.annotation', version: 99 }), savedAt: Date.now() - 60_000 });
  await first.close();
  const page = await open(t, url);
  assert.deepEqual((await heard(page, 'error')).map((e) => e.code), ['draft-unreadable']);
  assert.match(await page.locator('avseg-editor >> css=.error').textContent(), /^Your unsaved draft from .+ could not be restored \(.+\); the next change replaces it\.$/);
  assert.deepEqual(await heard(page, 'restored'), []);
});

test('a write waiting for a pause in the edits is dropped when the draft is deleted', async (t) => {
  const page = await open(t, servers.page.url('/done.html'), { wait: false });
  const left = await page.evaluate(async (assets) => {
    const { DraftWriter, loadDraft } = await import(`${assets}/autosave.js`);
    const key = 'debounce-test';
    const writer = new DraftWriter(key);
    // Serialising takes 20 ms: the writer then waits for a pause (DraftWriter.IDLE_MS) before writing.
    const slow = (text) => () => { const t0 = performance.now(); while (performance.now() - t0 < 20); return text; };
    await writer.save(slow('first'));
    const stored = (await loadDraft(key))?.text;
    writer.save(slow('typed just before submitting'));
    await writer.delete();
    await new Promise((resolve) => { setTimeout(resolve, DraftWriter.IDLE_MS * 3); });
    return { stored, after: await loadDraft(key) };
  }, servers.assets.origin);
  assert.equal(left.stored, 'first');
  assert.equal(left.after, undefined, 'the waiting write did not re-create the draft');
});

test('drafts saved before expiry existed (database version 1) are still found, and expire', async (t) => {
  // A page on an origin of its own, whose browser has only the first version's database.
  const page = await open(t, servers.assets.url('/autosave.js'), { wait: false });
  const out = await page.evaluate(async () => {
    await new Promise((resolve, reject) => {
      const req = indexedDB.open('avseg', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('drafts');
      req.onsuccess = () => {
        const tx = req.result.transaction('drafts', 'readwrite');
        tx.objectStore('drafts').put({ text: 'kept', savedAt: Date.now() - 86_400_000 }, 'recent');
        tx.objectStore('drafts').put({ text: 'old', savedAt: Date.now() - 40 * 86_400_000 }, 'old');
        tx.oncomplete = () => { req.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    });
    const { loadDraft, sweepDrafts } = await import('/autosave.js');
    const swept = await sweepDrafts(Date.now(), Date.now() - 30 * 86_400_000);
    return { swept, recent: await loadDraft('recent'), old: await loadDraft('old') };
  });
  assert.equal(out.swept, 1);
  assert.equal(out.recent.text, 'kept');
  assert.equal(out.old, undefined);
});

test('drafts are kept per job: a later job on the same media starts clean; without a job they are kept per task and media', async (t) => {
  const first = await open(t, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: 'first-pass' }));
  await annotate(first, 'first pass');
  await first.close();

  const second = await open(t, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: 'second-pass' }));
  assert.deepEqual(await heard(second, 'restored'), [], 'the first job\'s draft is not restored');
  assert.deepEqual(texts(await value(second)), []);
  await annotate(second, 'second pass');
  const all = await drafts(second);
  assert.equal(withText(all, 'first pass').length, 1, 'the first job\'s draft is left alone');
  assert.equal(withText(all, 'second pass').length, 1);
  await second.close();

  const back = await open(t, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: 'first-pass' }));
  assert.equal((await heard(back, 'restored')).length, 1);
  assert.deepEqual(texts(await value(back)), ['first pass']);
  await back.close();

  // No job named (an older Lambda, a hand-made task input): still autosaved and restored.
  const plain = await taskUrl({ 'source-ref': 'chirp.wav', transcription: 'no job here' });
  const noJob = await open(t, plain);
  await annotate(noJob, 'no job');
  const item = documentFingerprint({ 'source-ref': 'chirp.wav', transcription: 'no job here' });
  assert.ok((await drafts(noJob)).some((d) => d.key === `item:${item}\u0000chirp.wav\u0000${servers.media.url('/chirp.wav')}`), 'keyed by task input and media alone');
  await noJob.close();
  const noJobAgain = await open(t, plain);
  assert.deepEqual(texts(await value(noJobAgain)), ['no job']);
});

test('two lines of one job on the same media keep drafts of their own', async (t) => {
  const lineA = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: 'same-media', prompt: 'Who is speaking?' });
  const lineB = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: 'same-media', prompt: 'Is there music?' });
  const a = await open(t, lineA);
  await annotate(a, 'answer to line A');
  await a.close();
  const b = await open(t, lineB);
  assert.deepEqual(await heard(b, 'restored'), [], 'line A\'s draft is not restored into line B');
  assert.deepEqual(texts(await value(b)), []);
  await annotate(b, 'answer to line B');
  assert.equal(withText(await drafts(b), 'answer to line A').length, 1, 'line B did not overwrite line A\'s draft');
  await b.close();
  const again = await open(t, lineA);
  assert.deepEqual(texts(await value(again)), ['answer to line A']);
});

const ANSWER = (text) => ({
  format: 'avseg.annotation', version: 1,
  tracks: [{ id: 't1', category: 'speaker', tag: 'Customer' }],
  segments: [{ id: 's1', track: 't1', start: 4800, end: 24000, fields: { text } }],
  classifications: { speechNonSpeech: 'Speech', rate: 5 },
});

test('a draft older than the saved answer is not restored over it: the annotator sees both times and chooses', async (t) => {
  const job = 'choose-older';
  // A draft left by an earlier visit, then answered elsewhere: the answer is newer.
  const draftPage = await open(t, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job }));
  await annotate(draftPage, 'from my draft');
  const [draft] = withText(await drafts(draftPage), 'from my draft');
  const draftAt = Date.now() - 2 * DAY;
  await putDraft(draftPage, draft.key, { text: draft.text, savedAt: draftAt, base: draft.base });
  await draftPage.close();
  const answeredAt = new Date(Date.now() - DAY).toISOString();

  const url = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job, preAnnotations: ANSWER('from the answer'), preAnnotationsTime: answeredAt });
  const page = await open(t, url);
  const box = page.locator('avseg-editor >> css=.draft-box');
  await box.waitFor({ state: 'visible' });
  // The host's answer is what the editor shows until the annotator chooses, and the draft is kept.
  assert.deepEqual(texts(await value(page)), ['from the answer']);
  assert.deepEqual(await heard(page, 'restored'), []);
  const times = await page.evaluate(([d, a]) => [new Date(d).toLocaleString(), new Date(a).toLocaleString()], [draftAt, answeredAt]);
  assert.equal(await box.locator('button[data-choice="draft"]').textContent(), `Your unsaved draft from ${times[0]}`);
  assert.equal(await box.locator('button[data-choice="host"]').textContent(), `The saved answer from ${times[1]} (newer)`);
  assert.equal(await box.getAttribute('role'), 'group');
  assert.match(await page.locator(`avseg-editor >> css=#${await box.getAttribute('aria-labelledby')}`).textContent(), /Which one do you want to continue from\?/);

  // Editing before choosing does not touch the stored draft.
  await page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    el.setClassification('rate', 2);
    await el.flushDraft();
  });
  assert.deepEqual(withText(await drafts(page), 'from my draft'), [{ key: draft.key, text: draft.text, savedAt: draftAt, base: draft.base }]);

  // Submitting before choosing would drop the draft unseen: refused, saying why.
  const sent = submit.bodies.length;
  await page.click('crowd-button[form-action="submit"]');
  await page.getByText('Choose between your unsaved draft and the saved answer (above the waveform) before submitting.').waitFor();
  assert.equal(submit.bodies.length, sent, 'nothing was sent');
  assert.equal(withText(await drafts(page), 'from my draft').length, 1);

  // Choosing the draft brings it back (Discard it, in the notice, goes back to the answer).
  await box.locator('button[data-choice="draft"]').press('Enter');
  await page.waitForFunction(() => document.querySelector('avseg-editor').value.segments[0]?.fields.text === 'from my draft');
  assert.equal(await box.isVisible(), false);
  assert.deepEqual((await heard(page, 'draftchoice')).map((h) => h.choice), ['draft']);
  assert.equal(await page.locator('crowd-alert[data-avseg-alert]').isVisible(), false, 'the message goes once chosen');
  assert.match(await page.locator('avseg-editor >> css=.notice').first().textContent(), /Restored your unsaved work/);
  await page.evaluate(() => document.querySelector('avseg-editor').flushDraft());
  await page.close();

  // Chosen over this very answer, the draft is not asked about again while the answer stays the same.
  const same = await open(t, url);
  assert.deepEqual(texts(await value(same)), ['from my draft']);
  assert.equal((await heard(same, 'restored')).length, 1);
  assert.equal(await same.locator('avseg-editor >> css=.draft-box').isVisible(), false);
  const [kept] = withText(await drafts(same), 'from my draft');
  assert.equal(kept.savedAt, draftAt, 'the draft keeps its own time');
  await same.close();

  // A later answer: asked again; choosing the answer deletes the draft and keeps the answer.
  const later = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job, preAnnotations: ANSWER('from a later answer'), preAnnotationsTime: new Date().toISOString() });
  const again = await open(t, later);
  const box2 = again.locator('avseg-editor >> css=.draft-box');
  await box2.waitFor({ state: 'visible' });
  assert.match(await box2.locator('button[data-choice="host"]').textContent(), /^The saved answer from .+ \(newer\)$/);
  await box2.locator('button[data-choice="host"]').click();
  await again.waitForFunction(() => window.heard.some((h) => h.type === 'draftchoice'));
  assert.deepEqual(texts(await value(again)), ['from a later answer']);
  assert.deepEqual(withText(await drafts(again), 'from my draft'), []);
  // From then on, edits are autosaved as usual.
  await annotate(again, 'more');
  assert.deepEqual(withText(await drafts(again), 'more').map((d) => texts(JSON.parse(d.text))), [['from a later answer', 'more']]);
});

test('a draft newer than the answer, or beside pre-annotations of unknown age, is not restored silently either', async (t) => {
  const job = 'choose-newer';
  const draftPage = await open(t, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job }));
  await annotate(draftPage, 'newer draft');
  await draftPage.close();

  const older = new Date(Date.now() - DAY).toISOString();
  const page = await open(t, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job, preAnnotations: ANSWER('older answer'), preAnnotationsTime: older }));
  const box = page.locator('avseg-editor >> css=.draft-box');
  await box.waitFor({ state: 'visible' });
  assert.deepEqual(texts(await value(page)), ['older answer']);
  assert.match(await box.locator('button[data-choice="draft"]').textContent(), /^Your unsaved draft from .+ \(newer\)$/);
  await page.close();

  const unknown = await open(t, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job, preAnnotations: ANSWER('a model\'s pre-annotations') }));
  const box2 = unknown.locator('avseg-editor >> css=.draft-box');
  await box2.waitFor({ state: 'visible' });
  assert.deepEqual(texts(await value(unknown)), ['a model\'s pre-annotations']);
  assert.equal(await box2.locator('button[data-choice="host"]').textContent(), 'The annotations the task came with (their time is not known)');
  assert.equal(withText(await drafts(unknown), 'newer draft').length, 1, 'nothing is lost until the annotator chooses');
});

/** The same document with every object's keys in reverse order (as another serialiser may write it). */
const reordered = (v) => (Array.isArray(v) ? v.map(reordered)
  : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reordered(x)])) : v);

test('Ground Truth: a draft started from the task\'s pre-annotations comes back silently while they stay the same, and is asked about once they change', async (t) => {
  const job = 'pre-fingerprint';
  const model = ANSWER('from the model');
  const url = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job, preAnnotations: model }, { groundTruth: true });
  const first = await open(t, url);
  await annotate(first, 'reviewed');
  const [draft] = withText(await drafts(first), 'reviewed');
  assert.match(draft.base?.doc ?? '', /^v1:[0-9a-f]{16}$/, 'the draft records the pre-annotations it started from');
  assert.equal(draft.base.time, null, 'pre-annotations without a time');
  await first.close();

  // Reloaded with the same pre-annotations (their keys in another order): no question, the usual notice.
  for (const again of [url, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job, preAnnotations: reordered(model) }, { groundTruth: true })]) {
    const page = await open(t, again);
    assert.deepEqual(texts(await value(page)), ['from the model', 'reviewed']);
    assert.equal((await heard(page, 'restored')).length, 1);
    assert.equal(await page.locator('avseg-editor >> css=.draft-box').isVisible(), false, 'no chooser');
    assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').draftChoicePending), false);
    const notice = page.locator('avseg-editor >> css=.notice:not(.draft-box)');
    assert.match(await notice.textContent(), /Restored your unsaved work from/);
    await page.close();
  }

  // Other pre-annotations (the model ran again): asked, with what is known of both times.
  const changed = await open(t, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job, preAnnotations: ANSWER('from the model, run again') }, { groundTruth: true }));
  const box = changed.locator('avseg-editor >> css=.draft-box');
  await box.waitFor({ state: 'visible' });
  assert.deepEqual(texts(await value(changed)), ['from the model, run again']);
  assert.deepEqual(await heard(changed, 'restored'), []);
  assert.match(await box.textContent(), /Your draft was started from other annotations\./);
  assert.match(await box.locator('button[data-choice="draft"]').textContent(), /^Your unsaved draft from [^()]+$/);
  assert.equal(await box.locator('button[data-choice="host"]').textContent(), 'The annotations the task came with (their time is not known)');
  assert.equal(withText(await drafts(changed), 'reviewed').length, 1, 'nothing is lost until the annotator chooses');
  await changed.close();

  // Back on the first pre-annotations, Discard it in the notice goes back to them and deletes the draft.
  const back = await open(t, url);
  assert.deepEqual(texts(await value(back)), ['from the model', 'reviewed']);
  await back.locator('avseg-editor >> css=.notice .discard').click();
  await back.waitForFunction(() => document.querySelector('avseg-editor').value.segments.length === 1);
  assert.deepEqual(texts(await value(back)), ['from the model']);
  assert.deepEqual(withText(await drafts(back), 'reviewed'), []);
});

test('a draft saved before drafts recorded their starting document is asked about, even beside the same pre-annotations', async (t) => {
  const job = 'pre-legacy';
  const url = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job, preAnnotations: ANSWER('from the model') }, { groundTruth: true });
  const first = await open(t, url);
  await annotate(first, 'older editor');
  const [draft] = withText(await drafts(first), 'older editor');
  // As the previous version stored it: the same database and store, no `base`.
  await putDraft(first, draft.key, { text: draft.text, savedAt: draft.savedAt });
  await first.close();

  const page = await open(t, url);
  const box = page.locator('avseg-editor >> css=.draft-box');
  await box.waitFor({ state: 'visible' });
  assert.deepEqual(texts(await value(page)), ['from the model']);
  assert.doesNotMatch(await box.textContent(), /was started from/);
  assert.equal(withText(await drafts(page), 'older editor').length, 1);
});

test('a second tab on the same task is told so and cannot overwrite the first tab\'s draft', async (t) => {
  const job = 'two-tabs';
  const url = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job });
  const first = await open(t, url);
  await annotate(first, 'first tab');

  const second = await open(t, url); // the same browser context: the same IndexedDB, the same locks
  const message = second.locator('avseg-editor >> css=.draft-box');
  await message.waitFor({ state: 'visible' });
  assert.match(await message.textContent(), /open in another tab or window of this browser.*not saved as a draft/);
  assert.equal(await message.locator('[role="alert"]').count(), 1);
  assert.deepEqual((await heard(second, 'error')).map((e) => e.code), ['draft-in-other-tab']);
  assert.deepEqual(await heard(second, 'restored'), []);
  await annotate(second, 'second tab');
  const stored = () => drafts(first).then((list) => withText(list, 'first tab').map((d) => texts(JSON.parse(d.text))));
  assert.deepEqual(await stored(), [['first tab']], 'the second tab wrote nothing');

  // Its answer accepted, the second tab still leaves the first tab's draft alone.
  await second.click('crowd-button[form-action="submit"]');
  await second.waitForURL(/\/done\.html$/);
  assert.deepEqual(await stored(), [['first tab']]);

  // The first tab goes on saving.
  await annotate(first, 'still first');
  assert.deepEqual(await stored(), [['first tab', 'still first']]);

  // Once the first tab is closed, a tab opened on the task takes it over, draft and all.
  await first.close();
  const third = await open(t, url);
  assert.deepEqual(texts(await value(third)), ['first tab', 'still first']);
  assert.equal(await third.locator('avseg-editor >> css=.draft-box').isVisible(), false);
});

test('without Web Locks (a page over plain HTTP, as in LAN mode) a second tab is still told so and cannot overwrite the first', async (t) => {
  const url = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: 'two-tabs-plain-http' });
  const first = await open(t, url, { insecure: true });
  assert.equal(await first.evaluate(() => navigator.locks), undefined);
  await annotate(first, 'first plain tab');

  const second = await open(t, url, { insecure: true });
  await second.locator('avseg-editor >> css=.draft-box').waitFor({ state: 'visible' });
  assert.deepEqual((await heard(second, 'error')).map((e) => e.code), ['draft-in-other-tab']);
  await annotate(second, 'second plain tab');
  const stored = () => drafts(first).then((list) => withText(list, 'first plain tab').map((d) => texts(JSON.parse(d.text))));
  assert.deepEqual(await stored(), [['first plain tab']], 'the second tab wrote nothing');
  await annotate(first, 'still first');
  assert.deepEqual(await stored(), [['first plain tab', 'still first']]);

  // Once the first tab is closed (or reloaded), the task is taken over, draft and all.
  await first.reload();
  await whenReady(first);
  assert.deepEqual(texts(await value(first)), ['first plain tab', 'still first']);
  assert.equal(await first.locator('avseg-editor >> css=.draft-box').isVisible(), false);
  await second.close();
  await first.close();
  const third = await open(t, url, { insecure: true });
  assert.deepEqual(texts(await value(third)), ['first plain tab', 'still first']);
  assert.deepEqual(await heard(third, 'error'), []);
});

test('drafts expire: after 30 days by default, or the draft-days attribute; expired drafts are swept when a task opens', async (t) => {
  const job = 'expiry';
  const url = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: job });
  const page = await open(t, url);
  await annotate(page, 'a month ago');
  const [draft] = withText(await drafts(page), 'a month ago');
  await putDraft(page, draft.key, { text: draft.text, savedAt: Date.now() - 31 * DAY });
  // Drafts of other tasks: one past its time, one not.
  await putDraft(page, 'job:elsewhere\u0000old', { text: draft.text, savedAt: Date.now() - 40 * DAY });
  await putDraft(page, 'job:elsewhere\u0000recent', { text: draft.text, savedAt: Date.now() - 3 * DAY });
  await page.close();

  const again = await open(t, url);
  assert.deepEqual(await heard(again, 'restored'), [], 'an expired draft is not restored');
  assert.deepEqual(texts(await value(again)), []);
  const keys = (await drafts(again)).map((d) => d.key);
  assert.ok(!keys.includes(draft.key) && !keys.includes('job:elsewhere\u0000old'), `expired drafts are deleted: ${JSON.stringify(keys)}`);
  assert.ok(keys.includes('job:elsewhere\u0000recent'));

  // Each draft expires by its own job's rule: one kept 90 days stays at 40 days old; one kept an
  // hour is swept after an hour.
  await putDraft(again, 'job:long\u0000kept', { text: draft.text, savedAt: Date.now() - 40 * DAY, expiresAt: Date.now() + 50 * DAY });
  await putDraft(again, 'job:brief\u0000gone', { text: draft.text, savedAt: Date.now() - 7_200_000, expiresAt: Date.now() - 3_600_000 });
  // A job that keeps drafts 2 days: its own 3-day-old draft is not restored, but another job's
  // drafts keep their own expiry.
  const shortUrl = await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: 'short' }, { attributes: 'draft-days="2"' });
  const shortKey = `job:short\u0000item:${documentFingerprint({ 'source-ref': 'chirp.wav', avsegJob: 'short' })}\u0000chirp.wav\u0000${servers.media.url('/chirp.wav')}`;
  await putDraft(again, shortKey, { text: draft.text, savedAt: Date.now() - 3 * DAY, expiresAt: Date.now() + 27 * DAY });
  await again.close();
  const short = await open(t, shortUrl);
  assert.deepEqual(await heard(short, 'restored'), [], 'its own draft is past this job\'s two days');
  assert.deepEqual(texts(await value(short)), []);
  const left = (await drafts(short)).map((d) => d.key);
  assert.ok(!left.includes(shortKey) && !left.includes('job:brief\u0000gone'), JSON.stringify(left));
  assert.ok(left.includes('job:elsewhere\u0000recent') && left.includes('job:long\u0000kept'), `other jobs' drafts are kept: ${JSON.stringify(left)}`);
  // What it saves expires two days after each save.
  await annotate(short, 'kept two days');
  const [saved] = await short.evaluate(() => new Promise((resolve) => {
    const req = indexedDB.open('avseg');
    req.onsuccess = () => {
      const all = req.result.transaction('drafts').objectStore('drafts').getAll();
      all.onsuccess = () => { req.result.close(); resolve(all.result.filter((r) => r.text.includes('kept two days'))); };
    };
  }));
  assert.equal(saved.expiresAt - saved.savedAt, 2 * DAY);
  // A bad value is named and the default kept.
  const bad = await open(t, await taskUrl({ 'source-ref': 'chirp.wav', avsegJob: 'bad' }, { attributes: 'draft-days="soon"' }));
  assert.deepEqual((await heard(bad, 'error')).map((e) => e.code), ['invalid-draft-days']);
  assert.match(await bad.locator('avseg-editor >> css=.error').textContent(), /draft-days must be a positive number of days \(got "soon"\): drafts are kept 30 days/);
});

/** A real `scripts/label.mjs` run; resolves once it prints its address. */
function startRun(args) {
  // The run's secrets go beside its manifest (a temporary folder), not to the home's state folder.
  const env = { ...process.env, AVSEG_STATE_DIR: process.env.AVSEG_STATE_DIR ?? path.join(path.dirname(args[0]), 'state') };
  const child = spawn(process.execPath, [path.join(root, 'scripts/label.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`label.mjs exited (${code}): ${out}`)));
  });
}

/** The draft the local run keeps for this page's annotator and item (the element's host store): [draft] or []. */
function runDrafts(page) {
  return page.evaluate(async () => {
    const { draft } = await (await fetch(document.querySelector('meta[name="avseg-draft-store"]').content)).json();
    return draft ? [draft] : [];
  });
}

test('the local run: the submitted item\'s draft is gone; a later draft beside its answer is offered with the answer\'s time', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-drafts-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await copyFile(path.join(fixtures, 'chirp.wav'), path.join(dir, 'chirp.wav'));
  await writeFile(path.join(dir, 'calls.jsonl'), `${JSON.stringify({ 'source-ref': 'chirp.wav' })}\n`);
  const run = await startRun([path.join(dir, 'calls.jsonl'), '--output', path.join(dir, 'out'), '--job', 'drafts-e2e', '--port', '18740']);
  t.after(() => { run.child.kill('SIGKILL'); });

  const page = await open(t, run.url, { wait: false });
  await page.fill('input[name="worker"]', 'Grace');
  await page.click('button[type="submit"]');
  await whenReady(page);
  const taskPage = page.url();
  await annotate(page, 'run draft');
  // The run keeps the page's drafts (its draftStore), not the browser.
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').draftStorage), 'host');
  assert.equal(withText(await runDrafts(page), 'run draft').length, 1);
  assert.deepEqual(withText(await drafts(page), 'run draft'), []);
  await page.click('crowd-button[form-action="submit"]');
  await page.getByText('All done, Grace').waitFor();
  await page.goto(taskPage);
  await whenReady(page);
  assert.deepEqual(withText(await runDrafts(page), 'run draft'), [], 'deleted once the run stored the answer');

  // Reopened, the item shows its answer with no question; edited on top of it and reloaded, the
  // draft comes back silently: it started from exactly this answer (and its preAnnotationsTime).
  await page.goto(taskPage);
  await whenReady(page);
  assert.deepEqual(texts(await value(page)), ['run draft']);
  assert.equal(await page.locator('avseg-editor >> css=.draft-box').isVisible(), false);
  await annotate(page, 'edited later');
  const [onAnswer] = withText(await runDrafts(page), 'edited later');
  assert.ok(Number.isFinite(onAnswer.base?.time), 'the answer\'s time is recorded with the draft');
  for (let i = 0; i < 2; i++) {
    await page.reload();
    await whenReady(page);
    assert.deepEqual(texts(await value(page)), ['run draft', 'edited later']);
    assert.equal(await page.locator('avseg-editor >> css=.draft-box').isVisible(), false, 'no chooser');
    assert.match(await page.locator('avseg-editor >> css=.notice:not(.draft-box)').textContent(), /Restored your unsaved work/);
  }

  // A later answer stored meanwhile (sent from another browser), and this draft written to the run
  // after it (an edit that was on its way): the draft predates the answer, so both are offered
  // with their times. (A draft written before the answer was stored goes with it.)
  const status = await page.evaluate(async () => {
    const doc = JSON.parse(JSON.stringify(document.querySelector('avseg-editor').value));
    doc.segments = doc.segments.slice(0, 1);
    doc.segments[0].fields.text = 'sent from elsewhere';
    const response = await fetch(document.querySelector('meta[name="avseg-submit"]').content, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: { annotations: JSON.stringify(doc) } }),
    });
    return response.status;
  });
  assert.equal(status, 200);
  assert.deepEqual(await runDrafts(page), [], 'the run took the draft with the answer');
  assert.equal(await page.evaluate(async (draft) => (await fetch(document.querySelector('meta[name="avseg-draft-store"]').content, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ draft }),
  })).status, onAnswer), 204);
  await page.reload();
  await whenReady(page);
  const box = page.locator('avseg-editor >> css=.draft-box');
  await box.waitFor({ state: 'visible' });
  assert.deepEqual(texts(await value(page)), ['sent from elsewhere']);
  // The run passes the answer's submission time (preAnnotationsTime).
  assert.match(await box.locator('button[data-choice="host"]').textContent(), /^The saved answer from .*\d{1,2}:\d{2}:\d{2}.* \(newer\)$/);
  assert.match(await box.locator('button[data-choice="draft"]').textContent(), /^Your unsaved draft from [^()]*\d{1,2}:\d{2}:\d{2}[^()]*$/);
  await box.locator('button[data-choice="draft"]').click();
  await page.waitForFunction(() => document.querySelector('avseg-editor').value.segments.length === 2);
  assert.deepEqual(texts(await value(page)), ['run draft', 'edited later']);
});
