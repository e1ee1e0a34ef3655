// SPDX-License-Identifier: MIT
// <avseg-editor>'s edits as transactions of the core model, in headless Chromium: an
// updateSegment with several parts is all or nothing, one undo step, one `change` event or none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startElementPage } from './harness.mjs';

const CONFIG = {
  categories: [{ name: 'speaker', tags: ['Customer', 'Representative'], allowOverlap: false }],
  segmentFields: [
    { name: 'transcription', type: 'text', label: 'Transcription' },
    { name: 'emotion', type: 'choice', options: ['Happy', 'Sad'], label: 'Emotion' },
  ],
  classifications: [{ name: 'speech', type: 'choice', options: ['speech', 'non-speech'], label: 'Speech' }],
};

let harness;

before(async () => {
  harness = await startElementPage({ title: 'avseg edit transactions' });
});

after(() => harness?.close());

/**
 * A ready element with two tracks, a segment on the first and, as the last edit before the
 * test's own, a classification; `window.events` counts `change` and `validity` events.
 */
async function ready(t) {
  const page = await harness.open(t, { width: 1040, height: 700 });
  await page.evaluate(([src, config, task]) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    el.taskId = task;
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.addEventListener('ready', () => {
      const customer = el.addTrack('speaker', 'Customer');
      const representative = el.addTrack('speaker', 'Representative');
      const seg = el.addSegment(customer, 1, 2, { transcription: 'hello' });
      window.ids = { customer, representative, seg };
      window.beforeLastEdit = JSON.stringify(el.value);
      el.setClassification('speech', 'speech');
      window.events = { change: 0, validity: 0 };
      el.addEventListener('change', () => window.events.change++);
      el.addEventListener('validity', () => window.events.validity++);
      resolve();
    }, { once: true });
    el.config = config;
    el.src = src;
  }), [harness.servers.media.url('/speech-gaps.mp3'), CONFIG, t.name]);
  return page;
}

test('a refused multi-part updateSegment leaves value and the undo history unchanged and emits no change', async (t) => {
  const page = await ready(t);
  const out = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const { representative, seg } = window.ids;
    const before = JSON.stringify(el.value);
    const attempt = (changes) => {
      try {
        el.updateSegment(seg, changes);
        return null;
      } catch (err) {
        return { code: err.code, message: err.message, same: JSON.stringify(el.value) === before, events: { ...window.events } };
      }
    };
    // Another track, new bounds and a valid field all go through; the last field's text cannot
    // be stored (a lone surrogate), so the model refuses it.
    const refused = attempt({ track: representative, start: 3, end: 4, fields: { emotion: 'Sad', transcription: 'caf\udc00' } });
    // The same, failing in JavaScript rather than in the model: a value JSON cannot write.
    const thrown = attempt({ track: representative, start: 3, end: 4, fields: { emotion: 'Sad', transcription: 10n } });
    // A track id the model could not read unchanged, with a field before it in the call.
    const badTrack = attempt({ track: 't2\ud800', fields: { emotion: 'Sad' } });
    el.undo();
    const undone = JSON.stringify(el.value);
    const changesAfterUndo = window.events.change;
    el.redo();
    return { refused, thrown, badTrack, undone, changesAfterUndo, redone: JSON.stringify(el.value) === before, beforeLastEdit: window.beforeLastEdit };
  });
  assert.equal(out.refused.code, 'invalid-value');
  assert.match(out.refused.message, /^fields\.transcription is not well-formed Unicode text/);
  assert.ok(out.refused.same, 'value is as it was before the refused update');
  assert.deepEqual(out.refused.events, { change: 0, validity: 0 }, 'no change event: nothing changed');
  assert.equal(out.thrown.code, undefined);
  assert.ok(out.thrown.same);
  assert.deepEqual(out.thrown.events, { change: 0, validity: 0 });
  assert.equal(out.badTrack.code, 'invalid-value');
  assert.match(out.badTrack.message, /^the track id is not well-formed Unicode text/);
  assert.ok(out.badTrack.same);
  assert.deepEqual(out.badTrack.events, { change: 0, validity: 0 });
  // undo() takes back the edit made before the refused ones, the classification, and no more.
  assert.equal(out.undone, out.beforeLastEdit);
  assert.equal(out.changesAfterUndo, 1);
  assert.ok(out.redone);
});

test('a multi-part updateSegment that goes through is one change event and one undo step', async (t) => {
  const page = await ready(t);
  const out = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const { representative, seg } = window.ids;
    const before = JSON.stringify(el.value);
    el.updateSegment(seg, { track: representative, start: 3, end: 4, fields: { emotion: 'Sad', transcription: 'moved' } });
    const updated = el.value;
    const events = { ...window.events };
    el.undo();
    const undone = JSON.stringify(el.value);
    el.redo();
    return { before, updated, events, undone, redone: JSON.stringify(el.value) === JSON.stringify(updated) };
  });
  const s = out.updated.segments[0];
  assert.equal(s.track, (await page.evaluate(() => window.ids.representative)));
  assert.deepEqual([s.start, s.end], [144000, 192000]);
  assert.deepEqual(s.fields, { transcription: 'moved', emotion: 'Sad' });
  assert.deepEqual(out.events, { change: 1, validity: 1 });
  assert.equal(out.undone, out.before, 'one undo() takes back the whole update');
  assert.ok(out.redone);
});

test('an update to a place its old length would not fit is checked where it ends up', async (t) => {
  const page = await ready(t);
  const out = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const { representative, seg } = window.ids;
    el.addSegment(representative, 2.5, 3);
    // Moved to 1.9 s with its old length (1 s) it would overlap the segment at 2.5 s; with its new end it does not.
    el.updateSegment(seg, { track: representative, start: 1.9, end: 2.4 });
    return el.value.segments.find((s) => s.id === seg);
  });
  assert.equal(out.track, await page.evaluate(() => window.ids.representative));
  assert.deepEqual([out.start, out.end], [91200, 115200]);
});
