// SPDX-License-Identifier: MIT
// The seed's audio scenario end to end: a customer/representative call, tracks per speaker,
// a segment recorded while playing and then set to the exact turn, the rest labelled, the
// whole file classified, undo/redo, a reload that restores everything, and the final JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fixtures, startElementPage } from './harness.mjs';
import { formatTime } from '../../web/src/layout.js';

// The published sample's own category form, as is, plus fields and classifications.
const CONFIG = {
  categories: { speaker: ['Customer', 'Representative'] },
  segmentFields: [
    { name: 'transcription', type: 'text', required: true, multiline: true, label: 'Transcription' },
    { name: 'emotion', type: 'choice', options: ['Happy', 'Angry', 'Neutral', 'Sad', 'Worried'], label: 'Emotion' },
  ],
  classifications: [
    { name: 'speech', type: 'choice', options: ['speech', 'non-speech'], required: true, label: 'Speech' },
    { name: 'noise', type: 'boolean', label: 'Background noise' },
    { name: 'rating', type: 'rating', max: 5, required: true, label: 'Overall rating' },
  ],
};

let harness, call;

before(async () => {
  harness = await startElementPage({ title: 'call' });
  call = JSON.parse(await readFile(path.join(fixtures, 'call.json'), 'utf8'));
});

after(() => harness?.close());

async function openCall(t) {
  const page = await harness.open(t, { width: 1100, height: 900 });
  await page.evaluate(([src, config]) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    window.restored = null;
    el.addEventListener('restored', (e) => { window.restored = e.detail; });
    el.addEventListener('ready', resolve, { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.taskId = 'call-0001';
    el.config = config;
    el.src = src;
  }), [harness.servers.media.url('/call.wav'), CONFIG]);
  return page;
}

test('a customer/representative call annotated end to end survives a reload exactly', async (t) => {
  const page = await openCall(t);
  const el = 'avseg-editor >> css=';
  const rate = call.sampleRate;
  const turns = call.turns;

  // Tracks from the toolbar.
  for (const tag of ['Customer', 'Representative']) {
    await page.selectOption(`${el}select.track-tag`, tag);
    await page.click(`${el}button.add-track`);
  }
  await page.selectOption(`${el}select.track-tag`, 'Customer');
  await page.click(`${el}button.add-track`);
  assert.match(await page.locator(`${el}.error`).textContent(), /already exists/, 'a duplicate track is refused with a message');
  const tracks = await page.evaluate(() => document.querySelector('avseg-editor').value.tracks);
  const trackOf = Object.fromEntries(tracks.map((tr) => [tr.tag, tr.id]));

  // The first turn recorded with Begin/Stop while playing, then set to the exact turn by typing its times.
  await page.evaluate((id) => { const e = document.querySelector('avseg-editor'); e.selectedTrack = id; e.currentTime = 0.4; }, trackOf.Customer);
  await page.click(`${el}button.record`);
  await page.waitForTimeout(700);
  await page.click(`${el}button.record`);
  await page.evaluate(() => document.querySelector('avseg-editor').pause());
  const recorded = await page.evaluate(() => document.querySelector('avseg-editor').value.segments);
  assert.equal(recorded.length, 1);
  await page.locator(`${el}.segment-editor input.time-end`).fill(formatTime(turns[0].end / rate));
  await page.locator(`${el}.segment-editor input.time-end`).press('Enter');
  await page.locator(`${el}.segment-editor input.time-start`).fill(formatTime(turns[0].start / rate));
  await page.locator(`${el}.segment-editor input.time-start`).press('Enter');
  await page.click(`${el}.segment-editor .field[data-field="transcription"] .control`);
  await page.keyboard.type(turns[0].text);
  await page.selectOption(`${el}.segment-editor .field[data-field="emotion"] select`, 'Neutral');

  // The other turns through the API, at their exact frames.
  await page.evaluate(([turns, trackOf, rate]) => {
    const e = document.querySelector('avseg-editor');
    for (const turn of turns.slice(1)) {
      e.addSegment(trackOf[turn.speaker], turn.start / rate, turn.end / rate, { transcription: turn.text, emotion: turn.speaker === 'Customer' ? 'Worried' : 'Neutral' });
    }
  }, [turns, trackOf, rate]);

  // Whole-file answers in the panel.
  await page.selectOption(`${el}.classifications .field[data-field="speech"] select`, 'speech');
  await page.selectOption(`${el}.classifications .field[data-field="noise"] select`, 'false');
  await page.check(`${el}.classifications .field[data-field="rating"] input[value="4"]`);
  assert.deepEqual(await page.evaluate(() => document.querySelector('avseg-editor').validate()), []);

  // Undo the rating and redo it.
  await page.evaluate(() => { const e = document.querySelector('avseg-editor'); e.undo(); });
  assert.equal((await page.evaluate(() => document.querySelector('avseg-editor').value)).classifications.rating, undefined);
  await page.evaluate(() => { const e = document.querySelector('avseg-editor'); e.redo(); return e.flushDraft(); });
  const before = await page.evaluate(() => document.querySelector('avseg-editor').value);
  await page.close();

  // Reload: everything is back, nothing lost.
  const again = await openCall(t);
  assert.ok(await again.evaluate(() => window.restored));
  const v = await again.evaluate(() => document.querySelector('avseg-editor').value);
  assert.deepEqual(v, before);
  assert.equal(v.format, 'avseg.annotation');
  assert.equal(v.taskId, 'call-0001');
  assert.equal(v.timebase.rate, 48000);
  assert.equal(v.timebase.frames, call.frames);
  assert.deepEqual(v.tracks.map((tr) => [tr.category, tr.tag]), [['speaker', 'Customer'], ['speaker', 'Representative']]);
  assert.equal(v.segments.length, turns.length);
  v.segments.forEach((s, i) => {
    const turn = turns[i];
    assert.equal(s.track, trackOf[turn.speaker], `segment ${i} track`);
    // Typed times are to the millisecond: the first turn is within half a millisecond; the rest exact.
    if (i === 0) {
      assert.ok(Math.abs(s.start - turn.start) <= rate / 2000 && Math.abs(s.end - turn.end) <= rate / 2000, `first turn ${s.start}-${s.end}`);
    } else {
      assert.equal(s.start, turn.start);
      assert.equal(s.end, turn.end);
    }
    assert.equal(s.startTime, s.start / rate);
    assert.equal(s.fields.transcription, turn.text);
    assert.equal(s.fields.emotion, i === 0 ? 'Neutral' : turn.speaker === 'Customer' ? 'Worried' : 'Neutral');
  });
  assert.deepEqual(v.classifications, { noise: false, rating: 4, speech: 'speech' });
});
