// SPDX-License-Identifier: MIT
// The pre-annotation Lambda on Ground Truth's documented event shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskError, handler } from '../../scripts/aws/lambda/pre-annotation.mjs';

const event = (dataObject) => ({ version: '2018-10-16', labelingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:labeling-job/calls', dataObject });

for (const key of ['source-ref', 'taskObject', 'source']) {
  test(`media given as "${key}" reaches the template under every name; other fields pass through`, async () => {
    const out = await handler(event({ [key]: 's3://b/calls/1.mp3', transcription: 'Hello', 'call-id': 'C-1' }));
    assert.equal(out.isHumanAnnotationRequired, true);
    assert.deepEqual(out.taskInput, {
      [key]: 's3://b/calls/1.mp3', 'source-ref': 's3://b/calls/1.mp3', taskObject: 's3://b/calls/1.mp3', source: 's3://b/calls/1.mp3',
      transcription: 'Hello', 'call-id': 'C-1', avsegJob: 'calls',
    });
  });
}

test('a peaks URI is passed on as "peaks"', async () => {
  const out = await handler(event({ 'source-ref': 's3://b/a.mp3', 'peaks-ref': 's3://b/a.dat' }));
  assert.equal(out.taskInput.peaks, 's3://b/a.dat');
});

test('an analysis sidecar URI (scripts/precompute\'s "analysis-ref") is passed on as "analysis-ref", a comparison clip\'s too', async () => {
  const out = await handler(event({ 'source-ref': 's3://b/a.mp3', 'peaks-ref': 's3://b/a.dat', 'analysis-ref': 's3://b/a.avsa' }));
  assert.equal(out.taskInput['analysis-ref'], 's3://b/a.avsa');
  assert.equal(out.taskInput.analysis, undefined);
  assert.equal((await handler(event({ 'source-ref': 's3://b/a.mp3' }))).taskInput['analysis-ref'], undefined);
  const clips = [{ 'source-ref': 's3://b/x.wav', system: 'x', 'analysis-ref': 's3://b/x.avsa' }, { 'source-ref': 's3://b/y.wav', system: 'y' }];
  const compared = await handler(event({ source: 'p-1', clips }));
  assert.equal(compared.taskInput.clips[0]['analysis-ref'], 's3://b/x.avsa');
  assert.equal(compared.taskInput.clips[1]['analysis-ref'], undefined);
});

test('a plain "analysis" field (a note of the manifest\'s own) passes through untouched and is never taken for a sidecar', async () => {
  const note = 'the speaker hesitates twice';
  const out = await handler(event({ 'source-ref': 's3://b/speech.wav', analysis: note }));
  assert.equal(out.isHumanAnnotationRequired, true);
  assert.equal(out.taskInput.analysis, note);
  assert.equal(out.taskInput['analysis-ref'], undefined);
  const both = await handler(event({ 'source-ref': 's3://b/speech.wav', analysis: note, 'analysis-ref': 's3://b/speech.avsa' }));
  assert.equal(both.taskInput.analysis, note);
  assert.equal(both.taskInput['analysis-ref'], 's3://b/speech.avsa');
  const clips = [{ 'source-ref': 's3://b/x.wav', system: 'x', analysis: note }, { 'source-ref': 's3://b/y.wav', system: 'y' }];
  const compared = await handler(event({ source: 'p-1', clips }));
  assert.equal(compared.taskInput.clips[0].analysis, note);
  assert.equal(compared.taskInput.clips[0]['analysis-ref'], undefined);
});

test('pre-annotations are checked by the core and passed on as a document', async () => {
  const doc = { format: 'avseg.annotation', version: 1, timebase: { rate: 48000, frames: 480000 },
    tracks: [{ id: 't1', category: 'speaker', tag: 'Customer' }], segments: [{ id: 's1', track: 't1', start: 4800, end: 9600, fields: { text: 'hi' } }] };
  const out = await handler(event({ 'source-ref': 's3://b/a.mp3', 'pre-annotations': JSON.stringify(doc) }));
  assert.equal(out.taskInput.preAnnotations.segments[0].start, 4800);
  assert.equal(out.taskInput.preAnnotations.segments[0].fields.text, 'hi');
  assert.ok(!('pre-annotations' in out.taskInput));
  await assert.rejects(handler(event({ 'source-ref': 's3://b/a.mp3', 'pre-annotations': { format: 'something-else' } })),
    /the pre-annotations of s3:\/\/b\/a\.mp3 are not an avseg document: format: must be "avseg\.annotation"/);
});

test('a line without media is skipped (no human task) with a logged reason naming what it has, not a thrown error', async (t) => {
  const warn = t.mock.method(console, 'warn', () => {});
  for (const data of [{ transcription: 'Hello', 'call-id': 'C-1' }, { 'source-ref': '  ', transcription: 'Hello', 'call-id': 'C-1' }]) {
    const out = await handler(event(data));
    assert.equal(out.isHumanAnnotationRequired, false);
    assert.deepEqual(out.taskInput, data);
  }
  assert.equal(warn.mock.callCount(), 2);
  assert.match(warn.mock.calls[0].arguments[0],
    /^pre-annotation: skipped \(isHumanAnnotationRequired: false\) a manifest line with no media in arn:aws:sagemaker:us-east-1:123456789012:labeling-job\/calls: it needs "source-ref" \(or "taskObject" or "source"\) as an s3:\/\/ URI; its fields are: transcription, call-id$/);
  assert.match(warn.mock.calls[1].arguments[0], /its fields are: source-ref, transcription, call-id$/);
  // An event that is not a manifest line at all is still an error.
  await assert.rejects(handler({ version: '2018-10-16' }), /the event has no dataObject/);
});

test('pre-annotations with a lone surrogate are refused naming the field, never passed on changed; well-formed text passes exactly', async () => {
  const doc = (text, tag = 'Customer') => ({ format: 'avseg.annotation', version: 1, timebase: { rate: 48000, frames: 480000 },
    tracks: [{ id: 't1', category: 'speaker', tag }], segments: [{ id: 's1', track: 't1', start: 4800, end: 9600, fields: { text } }] });
  const refused = (where, at, unit = 'D800') => new RegExp(`the pre-annotations of s3://b/a\\.mp3 are not an avseg document: ${where.replace(/[.[\]]/g, '\\$&')} is not well-formed Unicode text \\(an unpaired surrogate U\\+${unit} at character ${at}\\): refused, as it could not be stored unchanged$`);
  const line = (pre) => event({ 'source-ref': 's3://b/a.mp3', 'pre-annotations': pre });
  // As the manifest line's JSON gives it: an object holding the string, a string holding it raw, or escaped.
  await assert.rejects(handler(line(doc('caf\ud800'))), (err) => err instanceof TaskError && refused('segments[0].fields.text', 4).test(err.message));
  await assert.rejects(handler(line(JSON.stringify(doc('caf\ud800')).replace('\\ud800', '\ud800'))), refused('segments[0].fields.text', 4));
  await assert.rejects(handler(line(JSON.stringify(doc('caf\ud800')))), refused('segments[0].fields.text', 4));
  await assert.rejects(handler(line(doc('ok', '\udc00Rep'))), refused('tracks[0].tag', 1, 'DC00'));
  await assert.rejects(handler(line('{"format": "avseg.annotation", \ud800')), /are not an avseg document: the document is not well-formed Unicode text \(an unpaired surrogate U\+D800 at character 32\): refused/);
  const text = 'café 😀 \u{1F469}\u200D\u{1F4BB}';
  const out = await handler(line(JSON.stringify(doc(text))));
  assert.equal(out.taskInput.preAnnotations.segments[0].fields.text, text);
});
