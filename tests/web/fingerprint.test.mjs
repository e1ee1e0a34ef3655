// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, documentFingerprint, hash64, hostBase, sameBase } from '../../web/src/fingerprint.js';

const doc = {
  format: 'avseg.annotation', version: 1,
  tracks: [{ id: 't1', category: 'speaker', tag: 'Customer' }],
  segments: [{ id: 's1', track: 't1', start: 4800, end: 24000, fields: { text: 'hello' } }],
};

test('the same document reads the same whatever its key order, and given as object or JSON text', () => {
  const reversed = { segments: [{ fields: { text: 'hello' }, end: 24000, start: 4800, track: 't1', id: 's1' }], tracks: doc.tracks, version: 1, format: 'avseg.annotation' };
  assert.equal(canonicalJson(reversed), canonicalJson(doc));
  assert.equal(documentFingerprint(reversed), documentFingerprint(doc));
  assert.equal(documentFingerprint(JSON.stringify(doc, null, 2)), documentFingerprint(doc));
  assert.match(documentFingerprint(doc), /^v1:[0-9a-f]{16}$/);
});

test('any change to the document changes its fingerprint; arrays keep their order', () => {
  const changed = structuredClone(doc);
  changed.segments[0].end = 24001;
  assert.notEqual(documentFingerprint(changed), documentFingerprint(doc));
  const swapped = { ...doc, tracks: [{ id: 't2' }, { id: 't1' }] };
  assert.notEqual(documentFingerprint(swapped), documentFingerprint({ ...doc, tracks: [{ id: 't1' }, { id: 't2' }] }));
  // Neighbouring inputs are spread over the whole hash.
  const seen = new Set();
  for (let i = 0; i < 10000; i++) seen.add(hash64(`segment ${i}`));
  assert.equal(seen.size, 10000);
});

test('no document has no fingerprint; text that is not JSON is hashed as it is', () => {
  assert.equal(documentFingerprint(null), null);
  assert.equal(documentFingerprint(undefined), null);
  assert.match(documentFingerprint('not json {'), /^v1:/);
  assert.notEqual(documentFingerprint('not json {'), documentFingerprint('not json ['));
});

test('a base matches only the same document with the same time; a draft without one never matches', () => {
  const t = Date.parse('2026-11-29T10:00:00Z');
  const base = hostBase(doc, t);
  assert.deepEqual(base, { doc: documentFingerprint(doc), time: t });
  assert.equal(sameBase(structuredClone(base), hostBase(structuredClone(doc), t)), true);
  assert.equal(sameBase(base, hostBase(doc, t + 1)), false, 'a later answer with the same content');
  assert.equal(sameBase(base, hostBase(doc, NaN)), false);
  assert.equal(sameBase(hostBase(doc, NaN), hostBase(doc, NaN)), true, 'pre-annotations without a time');
  assert.equal(sameBase(undefined, base), false);
  assert.equal(sameBase({ doc: base.doc }, hostBase(doc, NaN)), true, 'a stored base without a time is one without a time');
});
