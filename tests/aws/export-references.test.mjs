// SPDX-License-Identifier: MIT
// scripts/export on what a cloud job really writes once answers are large: the consolidation
// Lambda (run here on its own event against a loopback S3 endpoint through the real SDK) moves raw
// answers and the consensus to S3 and references them; Ground Truth's and the local run's
// worker-response files are referenced by s3:// URI or by a path beside the manifest. The export
// reads every reference the same way, and names each one it cannot read.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EXPORTS } from '../../web/src/exports.js';
import { answerContent, generateAnswers } from './answers.mjs';
import { startS3Stub, stubEnv } from './s3-stub.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PAYLOAD = 's3://gt-bucket/job/annotations/consolidation-request/iteration-1/2026-11-29_10:00:00.json';
const LABEL = 'segments';

let s3;
let dir;
let lines;            // the output manifest's lines, as Ground Truth writes them
let expected;         // per line: [worker, document] that should be exported
const saved = { ...process.env };

const key = (uri) => uri.slice('s3://'.length);
const put = (uri, value) => s3.objects.set(key(uri), { body: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)) });
const manifestLine = (media, result) => ({ 'source-ref': media, [LABEL]: result, [`${LABEL}-metadata`]: { job_name: 'calls', type: 'groundTruth/custom', 'human-annotated': 'yes' } });
// The export's own lines (Node 20 also gets the AWS SDK's warning that later versions need Node 22).
const said = (stderr) => stderr.split('\n').filter((l) => l.startsWith('export:'));
const vtt = (doc, media, item) => EXPORTS.vtt.write(doc, undefined, { media, item, fileId: path.basename(media).replace(/\.[^.]*$/, '') });

async function exportVtt(manifest, out) {
  const file = path.join(dir, manifest);
  await writeFile(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return promisify(execFile)(process.execPath, [path.join(root, 'scripts/export'), file, '--format', 'vtt', '--out', path.join(dir, out)], { env: stubEnv(s3.endpoint) })
    .then((r) => ({ code: 0, ...r }), (e) => e);
}

before(async () => {
  s3 = await startS3Stub();
  // A small response budget, so the consensus of a 2,500-segment item goes to S3 as one of
  // 100,000 segments would under the real 5 MiB.
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true', AVSEG_RESPONSE_BUDGET_BYTES: String(300 * 1024) });
  const { handler } = await import('../../scripts/aws/lambda/consolidation.mjs');
  dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-export-refs-'));

  const big = generateAnswers({ segments: 2500, workers: 3, seed: 11 });     // each answer over 256 KiB
  const small = generateAnswers({ segments: 12, workers: 2, seed: 12 });
  put(PAYLOAD, [
    { datasetObjectId: '0', dataObject: { s3Uri: 's3://media/call-0.wav' }, annotations: big.map((a) => ({ workerId: a.workerId, annotationData: { content: answerContent(a.document) } })) },
    { datasetObjectId: '1', dataObject: { s3Uri: 's3://media/call-1.wav' }, annotations: small.map((a) => ({ workerId: a.workerId, annotationData: { content: answerContent(a.document) } })) },
  ]);
  const out = await handler({ version: '2018-10-16', labelingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:labeling-job/calls', labelCategories: [],
    labelAttributeName: LABEL, roleArn: 'arn:aws:iam::123456789012:role/gt', payload: { s3Uri: PAYLOAD } });
  const [first, second] = out.map((o) => o.consolidatedAnnotation.content[LABEL]);
  // What makes this test: the Lambda did move them.
  assert.equal(typeof first.consensusS3Uri, 'string');
  assert.equal(first.consensus, undefined);
  assert.ok(first.annotationsFromAllWorkers.every((w) => typeof w.annotationData.s3Uri === 'string'), JSON.stringify(first.annotationsFromAllWorkers));
  assert.ok(second.consensus, 'the small item stays inline');

  // Unconsolidated answers referenced as Ground Truth writes worker responses: one in S3, one a
  // local run's file beside the manifest.
  const gtResponse = 's3://gt-bucket/job/annotations/worker-response/iteration-1/2/2026-11-29_09:59:00.json';
  const workerResponse = (workerId, document) => ({ answers: [{ acceptanceTime: '2026-11-29T09:50:00.000Z', answerContent: JSON.parse(answerContent(document)),
    submissionTime: '2026-11-29T09:59:00.000Z', timeSpentInSeconds: 540, workerId, workerMetadata: { identityData: { sub: workerId.replace(/^.*\./, '') } } }] });
  put(gtResponse, workerResponse('private.us-east-1.w7', small[0].document));
  await mkdir(path.join(dir, 'annotations/worker-response/iteration-1/3'), { recursive: true });
  await writeFile(path.join(dir, 'annotations/worker-response/iteration-1/3/t.json'), JSON.stringify(workerResponse('local.ada', small[1].document)));

  lines = [
    manifestLine('s3://media/call-0.wav', first),
    manifestLine('s3://media/call-1.wav', second),
    manifestLine('s3://media/call-2.wav', { annotationsFromAllWorkers: [{ workerId: 'private.us-east-1.w7', annotationData: { s3Uri: gtResponse } }] }),
    manifestLine('call-3.wav', { annotationsFromAllWorkers: [{ workerId: 'local.ada', annotationData: { s3Uri: 'annotations/worker-response/iteration-1/3/t.json' } }] }),
    // The raw answers the Lambda moved, as read when there is no consensus.
    manifestLine('s3://media/call-0.wav', { consensus: null, annotationsFromAllWorkers: first.annotationsFromAllWorkers }),
  ];
  expected = [
    [['consensus', JSON.parse(s3.objects.get(key(first.consensusS3Uri)).body.toString())]],
    [['consensus', second.consensus]],
    [['private.us-east-1.w7', small[0].document]],
    [['local.ada', small[1].document]],
    big.map((a) => [a.workerId, a.document]),
  ];
  assert.ok(expected[0][0][1].segments.length > 2000, 'the consensus in S3 is the big one');
});

after(async () => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('scripts/export reads the consensus and answers the consolidation Lambda moved to S3, and worker responses referenced by s3:// or a local path', async () => {
  const gets = s3.requests.length;
  const result = await exportVtt('output.manifest', 'all');
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(said(result.stderr), []);
  const files = (await readdir(path.join(dir, 'all'))).sort();
  assert.deepEqual(files, ['0001-call-0-consensus.vtt', '0002-call-1-consensus.vtt', '0003-call-2-private.us-east-1.w7.vtt', '0004-call-3-local.ada.vtt',
    ...[1, 2, 3].map((w) => `0005-call-0-private.us-east-1.w${w}.vtt`)]);
  for (const [i, docs] of expected.entries()) {
    for (const [worker, doc] of docs) {
      const file = files.find((f) => f.startsWith(String(i + 1).padStart(4, '0')) && f.endsWith(`-${worker}.vtt`));
      assert.equal(await readFile(path.join(dir, 'all', file), 'utf8'), vtt(doc, lines[i]['source-ref'], i), file);
    }
  }
  const read = s3.requests.slice(gets).filter((r) => r.method === 'GET').map((r) => `s3://${r.bucket}/${r.key}`);
  assert.ok(read.includes(lines[0][LABEL].consensusS3Uri), read.join('\n'));
});

test('a reference that cannot be read is named with its line, worker and URI and why; everything else is written and the exit status is 1', async () => {
  const consensusUri = lines[0][LABEL].consensusS3Uri;
  s3.objects.delete(key(consensusUri));
  const missing = 's3://gt-bucket/job/annotations/worker-response/iteration-1/2/gone.json';
  lines[2][LABEL].annotationsFromAllWorkers.push({ workerId: 'private.us-east-1.w8', annotationData: { s3Uri: missing } });
  // Another worker's response file is never taken for this one's answer.
  const othersFile = lines[2][LABEL].annotationsFromAllWorkers[0].annotationData.s3Uri;
  lines[2][LABEL].annotationsFromAllWorkers.push({ workerId: 'private.us-east-1.w9', annotationData: { s3Uri: othersFile } });
  lines[3][LABEL].annotationsFromAllWorkers.push({ workerId: 'local.bob', annotationData: { s3Uri: 'annotations/worker-response/iteration-1/3/missing.json' } });
  // A data object Ground Truth could not finish: its line has no answers, only the reason.
  lines.push({ 'source-ref': 's3://media/call-5.wav', [`${LABEL}-metadata`]: { job_name: 'calls', 'failure-reason': 'ClientError: the pre-annotation Lambda failed' } });
  const result = await exportVtt('broken.manifest', 'some');
  assert.equal(result.code, 1);
  assert.match(result.stdout, /export: 6 files in /);
  const problems = said(result.stderr);
  assert.equal(problems.length, 5, result.stderr);
  assert.equal(problems[0], `export: not exported: line 1, consensus: ${consensusUri}: could not be read (NoSuchKey: not found (HTTP 404))`);
  assert.equal(problems[1], `export: not exported: line 3, private.us-east-1.w8: ${missing}: could not be read (NoSuchKey: not found (HTTP 404))`);
  assert.equal(problems[2], `export: not exported: line 3, private.us-east-1.w9: ${othersFile}: it is a worker-response file with no answer of private.us-east-1.w9 (its answers are by private.us-east-1.w7)`);
  assert.equal(problems[3], `export: not exported: line 4, local.bob: annotations/worker-response/iteration-1/3/missing.json: could not be read (${path.join(dir, 'annotations/worker-response/iteration-1/3/missing.json')}: no such file)`);
  assert.equal(problems[4], `export: not exported: line 6: no answers under "${LABEL}" (the job says: ClientError: the pre-annotation Lambda failed)`);
  assert.deepEqual((await readdir(path.join(dir, 'some'))).sort().slice(0, 3), ['0002-call-1-consensus.vtt', '0003-call-2-private.us-east-1.w7.vtt', '0004-call-3-local.ada.vtt']);
});
