// SPDX-License-Identifier: MIT
// Snapping to the sound in headless Chromium through the real worker (tones with two silences,
// made by sox): a segment's end dragged on the lanes to 14 ms before a pause lands on the pause's
// first frame exactly; with the "Snap to sound" box off it stays where it was dropped; a nudge with
// snapping on (Shift+S) goes on to the pause edge in reach, past where it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startElementPage } from './harness.mjs';
import { RATE, makeTones, openTones } from './analysis-media.mjs';

const CONFIG = { categories: [{ name: 'speaker', tags: ['A'] }], analysis: { show: ['pauses'], snap: { kinds: ['pause'], radiusMs: 50 } } };
const LANE_HEIGHT = 28;   // lanes.js

let tmp;
let env;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-analysis-snapping-'));
  await makeTones(tmp);
  env = await startElementPage({ title: 'avseg analysis snapping', mediaRoot: tmp });
});

after(async () => {
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The editor with a segment [0.2 s, `end` frames) on a speaker track, the view [0, 1] s; the pauses. */
async function withSegment(page, end) {
  return page.evaluate(({ end, rate }) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    const track = el.addTrack('speaker', 'A');
    const id = el.addSegment(track, 0.2, end / rate);
    el.addEventListener('avseg-rendered', () => requestAnimationFrame(() => resolve({ id, pauses: el.analysis.pauses.spans })), { once: true });
    el.zoomTo(0, 1);
  }), { end, rate: RATE });
}

/** Drags the first lane from frame `from` to frame `to` (view [0, 1] s); resolves with the segment once changed. */
async function drag(page, id, from, to) {
  const rect = await page.evaluate(() => {
    const r = document.querySelector('avseg-editor').shadowRoot.querySelector('.lanes').getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width };
  });
  const x = (frame) => rect.left + (frame / RATE) * rect.width;
  const y = rect.top + LANE_HEIGHT / 2;
  const changed = page.evaluate(() => new Promise((resolve) => document.querySelector('avseg-editor').addEventListener('change', resolve, { once: true })));
  await page.mouse.move(x(from), y);
  await page.mouse.down();
  await page.mouse.move((x(from) + x(to)) / 2, y, { steps: 3 });
  await page.mouse.move(x(to), y, { steps: 3 });
  await page.mouse.up();
  await changed;
  return page.evaluate((id) => document.querySelector('avseg-editor').value.segments.find((s) => s.id === id), id);
}

test('a boundary dragged near a pause snaps to its edge; with the box off it stays where it was dropped', async (t) => {
  const page = await openTones(env, t, CONFIG);
  const { id, pauses } = await withSegment(page, 20000);
  const edge = pauses[0].start;
  const snapBox = () => page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.sound-snap').checked);
  assert.equal(await snapBox(), true, 'on by default with an analysis block in the config');
  const dropped = edge - 0.014 * RATE;
  const snapped = await drag(page, id, 20000, dropped);
  assert.equal(snapped.end, edge, `the end dropped at ${dropped} went to the pause's first frame`);
  assert.equal(snapped.start, 9600, 'the start did not move');
  assert.equal(await page.evaluate(() => { const el = document.querySelector('avseg-editor'); el.undo(); return el.value.segments[0].end; }), 20000, 'one undo step');

  await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.sound-snap').click());
  assert.equal(await snapBox(), false);
  const plain = await drag(page, id, 20000, dropped);
  assert.ok(Math.abs(plain.end - dropped) <= RATE / 1000 && plain.end !== edge, `not snapped: ${plain.end} (dropped at ${dropped})`);
});

test('a nudge with snapping on goes to the pause edge in reach past the old place; off, by its step', async (t) => {
  const page = await openTones(env, t, { categories: [{ name: 'speaker', tags: ['A'] }], analysis: { snap: { kinds: ['pause'], radiusMs: 50 } } });
  const { id, pauses } = await withSegment(page, 23000);
  const edge = pauses[0].start;
  const end = () => page.evaluate((id) => new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(document.querySelector('avseg-editor').value.segments.find((s) => s.id === id).end), 300))), id);
  await page.evaluate((id) => {
    const el = document.querySelector('avseg-editor');
    el.selectedSegment = id;
    el.focus();
  }, id);
  // Off: by the step alone.
  await page.keyboard.press('Shift+S');
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.sound-snap').checked), false);
  await page.keyboard.press('Alt+Shift+ArrowRight');
  assert.equal(await end(), 23480, '10 ms later');
  // On: 23960 is in reach of the pause's edge.
  await page.keyboard.press('Shift+S');
  await page.keyboard.press('Alt+Shift+ArrowRight');
  assert.equal(await end(), edge, 'on to the pause edge');
  // At the edge, a nudge back is not pulled forward again: the edge is not past where it was.
  await page.keyboard.press('Alt+Shift+ArrowLeft');
  assert.equal(await end(), edge - 480, 'back by its step');
});
