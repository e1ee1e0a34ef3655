// SPDX-License-Identifier: MIT
// The Lambdas on comparison jobs (doc/comparison-format.md): pre-annotation of good and bad
// comparison lines, and the consolidation of three annotators' comparison documents through the
// handler (payload and answers on a loopback S3 endpoint, the real SDK client), its majority and
// agreement figures checked against values worked out by hand.
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { handler as preAnnotate } from '../../scripts/aws/lambda/pre-annotation.mjs';
import { handler as consolidateJob } from '../../scripts/aws/lambda/consolidation.mjs';
import { startS3Stub } from './s3-stub.mjs';

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:labeling-job/tts-review';
const line = (clips, extra = {}) => ({ version: '2018-10-16', labelingJobArn: ARN, dataObject: { source: 'Hello <b>there</b>', prompt: 'Hello <b>there</b>', ...extra, clips } });

test('pre-annotation passes a comparison line: each clip\'s media, system and peaks, the prompt and the job', async () => {
  const out = await preAnnotate(line([
    { 'source-ref': ' s3://b/a/1.wav ', system: 'tts-a', 'peaks-ref': 's3://b/a/1.dat' },
    { taskObject: 's3://b/b/1.wav', system: 'tts-b' },
    { 'source-ref': 's3://b/c/1.wav', system: 'tts-c' },
  ], { id: 'p-1' }));
  assert.equal(out.isHumanAnnotationRequired, true);
  assert.equal(out.taskInput.prompt, 'Hello <b>there</b>');
  assert.equal(out.taskInput.id, 'p-1');
  assert.equal(out.taskInput.avsegJob, 'tts-review');
  assert.deepEqual(out.taskInput.clips.map((c) => [c['source-ref'], c.system, c['peaks-ref']]),
    [['s3://b/a/1.wav', 'tts-a', 's3://b/a/1.dat'], ['s3://b/b/1.wav', 'tts-b', undefined], ['s3://b/c/1.wav', 'tts-c', undefined]]);
});

test('pre-annotation skips a bad comparison line, not sent to a worker, with the reason logged', async (t) => {
  const warned = [];
  t.mock.method(console, 'warn', (m) => warned.push(m));
  const bad = [
    [[{ 'source-ref': 's3://b/1.wav', system: 'a' }], /"clips" has 1 clips: a comparison has 2 to 4/],
    [Array.from({ length: 5 }, (_, i) => ({ 'source-ref': `s3://b/${i}.wav`, system: `s${i}` })), /has 5 clips/],
    [[{ 'source-ref': 's3://b/1.wav', system: 'a' }, { 'source-ref': 's3://b/2.wav', system: ' a' }], /clips 1 and 2 have the same system "a"/],
    [[{ 'source-ref': 's3://b/1.wav', system: 'a' }, { system: 'b' }], /clip 2 has no "source-ref"/],
    [[{ 'source-ref': 's3://b/1.wav', system: 'a' }, { 'source-ref': 's3://b/2.wav' }], /clip 2 has no "system"/],
    ['s3://b/1.wav', /"clips" is not a list/],
  ];
  for (const [clips, reason] of bad) {
    const out = await preAnnotate(line(clips));
    assert.equal(out.isHumanAnnotationRequired, false, String(reason));
    assert.match(warned.at(-1), reason);
    assert.match(warned.at(-1), /skipped \(isHumanAnnotationRequired: false\) a comparison line in arn:/);
  }
  const two = [{ 'source-ref': 's3://b/1.wav', system: 'a' }, { 'source-ref': 's3://b/2.wav', system: 'b' }];
  for (const seed of ['xyz', '12345678901234567', 42]) {
    const out = await preAnnotate({ ...line(two), dataObject: { ...line(two).dataObject, seed } });
    assert.equal(out.isHumanAnnotationRequired, false, `seed ${seed}`);
    assert.match(warned.at(-1), /"seed" must be an order seed of 1 to 16 hex digits/);
  }
  const good = await preAnnotate({ ...line(two), dataObject: { ...line(two).dataObject, seed: '00ff' } });
  assert.equal(good.isHumanAnnotationRequired, true);
  assert.equal(good.taskInput.seed, '00ff');
});

// --- consolidation ---

const R = 48000;
const marks = (spans) => ({
  format: 'avseg.annotation', version: 1, timebase: { rate: R, frames: R * 5 },
  tracks: [{ id: 't1', category: 'issue', tag: 'Mispronunciation' }],
  segments: spans.map(([s, e], i) => ({ id: `s${i + 1}`, track: 't1', start: Math.round(s * R), end: Math.round(e * R), fields: {} })),
  classifications: {},
});
const systems = ['tts-a', 'tts-b', 'tts-c'];
/** One annotator's comparison document, clips in manifest order. */
function comparison(worker, { ratings, judgement, spans = [] }) {
  return {
    format: 'avseg-comparison', version: 1, prompt: 'Hello', taskId: 'p-1', annotator: worker, blind: true, seed: '0123456789abcdef',
    order: ratings.map((_, i) => i).reverse(),
    clips: ratings.map((r, i) => ({ system: systems[i], source: `s3://b/${systems[i]}/1.wav`, shownAs: 'ABCD'[ratings.length - 1 - i], annotation: marks(spans[i] ?? []), ratings: r, heardMs: 1000 })),
    judgement, timings: { openedAt: '2026-11-30T02:00:00Z', submittedAt: '2026-11-30T02:05:00Z', switches: 4, loops: 0 },
  };
}
const answer = (workerId, doc) => ({ workerId, annotationData: { content: JSON.stringify({ comparison: JSON.stringify(doc) }) } });

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
// Each payload entry's dataObject is {content} as Ground Truth gives a comparison line's inline "source".
const PAYLOAD = 's3://gt-bucket/job/annotations/consolidation-request/iteration-1/2026-11-30_02:00:00.json';

test('consolidation of a comparison job: per task the majority judgement, Fleiss\' kappa and each criterion\'s Krippendorff alpha, each clip\'s marks', async (t) => {
  const s3 = await withS3(t);
  // A preference: two of three prefer the second clip (CMOS +2, +1), one the first (-1).
  // Naturalness by clip: [3, 2, 3] and [5, 4, 4]; pronunciation [2, 2, 2] and [5, 5, 5].
  const pref = [[+2, [3, 5], [2, 5]], [+1, [2, 4], [2, 5]], [-1, [3, 4], [2, 5]]].map(([cmos, nat, pro], w) => answer(`w${w + 1}`, comparison(`w${w + 1}`, {
    ratings: [0, 1].map((c) => ({ naturalness: nat[c], pronunciation: pro[c] })),
    judgement: { type: 'preference', cmos, shownCmos: -cmos, preferred: cmos > 0 ? 1 : cmos < 0 ? 0 : null, reason: 'why' },
    spans: [[], [[1.0 + w * 0.02, 1.5 + w * 0.02]]],
  })));
  // A ranking of three clips: [1, 2, 3], [1, 3, 2], [2, 1, 3].
  const rank = [[1, 2, 3], [1, 3, 2], [2, 1, 3]].map((ranks, w) => answer(`w${w + 1}`, comparison(`w${w + 1}`, {
    ratings: ranks.map(() => ({})), judgement: { type: 'ranking', ranks, reason: '' },
  })));
  s3.objects.set(PAYLOAD.slice(5), { body: Buffer.from(JSON.stringify([{ datasetObjectId: '0', dataObject: { content: 'Hello <b>there</b>' }, annotations: pref }, { datasetObjectId: '1', dataObject: { content: 'utt-1' }, annotations: rank }])) });
  const out = await consolidateJob({ version: '2018-10-16', labelingJobArn: ARN, labelAttributeName: 'review', payload: { s3Uri: PAYLOAD } });
  const entry = (id) => out.find((o) => o.datasetObjectId === id).consolidatedAnnotation.content.review;

  const p = entry('0');
  assert.deepEqual(p.problems, []);
  assert.equal(p.consensus.format, 'avseg-comparison-consensus');
  assert.deepEqual(p.consensus.judgement, { type: 'preference', preferred: 1, tie: false, majority: true, votes: { first: 1, tie: 0, second: 2 }, cmos: 1 });
  // By hand: one item, counts [1, 0, 2]: P = 1/3, Pe = 1/9 + 4/9, kappa = (1/3 - 5/9) / (4/9) = -1/2.
  assert.equal(p.agreement.workers, 3);
  assert.ok(Math.abs(p.agreement.fleissKappa - -0.5) < 1e-9, `kappa ${p.agreement.fleissKappa}`);
  // By hand (interval): Do = (2 + 2) / 6, De = 66 / 30, alpha = 1 - 10/33 = 23/33; pronunciation agrees fully.
  assert.ok(Math.abs(p.agreement.krippendorffAlpha.naturalness - 23 / 33) < 1e-9, `alpha ${p.agreement.krippendorffAlpha.naturalness}`);
  assert.ok(Math.abs(p.agreement.krippendorffAlpha.pronunciation - 1) < 1e-9);
  assert.deepEqual(p.consensus.clips.map((c) => c.system), ['tts-a', 'tts-b']);
  assert.deepEqual(p.consensus.clips.map((c) => c.ratings.naturalness.median), [3, 4]);
  assert.equal(p.consensus.clips[1].ratings.naturalness.mean, 13 / 3);
  assert.equal(p.consensus.clips[0].consensus.segments.length, 0);
  assert.deepEqual(p.consensus.clips[1].consensus.segments.map((s) => [s.start, s.end, s.support]), [[Math.round(1.02 * R), Math.round(1.52 * R), 3]]);
  assert.equal(p.annotationsFromAllWorkers.length, 3);

  const r = entry('1');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.consensus.judgement.ranks, [1, 2, 3]);
  assert.deepEqual(r.consensus.judgement.meanRanks.map((m) => m * 3), [4, 6, 8]);
  assert.deepEqual(r.consensus.judgement.pairs.map((x) => x.preferred), [0, 0, 1]);
  // By hand: pairs (0,1) [2,0,1], (0,2) [3,0,0], (1,2) [2,0,1]: P = 5/9, Pe = (7/9)^2 + (2/9)^2, kappa = -2/7.
  assert.ok(Math.abs(r.agreement.fleissKappa - -2 / 7) < 1e-9, `kappa ${r.agreement.fleissKappa}`);
  assert.deepEqual(r.agreement.krippendorffAlpha, {});
});

test('consolidation of a comparison: an answer of other clips or a broken one is named in problems, the rest consolidated', async (t) => {
  const s3 = await withS3(t);
  const good = (w, cmos) => answer(w, comparison(w, { ratings: [{ naturalness: 3 }, { naturalness: 4 }], judgement: { type: 'preference', cmos, shownCmos: -cmos, preferred: 1, reason: '' } }));
  const swapped = comparison('w3', { ratings: [{}, {}], judgement: { type: 'preference', cmos: 1, shownCmos: -1, preferred: 1, reason: '' } });
  swapped.clips.reverse();
  const broken = comparison('w4', { ratings: [{}, {}], judgement: { type: 'preference', cmos: 7, reason: '' } });
  s3.objects.set(PAYLOAD.slice(5), { body: Buffer.from(JSON.stringify([{ datasetObjectId: 'x', dataObject: { content: 'Hello <b>there</b>' }, annotations: [good('w1', 2), good('w2', 3), answer('w3', swapped), answer('w4', broken)] }])) });
  const errors = [];
  t.mock.method(console, 'error', (m) => errors.push(m));
  const out = await consolidateJob({ version: '2018-10-16', labelingJobArn: ARN, labelAttributeName: 'review', payload: { s3Uri: PAYLOAD } });
  const e = out[0].consolidatedAnnotation.content.review;
  assert.deepEqual(e.problems.map((x) => x.workerId), ['w3', 'w4']);
  assert.match(e.problems[0].message, /systems \["tts-b","tts-a"\] are not the task's \["tts-a","tts-b"\]/);
  assert.match(e.problems[1].message, /cmos is 7: a whole number from -3 to 3/);
  assert.equal(e.agreement.workers, 2);
  assert.equal(e.consensus.judgement.preferred, 1);
  assert.equal(e.consensus.judgement.cmos, 2.5);
  assert.equal(errors.length, 2);
});

test('consolidation of a comparison: a broken first answer does not get the sound ones refused; sides contradicting the cmos are named', async (t) => {
  const s3 = await withS3(t);
  const good = (w, cmos) => answer(w, comparison(w, { ratings: [{ naturalness: 3 }, { naturalness: 4 }], judgement: { type: 'preference', cmos, shownCmos: -cmos, preferred: 1, reason: '' } }));
  const swapped = comparison('w0', { ratings: [{}, {}], judgement: { type: 'preference', cmos: 1, shownCmos: -1, preferred: 1, reason: '' } });
  swapped.clips.reverse();
  const contradicting = comparison('w4', { ratings: [{}, {}], judgement: { type: 'preference', cmos: 2, shownCmos: 2, preferred: 1, reason: '' } });
  s3.objects.set(PAYLOAD.slice(5), { body: Buffer.from(JSON.stringify([{ datasetObjectId: 'x', dataObject: { content: 'Hello <b>there</b>' }, annotations: [answer('w0', swapped), good('w1', 2), good('w2', 3), answer('w4', contradicting)] }])) });
  t.mock.method(console, 'error', () => {});
  const out = await consolidateJob({ version: '2018-10-16', labelingJobArn: ARN, labelAttributeName: 'review', payload: { s3Uri: PAYLOAD } });
  const e = out[0].consolidatedAnnotation.content.review;
  assert.deepEqual(e.problems.map((x) => x.workerId), ['w0', 'w4']);
  assert.match(e.problems[0].message, /systems \["tts-b","tts-a"\] are not the task's \["tts-a","tts-b"\]/);
  assert.match(e.problems[1].message, /"shownCmos" 2 contradicts its cmos 2 with the order \[1,0\]/);
  assert.equal(e.agreement.workers, 2);
  assert.deepEqual(e.consensus.clips.map((c) => c.system), ['tts-a', 'tts-b']);
});

test('blind: with AVSEG_BLIND_KEY pre-annotation gives the page no system name, consolidation maps the tokens back and names a tampered one', async (t) => {
  const s3 = await withS3(t);
  process.env.AVSEG_BLIND_KEY = randomBytes(32).toString('base64');
  const names = ['secret-sys-alpha', 'secret-sys-beta'];
  const pre = () => preAnnotate(line(names.map((system, k) => ({ 'source-ref': `s3://b/x/${k}.wav`, system })), { id: 'p-1' }));
  const [one, two] = [await pre(), await pre()];
  assert.doesNotMatch(JSON.stringify(one.taskInput), /secret-sys/, 'no system name in the task input');
  assert.notEqual(one.taskInput.clips[0].system, two.taskInput.clips[0].system, 'a random IV per token');
  assert.equal(one.taskInput.clips[0].system.length, one.taskInput.clips[1].system.length, 'names padded alike');
  // Each worker's page answers with the tokens it was given.
  const tokened = (w, input, cmos) => {
    const doc = comparison(w, { ratings: [{ naturalness: 2 }, { naturalness: 5 }], judgement: { type: 'preference', cmos, shownCmos: -cmos, preferred: 1, reason: '' } });
    doc.clips.forEach((c, k) => { c.system = input.clips[k].system; });
    return doc;
  };
  const tampered = tokened('w3', one.taskInput, 1);
  const t1 = tampered.clips[1].system;
  tampered.clips[1].system = t1.slice(0, -6) + (t1.at(-6) === 'A' ? 'B' : 'A') + t1.slice(-5);
  s3.objects.set(PAYLOAD.slice(5), { body: Buffer.from(JSON.stringify([{ datasetObjectId: 'x', dataObject: { content: 'Hello' }, annotations: [answer('w1', tokened('w1', one.taskInput, 2)), answer('w2', tokened('w2', two.taskInput, 3)), answer('w3', tampered)] }])) });
  t.mock.method(console, 'error', () => {});
  const out = await consolidateJob({ version: '2018-10-16', labelingJobArn: ARN, labelAttributeName: 'review', payload: { s3Uri: PAYLOAD } });
  const e = out[0].consolidatedAnnotation.content.review;
  assert.deepEqual(e.consensus.clips.map((c) => c.system), names, 'the real systems, in manifest order');
  assert.equal(e.consensus.judgement.preferred, 1);
  assert.deepEqual(e.problems.map((x) => x.workerId), ['w3']);
  assert.match(e.problems[0].message, /clips\[1\]\.system: the blind token "avseg-blind:v1:.*does not open with AVSEG_BLIND_KEY \(tampered with, or made under another key\)/);

  // Without the key the systems pass through, and the log says the page shows them.
  delete process.env.AVSEG_BLIND_KEY;
  const warned = [];
  t.mock.method(console, 'warn', (m) => warned.push(m));
  const open = await pre();
  assert.deepEqual(open.taskInput.clips.map((c) => c.system), names);
  assert.match(warned.at(-1), /AVSEG_BLIND_KEY is not set for arn:.*blind comparisons show the systems in the page's source/);
});
