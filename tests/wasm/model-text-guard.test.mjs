// SPDX-License-Identifier: MIT
// Text the element hands the wasm model is refused, naming where, when it is not well-formed
// UTF-16 (a lone surrogate), rather than stored changed: the real model in Node, as the element
// holds it (web/src/model-text-guard.js).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../dist/model.js';   // beside the wasm model it loads
import { guardModel, illFormedJson } from '../../web/src/model-text-guard.js';
import { loadModel } from './load-core.mjs';

let Annotations;

before(async () => {
  ({ Annotations } = await loadModel());
});

const CONFIG = { categories: { speaker: ['Customer', 'Representative'] }, segmentFields: [{ name: 'text', type: 'text' }], classifications: [{ name: 'notes', type: 'text' }] };
const DOC = { format: 'avseg.annotation', version: 1, timebase: { rate: 48000, frames: 480000 },
  tracks: [{ id: 't1', category: 'speaker', tag: 'Customer' }], segments: [{ id: 's1', track: 't1', start: 0, end: 48000, fields: { text: 'hello' } }], classifications: {} };

function withModel(fn) {
  const raw = new Annotations();
  try {
    const a = guardModel(raw);
    assert.equal(a.setConfig(JSON.stringify(CONFIG)).ok, true);
    a.setTimebase(48000, 480000);
    assert.equal(a.load(JSON.stringify(DOC)).ok, true);
    fn(a, raw);
  } finally {
    raw.delete();
  }
}

const REASON = (where, at, unit = 'D800') => new RegExp(`^${where.replace(/[.[\]()]/g, '\\$&')} is not well-formed Unicode text \\(an unpaired surrogate U\\+${unit} at character ${at}\\): refused`);

test('without the guard the model stores a lone surrogate as another character (why text is checked)', () => {
  withModel((a, raw) => {
    assert.equal(raw.addTrack('speaker', 'A\ud800B').ok, true);
    assert.equal(JSON.parse(raw.tracks())[1].tag, 'A\u{10042}', 'embind paired U+D800 with the B');
  });
});

test('a track tag or category with a lone surrogate is refused as invalid-value, nothing stored', () => {
  withModel((a) => {
    const before = a.save();
    const tag = a.addTrack('speaker', 'A\ud800B');
    assert.equal(tag.ok, false);
    assert.equal(tag.code, 'invalid-value');
    assert.match(tag.reason, REASON('the tag', 2));
    assert.match(a.addTrack('spe\udc00', 'Customer').reason, REASON('the category', 4, 'DC00'));
    assert.match(a.renameTrack('t1', 'end\ud83d').reason, REASON('the tag', 4, 'D83D'));
    assert.equal(a.save(), before);
    // As the element's edits report it: an Error with the code.
    assert.throws(() => check(a.addTrack('speaker', '\ud800')), (err) => err.code === 'invalid-value' && /the tag is not well-formed/.test(err.message));
  });
});

test('a field value, a classification or segment fields with a lone surrogate are refused naming the field', () => {
  withModel((a) => {
    const before = a.save();
    // JSON.stringify writes it as the escape "\ud800", which the model would read back as one.
    const field = a.setField('s1', 'text', JSON.stringify('typed \ud800'), true);
    assert.deepEqual([field.ok, field.code], [false, 'invalid-value']);
    assert.match(field.reason, REASON('fields.text', 7));
    assert.match(a.setField('s1', 'text', '"raw \udfff"', false).reason, REASON('fields.text', 5, 'DFFF'));
    assert.match(a.setField('s1', 'te\ud800xt', '"fine"', false).reason, REASON('the field name', 3));
    assert.match(a.setClassification('notes', JSON.stringify({ list: ['ok', 'x\ud800'] }), false).reason, REASON('classifications.notes.list[1]', 2));
    assert.match(a.setClassification('no\ud800tes', '"fine"', false).reason, REASON('the classification name', 3));
    assert.match(a.addSegment('t1', 48000, 96000, JSON.stringify({ text: 'ok', 'odd key': '\udc00' })).reason, REASON('fields["odd key"]', 1, 'DC00'));
    assert.match(a.addSegment('t1', 48000, 96000, JSON.stringify({ ['k\ud800']: 1 })).reason, /^a key of fields \("k\uFFFD"\) is not well-formed Unicode text \(an unpaired surrogate U\+D800 at character 2\)/);
    assert.equal(a.save(), before, 'nothing changed');
  });
});

test('a document or config with a lone surrogate, as an object or as text, is refused naming the place; the one loaded stays', () => {
  withModel((a) => {
    const before = a.save();
    const bad = structuredClone(DOC);
    bad.segments[0].fields.text = 'caf\ud800';
    for (const text of [JSON.stringify(bad), `{"format": "avseg.annotation", "version": 1, "segments": [{"id": "s1", "track": "t1", "start": 0, "end": 1, "fields": {"text": "caf\ud800"}}]}`]) {
      const r = a.load(text);
      assert.deepEqual([r.ok, r.code], [false, 'invalid-document']);
      assert.match(r.reason, REASON('segments[0].fields.text', 4));
    }
    assert.match(a.load('not json \ud800').reason, REASON('the document', 10));
    const config = a.setConfig(JSON.stringify({ categories: { speaker: ['Customer', 'Rep\udc00'] } }));
    assert.deepEqual([config.ok, config.code], [false, 'invalid-config']);
    assert.match(config.reason, REASON('categories.speaker[1]', 4, 'DC00'));
    assert.equal(a.save(), before);
    assert.deepEqual(JSON.parse(a.config()).categories.map((c) => c.name), ['speaker']);
  });
});

test('calls without a result (media, task id, lookups) throw an invalid-value Error', () => {
  withModel((a) => {
    assert.throws(() => a.setMedia(JSON.stringify({ url: 'https://x.example/a.wav' }), 'task\ud800'), (err) => err.code === 'invalid-value' && REASON('the task id', 5).test(err.message));
    assert.throws(() => a.setMedia(JSON.stringify({ url: 'x\udbff.wav' }), 'task'), (err) => err.code === 'invalid-value' && REASON('media.url', 2, 'DBFF').test(err.message));
    assert.throws(() => a.segment('s\ud800'), (err) => err.code === 'invalid-value');
    assert.equal(JSON.parse(a.segment('s1')).fields.text, 'hello');
  });
});

test('well-formed text passes unchanged, astral characters and escaped pairs included', () => {
  withModel((a) => {
    const t = a.addTrack('speaker', 'Rep 😀 \u{1F469}\u200D\u{1F4BB}');
    assert.equal(t.ok, true, t.reason);
    assert.equal(JSON.parse(a.tracks()).find((x) => x.id === t.id).tag, 'Rep 😀 \u{1F469}\u200D\u{1F4BB}');
    assert.equal(a.setField('s1', 'text', '"\\ud83d\\ude00 and \\\\ud800 as plain text"', false).ok, true);
    assert.equal(JSON.parse(a.segment('s1')).fields.text, '😀 and \\ud800 as plain text');
    assert.equal(illFormedJson('{"a": "\\ud83d\\ude00"}'), '');
  });
});
