// SPDX-License-Identifier: MIT
// The local run on a comparison manifest (two clips spoken by espeak-ng at test time), in headless
// Chromium: the compare-audio template's page, an annotator refused with a missing judgement, then
// completing and submitting; the stored answer is the comparison document, checked field by field
// (its blind order and seed the ones drawn from the annotator and the task); another annotator gets
// another order; and a page from a fourth origin cannot read a clip's media.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, collectConsole } from './browser.mjs';
import { speak } from './compare-harness.mjs';
import { fixtures } from './harness.mjs';
import { startLabeling } from '../../scripts/label.mjs';
import { orderSeed, shuffledOrder } from '../../web/src/blind-order.js';

let browser, tmp, run, manifest;
const TASK = 'greeting-1';

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-compare-run-'));
  process.env.AVSEG_STATE_DIR = path.join(tmp, 'state'); // the run's secrets, never in the real home
  await mkdir(path.join(tmp, 'job'));
  await speak(path.join(tmp, 'job'), 'a.wav', 'en', 'The quick brown fox.');
  await speak(path.join(tmp, 'job'), 'b.wav', 'en+f3', 'The quick brown fox.', 0.3);
  manifest = path.join(tmp, 'job/compare.jsonl');
  await writeFile(manifest, `${JSON.stringify({ prompt: 'The quick <b>brown</b> fox.', id: TASK, clips: [{ 'source-ref': 'a.wav', system: 'tts-a' }, { 'source-ref': 'b.wav', system: 'tts-b' }] })}\n`);
  browser = await launchBrowser();
  run = await startLabeling({ manifest, output: path.join(tmp, 'out'), port: 0, workersPerItem: 2 });
});
after(async () => {
  await run?.close();
  await browser?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function openTask(t, worker) {
  const page = await browser.newPage();
  const log = collectConsole(page);
  t.after(async () => {
    if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
    await page.close();
  });
  await page.setViewportSize({ width: 1200, height: 1400 });
  await page.goto(`${run.url}task/0?worker=${encodeURIComponent(worker)}`);
  await page.waitForFunction(() => globalThis.avsegCompareTask?.ready);
  const opened = await page.evaluate(() => Promise.race([globalThis.avsegCompareTask.ready, new Promise((r) => { setTimeout(() => r('not within 60 s'), 60000); })]));
  assert.equal(opened, true, `the clips opened: ${opened} (${await page.locator('crowd-alert[data-avseg-alert]').textContent()})`);
  return page;
}
const shown = (page) => page.evaluate(() => {
  const el = document.querySelector('avseg-compare');
  return { order: el.order, seed: el.seed };
});
const expected = async (worker) => {
  const seed = await orderSeed(worker, TASK);
  return { seed, order: shuffledOrder(2, seed) };
};
const rate = (page, position, question, value) => page.locator('avseg-compare .compare-panel section.clip').nth(position).locator('.question.rating').nth(question).locator(`input[value="${value}"]`).click();

test('an annotator is refused with a missing judgement, then submits: the stored answer is the comparison document with the order drawn for them', async (t) => {
  const page = await openTask(t, 'ann1');
  const want = await expected('ann1');
  assert.deepEqual(await shown(page), want, 'the order and seed are those of the annotator and the task');
  // The prompt is shown as text.
  assert.equal(await page.locator('[data-avseg-prompt]').textContent(), 'The quick <b>brown</b> fox.');

  // A mark on the clip shown first, ratings on both.
  await page.evaluate(() => {
    const editor = document.querySelector('avseg-compare').editors[0];
    const track = editor.addTrack('issue', 'Mispronunciation');
    editor.addSegment(track.id ?? track, 0.2, 0.5, { text: 'fox' });
  });
  await rate(page, 0, 0, 4);
  await rate(page, 0, 1, 5);
  await rate(page, 1, 0, 2);
  await rate(page, 1, 1, 3);

  await page.click('crowd-button[form-action="submit"]');
  const alert = page.locator('crowd-alert[data-avseg-alert]');
  await alert.waitFor({ state: 'visible' });
  assert.match(await alert.textContent(), /Please fix these before submitting:\n• /);
  assert.deepEqual(run.store.workersOf(0), [], 'nothing was stored');

  // Shown B is slightly worse than shown A.
  await page.locator('avseg-compare .compare-panel section.judgement .question.cmos input[value="-1"]').click();
  await page.click('crowd-button[form-action="submit"]');
  await page.waitForURL(/\/next|\/task\//, { timeout: 10000 }).catch(() => {});
  for (let i = 0; i < 100 && !run.store.answerOf(0, 'ann1'); i++) await new Promise((r) => { setTimeout(r, 100); });
  const stored = run.store.answerOf(0, 'ann1');
  assert.ok(stored, 'the answer was stored');
  assert.deepEqual(Object.keys(stored.answerContent), ['comparison']);
  const doc = JSON.parse(stored.answerContent.comparison);
  assert.equal(doc.format, 'avseg-comparison');
  assert.equal(doc.version, 1);
  assert.equal(doc.prompt, 'The quick <b>brown</b> fox.');
  assert.equal(doc.taskId, TASK);
  assert.equal(doc.annotator, 'ann1');
  assert.equal(doc.blind, true);
  assert.equal(doc.seed, want.seed);
  assert.deepEqual(doc.order, want.order);
  const [first, second] = want.order; // manifest indexes shown as A and B
  assert.deepEqual(doc.clips.map((c) => c.system), ['tts-a', 'tts-b'], 'clips in manifest order');
  assert.deepEqual(doc.clips.map((c) => c.source), ['a.wav', 'b.wav'], 'each clip named by its media as the manifest gives it');
  assert.equal(doc.clips[first].shownAs, 'A');
  assert.equal(doc.clips[second].shownAs, 'B');
  assert.deepEqual(doc.clips[first].ratings, { naturalness: 4, pronunciation: 5 });
  assert.deepEqual(doc.clips[second].ratings, { naturalness: 2, pronunciation: 3 });
  assert.equal(doc.judgement.type, 'preference');
  assert.equal(doc.judgement.shownCmos, -1);
  assert.equal(doc.judgement.cmos, second === 1 ? -1 : 1, 'CMOS of the second manifest clip against the first');
  assert.equal(doc.judgement.preferred, first);
  assert.equal(doc.clips[first].annotation.segments.length, 1, 'the mark is on the clip it was made on');
  assert.equal(doc.clips[second].annotation.segments?.length ?? 0, 0);
  const rate0 = doc.clips[first].annotation.timebase.rate;
  assert.equal(doc.clips[first].annotation.segments[0].start, Math.round(0.2 * rate0));
  assert.ok(doc.timings.openedAt <= doc.timings.submittedAt);
  // No address of the run (its media token) is kept in the answer.
  assert.doesNotMatch(stored.answerContent.comparison, /http:\/\/127\.0\.0\.1/);
});

test('another annotator gets the order drawn for them, a different one for the same item', async (t) => {
  const a = await expected('ann1');
  // The first name after ann1 whose order differs (two clips: one in two names does).
  let name;
  for (let i = 2; !name; i++) if (JSON.stringify((await expected(`ann${i}`)).order) !== JSON.stringify(a.order)) name = `ann${i}`;
  const page = await openTask(t, name);
  const got = await shown(page);
  assert.deepEqual(got, await expected(name));
  assert.notDeepEqual(got.order, a.order);
});

test('a page from a fourth origin cannot read a comparison clip\'s media, even knowing its address', async (t) => {
  const page = await openTask(t, 'ann1');
  const urls = await page.locator('[data-avseg-clips] li').evaluateAll((lis) => lis.map((li) => li.dataset.src));
  assert.equal(urls.length, 2);
  for (const u of urls) assert.match(u, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/media\/[A-Za-z0-9_-]{16}\/media\.wav$/, "served under an opaque name keeping only the extension");
  const hostile = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
  await new Promise((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { hostile.closeAllConnections(); hostile.close(resolve); }));
  const other = await browser.newPage();
  t.after(() => other.close());
  await other.goto(`http://127.0.0.1:${hostile.address().port}/`);
  const results = await other.evaluate(async (list) => Promise.all(list.flatMap((url) => [{}, { mode: 'no-cors' }].map(async (init) => {
    try {
      const r = await fetch(url, init);
      return { type: r.type, status: r.status, body: await r.text() };
    } catch (err) {
      return { error: err.name };
    }
  }))), urls);
  for (const r of results) assert.ok(r.error === 'TypeError' || (r.type === 'opaque' && r.body === ''), `the hostile page read ${JSON.stringify(r)}`);
  // The run's own page reads them (the test would pass vacuously otherwise).
  const own = await page.evaluate(async (list) => Promise.all(list.map(async (u) => (await fetch(u)).status)), urls);
  assert.deepEqual(own, [200, 200]);
});

test('the preview (scripts/preview --template compare-audio) shows a comparison line and what submitting would send, writing nothing', async (t) => {
  const preview = await startLabeling({ manifest, template: 'compare-audio', preview: true, previewIndex: 0, port: 0 });
  t.after(() => preview.close());
  const page = await browser.newPage();
  t.after(() => page.close());
  await page.goto(preview.url);
  await page.waitForFunction(() => globalThis.avsegCompareTask?.ready);
  assert.equal(await page.evaluate(() => globalThis.avsegCompareTask.ready), true);
  for (const [position, question, value] of [[0, 0, 3], [0, 1, 3], [1, 0, 4], [1, 1, 4]]) await rate(page, position, question, value);
  await page.locator('avseg-compare .compare-panel section.judgement .question.cmos input[value="0"]').click();
  await page.click('crowd-button[form-action="submit"]');
  const shownAnswer = JSON.parse(await page.locator('#avseg-preview-output').textContent());
  const doc = JSON.parse(shownAnswer.comparison);
  assert.equal(doc.annotator, 'preview');
  assert.deepEqual(doc.judgement.cmos, 0);
  assert.deepEqual(doc.clips.map((c) => c.source), ['a.wav', 'b.wav']);
});

test('an answer whose comparison names other clips than the item (swapped systems, one clip left out) is refused and nothing is stored', async (t) => {
  const page = await openTask(t, 'ann-swap');
  const got = await page.evaluate(async () => {
    const url = document.querySelector('meta[name="avseg-submit"]').content;
    const doc = document.querySelector('avseg-compare').getComparison();
    const post = async (d) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: { comparison: JSON.stringify(d) } }) });
      return { status: r.status, body: await r.json() };
    };
    return { swapped: await post({ ...doc, clips: [...doc.clips].reverse() }), short: await post({ ...doc, clips: doc.clips.slice(1) }) };
  });
  for (const r of [got.swapped, got.short]) {
    assert.equal(r.status, 400);
    assert.match(r.body.error, /names the clips .* not this item.s \["clip-[\w-]+","clip-[\w-]+"\] \(in manifest order\), so this answer was not recorded/);
    assert.doesNotMatch(r.body.error, /tts-/, "the page is told tokens, not systems");
  }
  assert.ok(!run.store.answerOf(0, 'ann-swap'), 'nothing was stored');
});

test('the task page gets a fresh link of one comparison clip by its place (?clip=K), and is told to name one', async (t) => {
  const page = await openTask(t, 'ann1');
  const got = await page.evaluate(async () => {
    const endpoint = document.querySelector('meta[name="avseg-media-link"]').content;
    const ask = async (clip) => {
      const url = new URL(endpoint, location.href);
      if (clip !== undefined) url.searchParams.set('clip', String(clip));
      const r = await fetch(url, { method: 'POST' });
      return { status: r.status, body: await r.json() };
    };
    return { given: [...document.querySelectorAll('[data-avseg-clips] li')].map((li) => li.dataset.src), one: await ask(1), zero: await ask(0), none: await ask(), far: await ask(2), odd: await Promise.all(['', ' 1', '0x1', '1e0', '-1', '1.5', 'x'].map(ask)) };
  });
  assert.deepEqual([got.zero.status, got.zero.body.url], [200, got.given[0]]);
  assert.deepEqual([got.one.status, got.one.body.url], [200, got.given[1]]);
  for (const r of [got.none, got.far, ...got.odd]) {
    assert.equal(r.status, 400);
    assert.match(r.body.error, /is a comparison of 2 clips: name the clip with \?clip=0 to 1/);
  }
  // The page listens to each clip's editor for an expired link (template/local/fresh-links.js).
  assert.deepEqual(await page.evaluate(() => document.querySelector('avseg-compare').editors.map((e) => e.avsegFreshLinks === true)), [true, true]);
});

test('a comparison of two videos opens in the compare-video template, each clip a video', async (t) => {
  await copyFile(path.join(fixtures, 'dogs.webm'), path.join(tmp, 'job/v1.webm'));
  await copyFile(path.join(fixtures, 'frames-silent.webm'), path.join(tmp, 'job/v2.webm'));
  const videos = path.join(tmp, 'job/videos.jsonl');
  await writeFile(videos, `${JSON.stringify({ prompt: 'A dog walks in.', clips: [{ 'source-ref': 'v1.webm', system: 'gen-a' }, { 'source-ref': 'v2.webm', system: 'gen-b' }] })}\n`);
  const videoRun = await startLabeling({ manifest: videos, output: path.join(tmp, 'out-videos'), port: 0 });
  t.after(() => videoRun.close());
  const page = await browser.newPage();
  t.after(() => page.close());
  await page.goto(`${videoRun.url}task/0?worker=ann1`);
  await page.waitForFunction(() => globalThis.avsegCompareTask?.ready);
  const opened = await page.evaluate(() => Promise.race([globalThis.avsegCompareTask.ready, new Promise((r) => { setTimeout(() => r('not within 60 s'), 60000); })]));
  assert.equal(opened, true);
  assert.match(await page.content(), /Motion smoothness/);
  assert.deepEqual(await page.evaluate(() => document.querySelector('avseg-compare').editors.map((e) => e.shadowRoot.querySelector('video') !== null)), [true, true]);
});
