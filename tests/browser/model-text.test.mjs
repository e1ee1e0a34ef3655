// SPDX-License-Identifier: MIT
// <avseg-editor> in headless Chromium refuses text with a lone surrogate through its usual paths
// (an Error with a code from an edit, an error event from `value` and `config`), naming where it
// is, and keeps what it had: embind would otherwise store other characters than were given.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startElementPage } from './harness.mjs';

let harness;

before(async () => {
  harness = await startElementPage({ title: 'avseg model text' });
});

after(() => harness?.close());

test('the element refuses a lone surrogate in a tag, a field, a classification, a document or a config, naming it, and keeps its annotations', async (t) => {
  const page = await harness.open(t, { width: 1040, height: 700 });
  const out = await page.evaluate(([src]) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    el.taskId = 'model-text';
    el.setAttribute('autosave', 'off');
    const errors = [];
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); else errors.push(e.detail); });
    el.addEventListener('ready', () => {
      const thrown = (fn) => { try { fn(); return null; } catch (err) { return { code: err.code, message: err.message }; } };
      const track = el.addTrack('speaker', 'Customer');
      const seg = el.addSegment(track, 0.5, 1, { text: 'hello' });
      const before = JSON.stringify(el.value);
      const results = {
        tag: thrown(() => el.addTrack('speaker', 'Rep\ud800')),
        field: thrown(() => el.updateSegment(seg, { fields: { text: 'caf\udc00' } })),
        fields: thrown(() => el.addSegment(track, 2, 3, { text: '\ud800' })),
        classification: thrown(() => el.setClassification('notes', 'x\ud83d')),
      };
      const doc = structuredClone(el.value);
      doc.segments[0].fields.text = 'bad \ud800';
      el.value = doc;
      el.value = JSON.stringify(doc).replace('\\ud800', '\ud800');
      el.config = { categories: { speaker: ['Customer', 'Rep\udfff'] }, segmentFields: [{ name: 'text', type: 'text' }] };
      resolve({ results, errors, unchanged: JSON.stringify(el.value) === before, config: el.config, text: el.value.segments[0].fields.text });
    }, { once: true });
    el.config = { categories: { speaker: ['Customer', 'Representative'] }, segmentFields: [{ name: 'text', type: 'text' }], classifications: [{ name: 'notes', type: 'text' }] };
    el.src = src;
  }), [harness.servers.media.url('/speech-gaps.mp3')]);

  const refused = (where, unit, at) => new RegExp(`^${where.replace(/[.[\]]/g, '\\$&')} is not well-formed Unicode text \\(an unpaired surrogate U\\+${unit} at character ${at}\\)`);
  assert.equal(out.results.tag.code, 'invalid-value');
  assert.match(out.results.tag.message, refused('the tag', 'D800', 4));
  assert.equal(out.results.field.code, 'invalid-value');
  assert.match(out.results.field.message, refused('fields.text', 'DC00', 4));
  assert.match(out.results.fields.message, refused('fields.text', 'D800', 1));
  assert.equal(out.results.classification.code, 'invalid-value');
  assert.match(out.results.classification.message, refused('classifications.notes', 'D83D', 2));
  assert.deepEqual(out.errors.map((e) => e.code), ['invalid-document', 'invalid-document', 'invalid-config']);
  assert.match(out.errors[0].message, refused('segments[0].fields.text', 'D800', 5));
  assert.match(out.errors[1].message, refused('segments[0].fields.text', 'D800', 5));
  assert.match(out.errors[2].message, refused('categories.speaker[1]', 'DFFF', 4));
  assert.ok(out.unchanged, 'nothing stored');
  assert.equal(out.text, 'hello');
  assert.deepEqual(out.config.categories[0].tags, ['Customer', 'Representative']);
});
