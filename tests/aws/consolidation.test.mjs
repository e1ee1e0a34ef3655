// SPDX-License-Identifier: MIT
// Consolidation: the pure matching and voting, then the Lambda on Ground Truth's documented event
// with its payload read from a loopback S3 endpoint through the real SDK client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consolidate, iou, matchSegments } from '../../scripts/aws/lambda/consolidate.mjs';
import { handler } from '../../scripts/aws/lambda/consolidation.mjs';
import { startS3Stub } from './s3-stub.mjs';

const R = 48000;
const doc = (segments, classifications = {}) => ({
  format: 'avseg.annotation', version: 1, timebase: { rate: R, frames: R * 60 },
  tracks: [{ id: 'a', category: 'speaker', tag: 'Customer' }, { id: 'b', category: 'speaker', tag: 'Representative' }],
  segments: segments.map(([track, s, e, fields], i) => ({ id: `s${i + 1}`, track, start: Math.round(s * R), end: Math.round(e * R), fields })),
  classifications,
});

const three = [
  doc([['a', 1.00, 2.00, { text: 'hello', emotion: 'Happy' }], ['b', 3, 4, { text: 'hi' }], ['a', 5, 6, { text: 'extra' }]], { speech: 'Speech', rate: 4 }),
  doc([['a', 1.02, 2.04, { text: 'hello', emotion: 'Happy' }], ['b', 3.1, 4.1, { text: 'hi there' }]], { speech: 'Speech', rate: 5 }),
  doc([['a', 0.98, 1.96, { text: 'hallo', emotion: 'Happy' }], ['b', 2.9, 3.9, { text: 'hi' }]], { speech: 'Speech', rate: 4 }),
].map((document, i) => ({ workerId: `w${i + 1}`, document }));

test('segments are matched by overlap within a track, never two of one annotator in a match', () => {
  assert.equal(iou({ start: 0, end: 2 }, { start: 1, end: 3 }), 1 / 3);
  const groups = matchSegments([[{ start: 0, end: 1 }, { start: 0.5, end: 1.5 }], [{ start: 0.1, end: 1.1 }]]);
  assert.equal(groups.length, 2);
  assert.ok(groups.every((g) => new Set(g.members.map((m) => m.worker)).size === g.members.length));
});

test('the consensus takes median boundaries and majority labels; a minority\'s segment is left out', () => {
  const { consensus, agreement } = consolidate(three);
  const byTag = (tag) => consensus.segments.filter((s) => consensus.tracks.find((t) => t.id === s.track).tag === tag);
  const [c] = byTag('Customer');
  assert.equal(byTag('Customer').length, 1, 'the segment only one annotator marked is not in the consensus');
  assert.deepEqual([c.start, c.end, c.support], [1.00 * R, 2.00 * R, 3]);
  assert.deepEqual(c.fields, { text: 'hello', emotion: 'Happy' });
  const [r] = byTag('Representative');
  assert.deepEqual([r.startTime, r.endTime], [3, 4]);
  assert.equal(r.fields.text, 'hi');
  assert.deepEqual(consensus.classifications, { speech: 'Speech', rate: 4 });
  assert.equal(agreement.workers, 3);
  assert.equal(agreement.segmentsUnmatched, 1);
  // Customer: 0, 0, 20, 40, 20, 40 ms; Representative: 0, 0, 100, 100, 100, 100 ms.
  assert.ok(Math.abs(agreement.meanBoundaryDisagreementMs - (120 + 400) / 12) < 1e-6, String(agreement.meanBoundaryDisagreementMs));
  assert.ok(agreement.meanTemporalIoU > 0.8 && agreement.meanTemporalIoU < 1);
  // Votes: Customer text (split), emotion (all), Representative text (split), speech (all), rate (split).
  assert.equal(agreement.labelAgreement, 2 / 5);
});

test('the Lambda reads the payload from S3 and answers in Ground Truth\'s shape, keeping every raw answer', async (t) => {
  const s3 = await startS3Stub();
  t.after(() => s3.close());
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' });
  const answer = (workerId, document) => ({ workerId, annotationData: { content: JSON.stringify({ annotations: JSON.stringify(document) }) } });
  const payload = [
    { datasetObjectId: '0', dataObject: { s3Uri: 's3://media/call-1.mp3' }, annotations: three.map((a) => answer(a.workerId, a.document)) },
    { datasetObjectId: '1', dataObject: { s3Uri: 's3://media/call-2.mp3' },
      annotations: [answer('w1', three[0].document), { workerId: 'w9', annotationData: { content: JSON.stringify({ annotations: '{"format": "nope"}' }) } }] },
  ];
  s3.objects.set('gt-bucket/job/annotations/consolidation-request/iteration-1/2026.json', { body: Buffer.from(JSON.stringify(payload)) });
  const out = await handler({
    version: '2018-10-16', labelingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:labeling-job/calls', labelCategories: [],
    labelAttributeName: 'segments', roleArn: 'arn:aws:iam::123456789012:role/gt',
    payload: { s3Uri: 's3://gt-bucket/job/annotations/consolidation-request/iteration-1/2026.json' },
  });
  delete process.env.AWS_ENDPOINT_URL_S3;
  assert.equal(s3.requests.filter((r) => r.method === 'GET').length, 1);
  assert.deepEqual(out.map((o) => o.datasetObjectId), ['0', '1']);
  const first = out[0].consolidatedAnnotation.content.segments;
  assert.equal(first.consensus.segments.length, 2);
  assert.equal(first.agreement.workers, 3);
  assert.deepEqual(first.workers.map((w) => w.workerId), ['w1', 'w2', 'w3']);
  assert.equal(first.annotationsFromAllWorkers.length, 3);
  const second = out[1].consolidatedAnnotation.content.segments;
  assert.equal(second.agreement.workers, 1);
  assert.equal(second.problems.length, 1);
  assert.match(second.problems[0].message, /^its annotations are not an avseg document: format: must be "avseg\.annotation"/);
  assert.equal(second.annotationsFromAllWorkers.length, 2, 'the unreadable answer is still kept raw');
});
