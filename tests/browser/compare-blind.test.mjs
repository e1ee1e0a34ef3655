// SPDX-License-Identifier: MIT
// Blind comparisons in the local run: no system name reaches the annotator's page (its HTML, the
// task input, the clip list, the element's and the task glue's state, every address it asks for,
// its console), though the media files are named after their systems; the stored answer names the
// real systems in manifest order, with the ratings and the CMOS sign on the right clips; reopened,
// the answer comes back under the tokens, still without a system name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, collectConsole } from './browser.mjs';
import { speak } from './compare-harness.mjs';
import { startLabeling } from '../../scripts/label.mjs';
import { orderSeed, shuffledOrder } from '../../web/src/blind-order.js';

const SECRET = /secret-sys/i;
const SYSTEMS = ['secret-sys-alpha', 'secret-sys-beta'];
const SOURCES = SYSTEMS.map((s) => `${s}/${s}.wav`);
let browser, tmp, run;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-compare-blind-'));
  process.env.AVSEG_STATE_DIR = path.join(tmp, 'state');
  for (const s of SYSTEMS) await mkdir(path.join(tmp, 'job', s), { recursive: true });
  await speak(path.join(tmp, 'job', SYSTEMS[0]), `${SYSTEMS[0]}.wav`, 'en', 'Hold the line.');
  await speak(path.join(tmp, 'job', SYSTEMS[1]), `${SYSTEMS[1]}.wav`, 'en+f3', 'Hold the line.', 0.2);
  const manifest = path.join(tmp, 'job/compare.jsonl');
  // No "id": the task id (and so the order) comes from the media references, which name the systems.
  await writeFile(manifest, `${JSON.stringify({ prompt: 'Hold the line.', clips: SYSTEMS.map((system, k) => ({ 'source-ref': SOURCES[k], system })) })}\n`);
  browser = await launchBrowser();
  run = await startLabeling({ manifest, output: path.join(tmp, 'out'), port: 0, workersPerItem: 2 });
});
after(async () => {
  await run?.close();
  await browser?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The task page of `worker`, with every request address and console line it made. */
async function openTask(t, worker) {
  const page = await browser.newPage();
  const log = collectConsole(page);
  const requests = [];
  const bodies = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('response', async (r) => { if (r.request().resourceType() === 'document') bodies.push(await r.text().catch(() => '')); });
  t.after(() => page.close());
  await page.setViewportSize({ width: 1200, height: 1400 });
  await page.goto(`${run.url}task/0?worker=${encodeURIComponent(worker)}`);
  await page.waitForFunction(() => globalThis.avsegCompareTask?.ready);
  assert.equal(await page.evaluate(() => globalThis.avsegCompareTask.ready), true, 'the clips opened');
  return { page, log, requests, bodies };
}

/** Everything of the page's state an annotator could read from the console. */
const pageState = (page) => page.evaluate(() => {
  const task = globalThis.avsegCompareTask;
  const el = document.querySelector('avseg-compare');
  return JSON.stringify({
    html: document.documentElement.outerHTML,
    input: task.input, clips: task.clips, taskId: task.taskId,
    comparison: el.getComparison(), order: el.order, seed: el.seed,
    editors: el.editors.map((e) => ({ src: e.getAttribute('src'), annotation: e.getAnnotation?.() ?? null })),
    storage: { ...localStorage }, session: { ...sessionStorage },
  });
});

function assertBlind({ log, requests, bodies }, state) {
  assert.doesNotMatch(state, SECRET, 'the page\'s HTML and state hold no system name');
  for (const b of bodies) assert.doesNotMatch(b, SECRET, 'the served HTML holds no system name');
  assert.ok(requests.some((u) => /\/media\/[\w-]{16}\/media\.wav$/.test(u)), `the clips were fetched under opaque names: ${requests.join(' ')}`);
  for (const u of requests) assert.doesNotMatch(decodeURIComponent(u), SECRET, `request ${u}`);
  for (const l of log) assert.doesNotMatch(l.text, SECRET, `console: ${l.text}`);
}

test('the annotator\'s page holds no system name, and the stored answer has the real systems with ratings and CMOS on the right clips', async (t) => {
  const opened = await openTask(t, 'blind-1');
  const { page } = opened;
  const seed = await orderSeed('blind-1', SOURCES.join('\n'));
  const order = shuffledOrder(2, seed);
  assert.deepEqual(await page.evaluate(() => { const el = document.querySelector('avseg-compare'); return { order: el.order, seed: el.seed }; }), { order, seed },
    'the order is the one drawn from the annotator and the real task id');

  const rate = (position, value) => page.locator('avseg-compare .compare-panel section.clip').nth(position).locator('.question.rating').nth(0).locator(`input[value="${value}"]`).click();
  await rate(0, 2);
  await page.locator('avseg-compare .compare-panel section.clip').nth(0).locator('.question.rating').nth(1).locator('input[value="2"]').click();
  await rate(1, 5);
  await page.locator('avseg-compare .compare-panel section.clip').nth(1).locator('.question.rating').nth(1).locator('input[value="4"]').click();
  // Shown B is clearly better than shown A.
  await page.locator('avseg-compare .compare-panel section.judgement .question.cmos input[value="2"]').click();
  assertBlind(opened, await pageState(page));

  await page.click('crowd-button[form-action="submit"]');
  for (let i = 0; i < 100 && !run.store.answerOf(0, 'blind-1'); i++) await new Promise((r) => { setTimeout(r, 100); });
  const stored = run.store.answerOf(0, 'blind-1');
  assert.ok(stored, 'the answer was stored');
  const doc = JSON.parse(stored.answerContent.comparison);
  assert.deepEqual(doc.clips.map((c) => c.system), SYSTEMS, 'the real systems, in manifest order');
  assert.deepEqual(doc.clips.map((c) => c.source), SOURCES, 'the real media references');
  assert.equal(doc.taskId, SOURCES.join('\n'), 'the real task id');
  assert.equal(doc.seed, seed);
  assert.deepEqual(doc.order, order);
  const [first, second] = order;
  assert.deepEqual(doc.clips[first].ratings, { naturalness: 2, pronunciation: 2 });
  assert.deepEqual(doc.clips[second].ratings, { naturalness: 5, pronunciation: 4 });
  assert.equal(doc.judgement.shownCmos, 2);
  assert.equal(doc.judgement.cmos, second === 1 ? 2 : -2, 'CMOS of the second manifest clip against the first');
  assert.equal(doc.judgement.preferred, second);
  assert.doesNotMatch(stored.answerContent.comparison, /clip-[\w-]{16}|clip:/, 'no token is stored');

  // Reopened: the answer comes back under the tokens, and the page still names no system.
  const again = await openTask(t, 'blind-1');
  await again.page.waitForFunction(() => document.querySelector('avseg-compare').getComparison().judgement?.shownCmos === 2);
  const back = await again.page.evaluate(() => document.querySelector('avseg-compare').getComparison());
  assert.deepEqual(back.clips.map((c) => c.ratings), doc.clips.map((c) => c.ratings), 'the ratings are back on their clips');
  assertBlind(again, await pageState(again.page));
});
