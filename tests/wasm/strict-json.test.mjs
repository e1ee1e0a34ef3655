// SPDX-License-Identifier: MIT
// What the element hands the model as JSON text (a document as `value`, a draft, pre-annotations;
// a field's value) is read by the core's strict reader: the refusal's code and message as the
// element passes them on, and the model unchanged.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../web/src/error-codes.js';
import { loadModel } from './load-core.mjs';

let Annotations;

before(async () => {
  ({ Annotations } = await loadModel());
});

const DOC = '{"format": "avseg.annotation", "version": 1, "tracks": [{"id": "t1", "category": "speaker", "tag": "A"}], '
  + '"segments": [{"id": "s1", "track": "t1", "start": 0, "end": 800}]}';

function loaded() {
  const a = new Annotations();
  a.setTimebase(8000, 80000);
  assert.equal(a.load(DOC).ok, true);
  return a;
}

function refusedDocument(text) {
  const a = loaded();
  const before = a.save();
  const result = a.load(text);
  assert.equal(result.ok, false, text);
  assert.equal(result.code, ErrorCode.InvalidDocument, result.message);
  assert.equal(a.save(), before, 'what the editor held stays');
  a.delete();
  return result.message;
}

test('a document with a key twice, anything after it, or not an object is refused as invalid-document, naming the place', () => {
  assert.equal(refusedDocument(DOC.replace('"end": 800', '"end": 800, "end": 80')), 'segments[0].end: appears twice in the same object');
  assert.match(refusedDocument(`${DOC} x`), /^document: is not valid JSON \(line 1, column \d+: syntax error while parsing value - invalid literal/);
  assert.match(refusedDocument(DOC + DOC), /^document: is not valid JSON \(line 1, column \d+: syntax error while parsing value - unexpected '\{'; expected end of input\)$/);
  // It said "config: an annotation document must be a JSON object".
  assert.equal(refusedDocument(`[${DOC}]`), 'document: must be a JSON object');
  assert.equal(refusedDocument(JSON.stringify([])), 'document: must be a JSON object');
});

test('a document\'s whole numbers past 64 bits and seconds beyond any media are refused, not wrapped', () => {
  // 2^64 - 1 read as a 64-bit integer is -1: it was refused as "the segment must end after it starts".
  assert.equal(refusedDocument(DOC.replace('"end": 800', '"end": 18446744073709551615')),
    'segments[0].end: is 18446744073709551615, past the largest 64-bit integer');
  assert.equal(refusedDocument(DOC.replace('"start": 0, "end": 800', '"startTime": 1e300, "endTime": 2e300')),
    'segments[0].startTime: is 1e+300 seconds, beyond any media');
});

test('a field value, a classification and new segment fields given as JSON text are read as strictly, refused as invalid-value', () => {
  const a = loaded();
  const before = a.save();
  const refused = (result) => {
    assert.equal(result.ok, false);
    assert.equal(result.code, ErrorCode.InvalidValue, result.message);
    assert.equal(a.save(), before);
    return result.message;
  };
  assert.equal(refused(a.setField('s1', 'speaker', '{"name": "a", "name": "b"}', false)), 'in the value, name appears twice in the same object');
  assert.match(refused(a.setField('s1', 'text', '"a" "b"', false)), /^the value is not valid JSON \(line 1, column 7: syntax error while parsing value - unexpected string literal; expected end of input\)$/);
  assert.equal(refused(a.setClassification('speech', '[{"x": 1, "x": 1}]', false)), 'in the value, [0].x appears twice in the same object');
  assert.equal(refused(a.addSegment('t1', 1000, 2000, '{"text": "a", "text": "b"}')), 'in the segment fields, text appears twice in the same object');
  assert.equal(refused(a.addSegment('t1', 1000, 2000, '[]')), 'segment fields must be a JSON object');
  // What JSON.stringify writes (all the element sends) still reads.
  assert.equal(a.setField('s1', 'text', JSON.stringify({ a: [1, { b: null }] }), false).ok, true);
  assert.equal(a.addSegment('t1', 1000, 2000, JSON.stringify({ text: 'x' })).ok, true);
  a.delete();
});
