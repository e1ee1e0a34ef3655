// SPDX-License-Identifier: MIT
// Suggestions in headless Chromium through the real worker (tones with two silences, made by sox):
// N selects the next suggestion and Enter accepts a pause into a segment with the pause's exact
// frames on the config's pauses.track (made for it), one undo step; a loudness jump accepted on the
// selected track splits its segment at the jump's frame; Enter with nothing to accept is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startElementPage } from './harness.mjs';
import { makeTones, openTones } from './analysis-media.mjs';

let tmp;
let env;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-analysis-suggestions-'));
  await makeTones(tmp);
  env = await startElementPage({ title: 'avseg analysis suggestions', mediaRoot: tmp });
});

after(async () => {
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const line = (page) => page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.suggestion-line').textContent);

/** Presses N until the selected suggestion's line begins with `word`; returns the line. */
async function stepTo(page, word) {
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('n');
    const text = await line(page);
    if (text.startsWith(word)) return text;
  }
  throw new Error(`no ${word} suggestion: ${await line(page)}`);
}

test('N then Enter accepts a pause into a segment with its exact frames on the config\'s track, in one undo step', async (t) => {
  const page = await openTones(env, t, {
    categories: [{ name: 'speaker', tags: ['A'] }, { name: 'pause', tags: ['Pause'] }],
    analysis: { show: ['pauses'], pauses: { track: { category: 'pause', tag: 'Pause' } } },
  });
  await page.evaluate(() => document.querySelector('avseg-editor').focus());
  const text = await stepTo(page, 'Pause');
  assert.match(text, /^Pause 0:00\.500 to 0:01\.100 \(\d of \d\); Enter accepts it$/);
  await page.keyboard.press('Enter');
  const { value, pauses } = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    return { value: el.value, pauses: el.analysis.pauses.spans };
  });
  assert.equal(value.segments.length, 1);
  const [segment] = value.segments;
  assert.deepEqual([segment.start, segment.end], [pauses[0].start, pauses[0].end], 'the segment is the pause, frame for frame');
  const track = value.tracks.find((x) => x.id === segment.track);
  assert.deepEqual([track.category, track.tag], ['pause', 'Pause']);
  // Enter again on the same pause is refused (it is a segment already); N moves on to the second pause.
  const again = await page.evaluate(() => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('error', (e) => resolve([e.detail.code, e.detail.message, el.value.segments.length]), { once: true });
    el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
  }));
  assert.deepEqual(again, ['refused', 'The pause was not accepted: it is a segment on this track already', 1]);
  await stepTo(page, 'Pause');
  await page.keyboard.press('Enter');
  const second = await page.evaluate(() => document.querySelector('avseg-editor').value.segments.map((s) => [s.start, s.end]));
  assert.deepEqual(second, [[pauses[0].start, pauses[0].end], [pauses[1].start, pauses[1].end]]);
  const undone = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.undo();
    const once = el.value.segments.length;
    el.undo();
    return [once, el.value.segments.length, el.value.tracks.length];
  });
  assert.deepEqual(undone, [1, 0, 0], 'each accept is one undo step, the track made for it included');
});

test('a loudness jump accepted on the selected track splits its segment at the jump\'s frame', async (t) => {
  const page = await openTones(env, t, { categories: [{ name: 'speaker', tags: ['A'] }], analysis: { show: ['loudness'] } }, 'steps.wav');
  const jumps = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const track = el.addTrack('speaker', 'A');
    el.addSegment(track, 0, el.duration);
    el.selectedTrack = track;
    el.selectedSegment = null;
    el.focus();
    return el.analysis.loudness.jumps;
  });
  assert.equal(jumps.length, 2, `the quiet second's ends are loudness jumps: ${JSON.stringify(jumps)}`);
  assert.ok(Math.abs(jumps[0].frame - 48000) <= 4800, `the first jump near 1 s: ${jumps[0].frame}`);
  await stepTo(page, 'Loudness jump');
  await page.keyboard.press('Enter');
  const segments = await page.evaluate(() => document.querySelector('avseg-editor').value.segments.map((s) => [s.start, s.end]));
  assert.deepEqual(segments, [[0, jumps[0].frame], [jumps[0].frame, 144000]], 'split at the jump');
});

test('Enter with no suggestion selected does nothing; accepting without a track is refused with a message', async (t) => {
  const page = await openTones(env, t, { categories: [{ name: 'speaker', tags: ['A'] }] });
  await page.evaluate(() => document.querySelector('avseg-editor').focus());
  await page.keyboard.press('Enter');
  const heard = await page.evaluate(() => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('error', (e) => resolve(e.detail), { once: true });
    el.dispatchEvent(new KeyboardEvent('keydown', { key: 'n', bubbles: true, composed: true }));
    el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
  }));
  assert.equal(heard.code, 'refused');
  assert.match(heard.message, /^The (pause|loudness jump) was not accepted: Select a track first/);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').value.segments.length), 0);
});
