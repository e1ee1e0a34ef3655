// SPDX-License-Identifier: MIT
// The local run on a comparison (two clips spoken by espeak-ng at test time), in headless Chromium:
// an answered comparison opened again shows its answer (the order, the marks, the ratings, the CMOS
// and the reason) and a change resubmitted is stored; restore() refuses a document of other clips
// and changes nothing; a manifest "seed" fixes the order for every annotator; a bad one is refused
// with its line number.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, collectConsole } from './browser.mjs';
import { speak } from './compare-harness.mjs';
import { startLabeling } from '../../scripts/label.mjs';
import { orderSeed, shuffledOrder } from '../../web/src/blind-order.js';
import { parseComparisonManifestLine } from '../../web/src/comparison-doc.js';

let browser, tmp;
const TASK = 'reopen-1';
const SEEDED = 'seeded-1';
const SEED = '9e3779b97f4a7c15';
const clipsOf = () => [{ 'source-ref': 'a.wav', system: 'tts-a' }, { 'source-ref': 'b.wav', system: 'tts-b' }];

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-compare-reopen-'));
  process.env.AVSEG_STATE_DIR = path.join(tmp, 'state');
  await mkdir(path.join(tmp, 'job'));
  await speak(path.join(tmp, 'job'), 'a.wav', 'en', 'The quick brown fox.');
  await speak(path.join(tmp, 'job'), 'b.wav', 'en+f3', 'The quick brown fox.', 0.3);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function startRun(t, name, lines) {
  const manifest = path.join(tmp, `job/${name}.jsonl`);
  await writeFile(manifest, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const run = await startLabeling({ manifest, output: path.join(tmp, `out-${name}`), port: 0, workersPerItem: 3 });
  t.after(() => run.close());
  return run;
}

async function openTask(t, run, worker, within = browser) {
  const page = await within.newPage();
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
const state = (page) => page.evaluate(() => {
  const el = document.querySelector('avseg-compare');
  const panel = el.shadowRoot.querySelector('.compare-panel');
  return {
    order: el.order,
    seed: el.seed,
    segments: el.editors.map((e) => (e.value.segments ?? []).map((s) => ({ start: s.start, end: s.end, fields: s.fields }))),
    panel: el.panelValue,
    // What the annotator sees: the radios checked and the reason written.
    checked: [...panel.querySelectorAll('input[type="radio"]:checked')].map((r) => r.value),
    reason: panel.querySelector('textarea')?.value ?? null,
  };
});
const rate = (page, position, question, value) => page.locator('avseg-compare .compare-panel section.clip').nth(position).locator('.question.rating').nth(question).locator(`input[value="${value}"]`).click();
const cmos = (page, value) => page.locator(`avseg-compare .compare-panel section.judgement .question.cmos input[value="${value}"]`).click();

async function submitAndWait(page, run, worker, previousTime) {
  await page.click('crowd-button[form-action="submit"]');
  for (let i = 0; i < 100; i++) {
    const stored = run.store.answerOf(0, worker);
    if (stored && stored.submissionTime !== previousTime) return stored;
    await new Promise((r) => { setTimeout(r, 100); });
  }
  assert.fail(`no answer stored (${await page.locator('crowd-alert[data-avseg-alert]').textContent()})`);
}

test('an answered comparison opened again shows its order, marks, ratings, CMOS and reason; a changed rating resubmitted is stored', async (t) => {
  const run = await startRun(t, 'reopen', [{ prompt: 'The quick brown fox.', id: TASK, clips: clipsOf() }]);
  const page = await openTask(t, run, 'ann1');
  await page.evaluate(() => {
    const editor = document.querySelector('avseg-compare').editors[1];
    const track = editor.addTrack('issue', 'Mispronunciation');
    editor.addSegment(track.id ?? track, 0.25, 0.6, { text: 'brown' });
  });
  for (const [position, question, value] of [[0, 0, 4], [0, 1, 5], [1, 0, 2], [1, 1, 3]]) await rate(page, position, question, value);
  await cmos(page, -2);
  await page.locator('avseg-compare .compare-panel textarea').fill('B mispronounces "brown".');
  const answered = await state(page);
  const first = await submitAndWait(page, run, 'ann1', undefined);
  const doc1 = JSON.parse(first.answerContent.comparison);
  assert.equal(doc1.judgement.shownCmos, -2);
  assert.equal(doc1.judgement.reason, 'B mispronounces "brown".');

  // Opened again in another browser (no draft of it kept anywhere), the item shows the answer as submitted.
  const elsewhere = await launchBrowser();
  t.after(() => elsewhere.close());
  const again = await openTask(t, run, 'ann1', elsewhere);
  const reopened = await state(again);
  assert.deepEqual(reopened.order, doc1.order, 'the order it was answered in');
  assert.equal(reopened.seed, doc1.seed);
  assert.deepEqual(reopened.segments, answered.segments, 'each clip\'s marks');
  assert.equal(reopened.segments[1].length, 1);
  assert.deepEqual(reopened.panel, answered.panel, 'the ratings, the CMOS and the reason');
  assert.deepEqual(reopened.panel.ratings, [{ naturalness: 4, pronunciation: 5, prosody: null }, { naturalness: 2, pronunciation: 3, prosody: null }]);
  assert.deepEqual(reopened.checked, answered.checked, 'the same radios are checked');
  assert.equal(reopened.reason, 'B mispronounces "brown".');
  assert.deepEqual(await again.evaluate(() => document.querySelector('avseg-compare').problems()), [], 'complete as it was');

  // One rating changed (shown B's naturalness 2 -> 5) and resubmitted.
  await rate(again, 1, 0, 5);
  const second = await submitAndWait(again, run, 'ann1', first.submissionTime);
  const doc2 = JSON.parse(second.answerContent.comparison);
  const b = doc2.order[1];
  assert.equal(doc2.clips[b].ratings.naturalness, 5, 'the change is stored');
  assert.equal(doc2.clips[b].ratings.pronunciation, 3);
  assert.deepEqual(doc2.clips[doc2.order[0]].ratings, doc1.clips[doc1.order[0]].ratings);
  assert.deepEqual(doc2.judgement, doc1.judgement);
  assert.deepEqual(doc2.order, doc1.order);
  assert.equal(doc2.seed, doc1.seed);
  assert.deepEqual(doc2.clips.map((c) => c.annotation.segments ?? []), doc1.clips.map((c) => c.annotation.segments ?? []));
});

test('restore() refuses a document of other clips with the key that differs and changes nothing; in another order it shows that order', async (t) => {
  const run = await startRun(t, 'restore', [{ prompt: null, id: TASK, clips: clipsOf() }]);
  const page = await openTask(t, run, 'ann7');
  await rate(page, 0, 0, 3);
  const before = await state(page);
  const outcome = await page.evaluate(async () => {
    const el = document.querySelector('avseg-compare');
    const doc = el.getComparison();
    const tries = {
      system: { ...doc, clips: doc.clips.map((c, m) => (m === 1 ? { ...c, system: 'tts-z' } : c)) },
      source: { ...doc, clips: doc.clips.map((c, m) => (m === 0 ? { ...c, source: 'other.wav' } : c)) },
      count: { ...doc, clips: doc.clips.slice(0, 1) },
      seed: { ...doc, seed: 'not hex' },
      rating: { ...doc, clips: doc.clips.map((c) => ({ ...c, ratings: { naturalness: 9 } })) },
    };
    const out = {};
    for (const [k, d] of Object.entries(tries)) out[k] = await el.restore(d).then(() => 'restored', (err) => err.message);
    return out;
  });
  assert.match(outcome.system, /^clips\[1\]\.system: is "tts-z", the clip shown is from "clip-[\w-]{16}"/);
  assert.match(outcome.source, /^clips\[0\]\.source: is "other\.wav", the clip shown is "clip:[\w-]{16}"/);
  assert.match(outcome.count, /^clips: the answer has 1 clips, the comparison shown has 2/);
  assert.match(outcome.seed, /^seed: must be 1 to 16 hex digits/);
  assert.match(outcome.rating, /ratings\.naturalness: must be an integer 1 to 5, got 9/);
  assert.deepEqual(await state(page), before, 'nothing changed');

  // The same answer in the other order: the clips are laid out again in it, with its seed.
  const swapped = await page.evaluate(async () => {
    const el = document.querySelector('avseg-compare');
    const doc = el.getComparison();
    const order = [doc.order[1], doc.order[0]];
    await el.restore({ ...doc, order, seed: 'abc', clips: doc.clips.map((c) => ({ ...c, ratings: { naturalness: c.shownAs === 'A' ? 3 : 1 } })) });
    return { order: el.order, seed: el.seed, want: order, ratings: el.panelValue.ratings.map((r) => r.naturalness) };
  });
  assert.deepEqual(swapped.order, swapped.want);
  assert.equal(swapped.seed, 'abc');
  assert.deepEqual(swapped.ratings, [1, 3], 'each rating follows its clip to its new place');
});

test('a manifest "seed" gives the order shuffledOrder(n, seed) to every annotator', async (t) => {
  // Two annotators whose own orders differ, so the shared one is the seed's, not a coincidence.
  const derived = async (w) => shuffledOrder(2, await orderSeed(w, SEEDED));
  const names = ['ann1'];
  for (let i = 2; names.length < 2; i++) if (JSON.stringify(await derived(`ann${i}`)) !== JSON.stringify(await derived('ann1'))) names.push(`ann${i}`);
  const run = await startRun(t, 'seeded', [{ prompt: 'x', id: SEEDED, seed: SEED, clips: clipsOf() }]);
  for (const worker of names) {
    const page = await openTask(t, run, worker);
    assert.deepEqual(await shown(page), { order: shuffledOrder(2, SEED), seed: SEED }, worker);
    assert.equal(await page.evaluate(() => document.querySelector('avseg-compare').getComparison().seed), SEED);
  }
});

test('a bad "seed" in a manifest line is refused with its line number', async () => {
  const manifest = path.join(tmp, 'job/bad-seed.jsonl');
  await writeFile(manifest, [
    { id: 'ok', seed: 'ABC123', clips: clipsOf() },
    { id: 'bad', seed: 'xyz', clips: clipsOf() },
    { id: 'number', seed: 12, clips: clipsOf() },
  ].map((l) => `${JSON.stringify(l)}\n`).join(''));
  await assert.rejects(startLabeling({ manifest, output: path.join(tmp, 'out-bad'), port: 0 }), (err) => {
    assert.match(err.message, /bad-seed\.jsonl, line 2: "seed" must be an order seed of 1 to 16 hex digits .*got "xyz"/);
    assert.match(err.message, /line 3: "seed" must be an order seed of 1 to 16 hex digits .*got 12/);
    assert.doesNotMatch(err.message, /line 1:/);
    return true;
  });
  // The format's own reader says the same.
  assert.equal(parseComparisonManifestLine({ seed: 'ABC123', clips: clipsOf() }).seed, 'ABC123');
  assert.throws(() => parseComparisonManifestLine({ seed: '12345678901234567', clips: clipsOf() }), /^ComparisonError: seed: must be an order seed of 1 to 16 hex digits/);
});
