// SPDX-License-Identifier: MIT
// The pre-annotation Lambda on Ground Truth's documented event shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handler } from '../../scripts/aws/lambda/pre-annotation.mjs';

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

test('a line without media is reported with what it has', async () => {
  await assert.rejects(handler(event({ transcription: 'Hello', 'call-id': 'C-1' })),
    /the manifest line has no media: it needs "source-ref" \(or "taskObject" or "source"\) as an s3:\/\/ URI; its fields are: transcription, call-id/);
  await assert.rejects(handler({ version: '2018-10-16' }), /the event has no dataObject/);
});
