// SPDX-License-Identifier: MIT
// Consolidation: the pure matching and voting, then the Lambda on Ground Truth's documented event
// with its payload and answers read from a loopback S3 endpoint through the real SDK client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consolidate, iou, matchSegments, median } from '../../scripts/aws/lambda/consolidate.mjs';
import { handler } from '../../scripts/aws/lambda/consolidation.mjs';
import { answerContent, generateAnswers, random } from './answers.mjs';
import { startS3Stub } from './s3-stub.mjs';

const R = 48000;
const LAMBDA_RESPONSE_LIMIT = 6 * 2 ** 20;
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

/** The matching as first written: every segment scored against every group, O(n²). */
function bruteForceMatch(perWorker) {
  const groups = [];
  perWorker.forEach((segments, worker) => {
    for (const seg of [...segments].sort((a, b) => a.start - b.start)) {
      let best = null;
      let bestIou = 0.3;
      for (const g of groups) {
        if (g.members.some((m) => m.worker === worker)) continue;
        const score = iou(seg, g.span);
        if (score >= bestIou) {
          best = g;
          bestIou = score;
        }
      }
      if (best) {
        best.members.push({ ...seg, worker });
        best.span = { start: median(best.members.map((m) => m.start)), end: median(best.members.map((m) => m.end)) };
      } else {
        groups.push({ members: [{ ...seg, worker }], span: { start: seg.start, end: seg.end } });
      }
    }
  });
  return groups.sort((a, b) => a.span.start - b.span.start);
}

/** Random segments that overlap, nest, repeat and tie (times on a coarse grid), of very different lengths. */
function randomPerWorker(rnd) {
  const workers = 1 + Math.floor(rnd() * 5);
  const grid = [0.25, 0.1, 1e-3][Math.floor(rnd() * 3)];
  const span = 5 + rnd() * 60;
  return Array.from({ length: workers }, () => Array.from({ length: Math.floor(rnd() * 60) }, (_, i) => {
    const start = Math.round((rnd() * span) / grid) * grid;
    const length = Math.max(grid, Math.round((rnd() < 0.2 ? rnd() * span : rnd() * 3) / grid) * grid);
    return { start, end: start + length, i };
  }));
}

/** Sets up the SDK's environment for the loopback S3 endpoint for the length of a test. */
async function withS3(t) {
  const s3 = await startS3Stub();
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' });
  t.after(async () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await s3.close();
  });
  return s3;
}

const PAYLOAD = 's3://gt-bucket/job/annotations/consolidation-request/iteration-1/2026-11-29_10:00:00.json';
const event = () => ({
  version: '2018-10-16', labelingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:labeling-job/calls', labelCategories: [],
  labelAttributeName: 'segments', roleArn: 'arn:aws:iam::123456789012:role/gt', payload: { s3Uri: PAYLOAD },
});
const putJson = (s3, uri, value) => s3.objects.set(uri.slice('s3://'.length), { body: Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)) });
const answer = (workerId, document) => ({ workerId, annotationData: { content: answerContent(document) } });
const entryOf = (out, id) => out.find((o) => o.datasetObjectId === id)?.consolidatedAnnotation.content.segments;
const objectText = (s3, uri) => s3.objects.get(uri.slice('s3://'.length))?.body.toString();

test('segments are matched by overlap within a track, never two of one annotator in a match', () => {
  assert.equal(iou({ start: 0, end: 2 }, { start: 1, end: 3 }), 1 / 3);
  const groups = matchSegments([[{ start: 0, end: 1 }, { start: 0.5, end: 1.5 }], [{ start: 0.1, end: 1.1 }]]);
  assert.equal(groups.length, 2);
  assert.ok(groups.every((g) => new Set(g.members.map((m) => m.worker)).size === g.members.length));
});

test('matching scales as n log n: 100,000 segments per worker for 3 workers consolidate through the Lambda within a generous bound, grouped as scoring every group would', async (t) => {
  const rnd = random(7);
  for (let i = 0; i < 400; i++) {
    const perWorker = randomPerWorker(rnd);
    assert.deepEqual(matchSegments(perWorker), bruteForceMatch(perWorker), `random case ${i}`);
  }
  // Realistic answers too: the generated annotators' segments of one track.
  const track = (answers) => answers.map(({ document: d }) => d.segments.filter((s) => s.track === 't1').map((s) => ({ start: s.start / R, end: s.end / R })));
  assert.deepEqual(matchSegments(track(generateAnswers({ segments: 4000, workers: 3, seed: 5 }))), bruteForceMatch(track(generateAnswers({ segments: 4000, workers: 3, seed: 5 }))));

  const s3 = await withS3(t);
  const answers = generateAnswers({ segments: 100000, workers: 3, seed: 3 });
  putJson(s3, PAYLOAD, [{ datasetObjectId: '0', annotations: answers.map((a) => answer(a.workerId, a.document)) }]);
  const t0 = performance.now();
  const out = await handler(event());
  const seconds = (performance.now() - t0) / 1000;
  t.diagnostic(`the Lambda: 3 workers x ${answers.map((a) => a.document.segments.length).join(', ')} segments in ${seconds.toFixed(2)} s (figures: scripts/bench, section 9)`);
  // Only catches a return to O(n²), which took minutes; the 10 s goal is the benchmark's.
  assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s`);
  const entry = entryOf(out, '0');
  assert.deepEqual(entry.problems, []);
  const consensus = JSON.parse(objectText(s3, entry.consensusS3Uri));
  // The generated annotators agree on nearly all of the 100,000 shared segments.
  assert.ok(consensus.segments.length > 99000 && consensus.segments.length <= 100000, String(consensus.segments.length));
  assert.ok(entry.agreement.meanTemporalIoU > 0.9, String(entry.agreement.meanTemporalIoU));
  assert.ok(Buffer.byteLength(JSON.stringify(out)) < LAMBDA_RESPONSE_LIMIT);
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
  const s3 = await withS3(t);
  const payload = [
    { datasetObjectId: '0', dataObject: { s3Uri: 's3://media/call-1.mp3' }, annotations: three.map((a) => answer(a.workerId, a.document)) },
    { datasetObjectId: '1', dataObject: { s3Uri: 's3://media/call-2.mp3' },
      annotations: [answer('w1', three[0].document), { workerId: 'w9', annotationData: { content: JSON.stringify({ annotations: '{"format": "nope"}' }) } }] },
  ];
  putJson(s3, PAYLOAD, payload);
  const out = await handler(event());
  assert.equal(s3.requests.filter((r) => r.method === 'GET').length, 1);
  assert.equal(s3.requests.filter((r) => r.method === 'PUT').length, 0, 'a small response is all inline');
  assert.deepEqual(out.map((o) => o.datasetObjectId), ['0', '1']);
  const first = entryOf(out, '0');
  assert.equal(first.consensus.segments.length, 2);
  assert.equal(first.agreement.workers, 3);
  assert.deepEqual(first.annotationsFromAllWorkers.map((w) => w.workerId), ['w1', 'w2', 'w3']);
  assert.deepEqual(first.annotationsFromAllWorkers[1].annotationData, payload[0].annotations[1].annotationData);
  const second = entryOf(out, '1');
  assert.equal(second.agreement.workers, 1);
  assert.equal(second.problems.length, 1);
  assert.match(second.problems[0].message, /^its annotations are not an avseg document: format: must be "avseg\.annotation"/);
  assert.equal(second.annotationsFromAllWorkers.length, 2, 'the unreadable answer is still kept raw');
});

test('answers given as annotationData.s3Uri are read through the SDK; an unreadable or malformed item gets an entry with its problems, the others are consolidated', async (t) => {
  const s3 = await withS3(t);
  const inS3 = 's3://gt-bucket/job/annotations/worker-response/iteration-1/0/2026-11-29_09:59:00.json';
  putJson(s3, inS3, answerContent(three[1].document));
  putJson(s3, 's3://gt-bucket/answers/broken-bytes.json', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]));
  const payload = [
    { datasetObjectId: '0', annotations: [answer('w1', three[0].document), { workerId: 'w2', annotationData: { s3Uri: inS3 } }, answer('w3', three[2].document)] },
    { datasetObjectId: '1', annotations: 5 },
    null,
    { dataObject: { s3Uri: 's3://media/no-id.mp3' }, annotations: [] },
    { datasetObjectId: '2', annotations: [
      { workerId: 'w1', annotationData: { s3Uri: 's3://gt-bucket/answers/gone.json' } },
      { workerId: 'w2', annotationData: { content: '{"annotations": ' } },
      { workerId: 'w3', annotationData: { s3Uri: 's3://gt-bucket/answers/broken-bytes.json' } },
      { workerId: 'w4' },
      answer('w5', three[0].document),
    ] },
  ];
  putJson(s3, PAYLOAD, payload);
  const logged = [];
  t.mock.method(console, 'error', (line) => logged.push(line));
  const out = await handler(event());
  assert.deepEqual(out.map((o) => o.datasetObjectId), ['0', '1', '2'], 'items without an id are left out, every other one has an entry');
  assert.ok(logged.some((l) => /payload item 2 has no datasetObjectId and is left out \(null\)/.test(l)), logged.join('\n'));
  assert.ok(logged.some((l) => /payload item 3 has no datasetObjectId/.test(l)));

  const first = entryOf(out, '0');
  assert.deepEqual(first.problems, []);
  assert.equal(first.agreement.workers, 3);
  assert.deepEqual(first.consensus, consolidate(three).consensus, 'the answer read from S3 counts like the inline ones');
  assert.deepEqual(first.annotationsFromAllWorkers[1], { workerId: 'w2', annotationData: { s3Uri: inS3 } }, 'referenced, not copied inline');
  assert.ok(s3.requests.some((r) => r.method === 'GET' && `s3://${r.bucket}/${r.key}` === inS3));

  assert.deepEqual(entryOf(out, '1'), { consensus: null, agreement: { workers: 0 }, problems: [{ message: "the item's annotations are not a list (got number 5)" }], annotationsFromAllWorkers: [] });

  const third = entryOf(out, '2');
  assert.equal(third.agreement.workers, 1, 'the one readable answer is consolidated');
  assert.deepEqual(third.problems.map((p) => p.workerId), ['w1', 'w2', 'w3', 'w4']);
  assert.match(third.problems[0].message, /^the answer \(s3:\/\/gt-bucket\/answers\/gone\.json\) could not be read: NoSuchKey: /);
  assert.match(third.problems[1].message, /^the answer is not JSON \(/);
  assert.equal(third.problems[2].message, 'the answer (s3://gt-bucket/answers/broken-bytes.json) is not valid UTF-8');
  assert.equal(third.problems[3].message, 'the answer has neither annotationData.content nor annotationData.s3Uri');
  assert.equal(third.annotationsFromAllWorkers.length, 5, 'every raw answer is kept, readable or not');
});

test('the Lambda reads answers with the core\'s strict JSON reader: a repeated key, a depth bomb and invalid UTF-8 are each refused with a clear message', async (t) => {
  const s3 = await withS3(t);
  const text = JSON.stringify(three[0].document);
  const duplicate = text.replace('"version":1', '"version":1,"version":1');
  const bomb = text.replace('"classifications":{', `"classifications":{"x":${'['.repeat(100000)}${']'.repeat(100000)},`);
  const raw = (workerId, documentText) => ({ workerId, annotationData: { content: JSON.stringify({ annotations: documentText }) } });
  // The answer's JSON carries an unpaired surrogate ("\ud800", valid JSON) inside the document's text.
  const surrogate = `{"annotations": ${JSON.stringify(text).replace('hello', 'hel\\ud800lo')}}`;
  putJson(s3, PAYLOAD, [{ datasetObjectId: '0', annotations: [
    raw('dup', duplicate), raw('bomb', bomb), { workerId: 'utf8', annotationData: { content: surrogate } }, answer('ok', three[1].document),
  ] }]);
  assert.equal(JSON.parse(duplicate).version, 1, 'JavaScript\'s own parser takes the repeated key');
  assert.equal(JSON.parse(JSON.parse(surrogate).annotations).segments[0].fields.text, 'hel\ud800lo');
  const out = await handler(event());
  const entry = entryOf(out, '0');
  const message = (w) => entry.problems.find((p) => p.workerId === w)?.message;
  assert.equal(message('dup'), 'its annotations are not an avseg document: version: appears twice in the same object');
  assert.equal(message('bomb'), `its annotations are not an avseg document: classifications.x${'[0]'.repeat(62)}: nested too deeply (more than 64 levels)`);
  const column = text.indexOf('"hello"') + 5;
  assert.equal(message('utf8'), `its annotations are not an avseg document: document: is not valid UTF-8 (byte 0xED at line 1, column ${column})`);
  assert.equal(entry.agreement.workers, 1);
});

test('an item without answers gets no consensus and says why', async (t) => {
  const s3 = await withS3(t);
  putJson(s3, PAYLOAD, [{ datasetObjectId: '0', annotations: [] }, { datasetObjectId: '1', annotations: three.map((a) => answer(a.workerId, a.document)) }]);
  t.mock.method(console, 'error', () => {});
  const out = await handler(event());
  assert.deepEqual(entryOf(out, '0'), { consensus: null, agreement: { workers: 0 }, problems: [{ message: 'the item has no answers' }], annotationsFromAllWorkers: [] });
  assert.deepEqual(entryOf(out, '1').consensus, consolidate(three).consensus);
});

test('an answer with two tracks of one category and tag is refused as that worker\'s problem, not merged into one consensus track', async (t) => {
  const s3 = await withS3(t);
  // Tracks are matched across annotators by category and tag: two "speaker Customer" tracks in one
  // answer would pool their segments, and the consensus would lose which was which.
  const twin = structuredClone(three[0].document);
  twin.tracks.push({ id: 'c', category: 'speaker', tag: 'Customer' });
  twin.segments.push({ id: 's9', track: 'c', start: Math.round(1.01 * R), end: Math.round(2.02 * R), fields: { text: 'other' } });
  putJson(s3, PAYLOAD, [{ datasetObjectId: '0', annotations: [answer('twin', twin), answer('w2', three[1].document), answer('w3', three[2].document)] }]);
  t.mock.method(console, 'error', () => {});
  const entry = entryOf(await handler(event()), '0');
  assert.deepEqual(entry.problems, [{ workerId: 'twin', message: "its annotations are not an avseg document: tracks[2]: a second track 'speaker: Customer' (the first is tracks[0])" }]);
  assert.equal(entry.agreement.workers, 2);
  assert.deepEqual(entry.consensus, consolidate(three.slice(1)).consensus);
});

test('the response stays under Lambda\'s 6 MB: large raw answers and consensus documents are written to S3 and referenced, not repeated inline', async (t) => {
  const s3 = await withS3(t);
  // 2 items of 3 large answers (~400 KB each, always referenced), 14 of 3 medium ones (~140 KB,
  // moved largest first until the response fits), one of 3 small ones (kept inline).
  const items = [];
  const contents = new Map();
  const add = (id, segments, seed) => {
    const answers = generateAnswers({ segments, workers: 3, seed });
    items.push({ datasetObjectId: id, annotations: answers.map((a) => answer(a.workerId, a.document)) });
    answers.forEach((a, i) => contents.set(`${id}/${i}`, items.at(-1).annotations[i].annotationData.content));
  };
  for (let i = 0; i < 2; i++) add(`big-${i}`, 3000, 10 + i);
  for (let i = 0; i < 14; i++) add(`medium-${i}`, 1000, 20 + i);
  add('small', 10, 40);
  putJson(s3, PAYLOAD, items);
  const inlineBefore = Buffer.byteLength(JSON.stringify(items));
  assert.ok(inlineBefore > LAMBDA_RESPONSE_LIMIT, `the answers alone are ${inlineBefore} bytes`);

  const out = await handler(event());
  const size = Buffer.byteLength(JSON.stringify(out));
  t.diagnostic(`response ${size} bytes for ${inlineBefore} bytes of answers`);
  assert.ok(size < LAMBDA_RESPONSE_LIMIT, `the response is ${size} bytes`);
  let referenced = 0;
  for (const { datasetObjectId: id } of items) {
    const entry = entryOf(out, id);
    assert.deepEqual(entry.problems, [], id);
    entry.annotationsFromAllWorkers.forEach((w, i) => {
      const original = contents.get(`${id}/${i}`);
      if (w.annotationData.s3Uri) {
        referenced++;
        assert.match(w.annotationData.s3Uri, /^s3:\/\/gt-bucket\/job\/annotations\/avseg-consolidation\/iteration-1\/2026-11-29_10:00:00\/(big|medium)-\d+\/answers\/\d-private\.us-east-1\.w\d\.json$/);
        assert.equal(objectText(s3, w.annotationData.s3Uri), original, `${id}/${i}: the object holds the answer as it was`);
        assert.deepEqual(Object.keys(w.annotationData), ['s3Uri']);
      } else {
        assert.equal(w.annotationData.content, original);
      }
    });
    const consensus = entry.consensus ?? JSON.parse(objectText(s3, entry.consensusS3Uri));
    assert.ok(consensus.segments.length > 0, id);
    assert.ok(entry.agreement.workers === 3);
  }
  for (let i = 0; i < 2; i++) assert.ok(entryOf(out, `big-${i}`).annotationsFromAllWorkers.every((w) => w.annotationData.s3Uri), 'answers over 256 KiB are always referenced');
  assert.ok(entryOf(out, 'small').annotationsFromAllWorkers.every((w) => w.annotationData.content), 'small answers stay inline');
  assert.ok(referenced > 6 && referenced < 48, `${referenced} answers referenced`);
  assert.equal(s3.requests.filter((r) => r.method === 'PUT').length, referenced + out.filter((o) => o.consolidatedAnnotation.content.segments.consensusS3Uri).length);
});
