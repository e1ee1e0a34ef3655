// SPDX-License-Identifier: MIT
// Which credentials the consolidation Lambda reads the payload with: its own role by default, or,
// with AVSEG_ASSUME_JOB_ROLE=true, the job's role (the event's roleArn) assumed through STS as
// the AWS sample does. Real SDK clients against loopback STS and S3 endpoints; each S3 request's
// signature names the access key it was made with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { handler } from '../../scripts/aws/lambda/consolidation.mjs';
import { answerContent } from './answers.mjs';
import { startS3Stub } from './s3-stub.mjs';

const ROLE = 'arn:aws:iam::123456789012:role/AvsegGroundTruth';
const ASSUMED = { key: 'ASIAJOBROLEEXAMPLE01', secret: 'jobRoleSecretExample', token: 'FwoGZXIvYXdzEJobRoleSessionToken' };
const PAYLOAD = 's3://gt-bucket/jobs/calls/annotations/consolidation-request/iteration-1/2026-11-29_10:00:00.json';

/** An STS endpoint answering AssumeRole (query protocol) with ASSUMED's credentials, or refusing every call. */
async function startStsStub({ refuse = false } = {}) {
  const calls = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      calls.push({ action: form.get('Action'), roleArn: form.get('RoleArn'), session: form.get('RoleSessionName'), auth: req.headers.authorization });
      if (refuse) {
        res.writeHead(403, { 'content-type': 'text/xml' }).end(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/avseg-consolidation/fn is not authorized to perform: sts:AssumeRole on resource: ${form.get('RoleArn')}</Message></Error><RequestId>r1</RequestId></ErrorResponse>`);
        return;
      }
      const expiration = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
      res.writeHead(200, { 'content-type': 'text/xml' }).end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${ASSUMED.key}</AccessKeyId><SecretAccessKey>${ASSUMED.secret}</SecretAccessKey><SessionToken>${ASSUMED.token}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:${form.get('RoleSessionName')}</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/AvsegGroundTruth/${form.get('RoleSessionName')}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleResponse>`);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${server.address().port}`, calls, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** Loopback S3 holding a one-item payload whose answer is by reference, STS, and the Lambda's own credentials in the environment. */
async function setUp(t, env = {}, sts = {}) {
  const s3 = await startS3Stub();
  const stsStub = await startStsStub(sts);
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_STS: stsStub.endpoint, AWS_ACCESS_KEY_ID: 'AKIDLAMBDAOWNROLE', AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', ...env });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AVSEG_OUTPUT_SHAPE;
  t.after(async () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await s3.close();
    await stsStub.close();
  });
  const document = { format: 'avseg.annotation', version: 1, timebase: { rate: 48000, frames: 480000 },
    tracks: [{ id: 't1', category: 'speaker', tag: 'Customer' }], segments: [{ id: 's1', track: 't1', start: 4800, end: 9600, fields: { text: 'hi' } }] };
  const answerUri = 's3://gt-bucket/jobs/calls/annotations/worker-response/iteration-1/0/2026-11-29_09:59:00.json';
  s3.objects.set(answerUri.slice(5), { body: Buffer.from(answerContent(document)) });
  s3.objects.set(PAYLOAD.slice(5), { body: Buffer.from(JSON.stringify([{ datasetObjectId: '0', dataObject: { s3Uri: 's3://media/calls/1.mp3' },
    annotations: [{ workerId: 'private.us-east-1.w1', annotationData: { s3Uri: answerUri } }] }])) });
  return { s3, sts: stsStub };
}

const event = (roleArn = ROLE) => ({ version: '2018-10-16', labelingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:labeling-job/calls', labelCategories: [],
  labelAttributeName: 'segments', roleArn, payload: { s3Uri: PAYLOAD } });
const keyOf = (request) => /Credential=([A-Z0-9]+)\//.exec(request.headers.authorization ?? '')?.[1];

test('with AVSEG_ASSUME_JOB_ROLE=true the payload and the answers are read with the job\'s role from the event\'s roleArn', async (t) => {
  const { s3, sts } = await setUp(t, { AVSEG_ASSUME_JOB_ROLE: 'true' });
  const out = await handler(event());
  assert.deepEqual(out[0].consolidatedAnnotation.content.segments.problems, []);
  assert.equal(out[0].consolidatedAnnotation.content.segments.consensus.segments.length, 1);
  assert.equal(sts.calls.length, 1);
  assert.deepEqual({ ...sts.calls[0], auth: undefined }, { action: 'AssumeRole', roleArn: ROLE, session: 'avseg-consolidation', auth: undefined });
  assert.match(sts.calls[0].auth, /Credential=AKIDLAMBDAOWNROLE\//, 'the role is assumed with the Lambda\'s own credentials');
  const gets = s3.requests.filter((r) => r.method === 'GET');
  assert.deepEqual(gets.map((r) => r.key).sort(), ['jobs/calls/annotations/consolidation-request/iteration-1/2026-11-29_10:00:00.json',
    'jobs/calls/annotations/worker-response/iteration-1/0/2026-11-29_09:59:00.json']);
  for (const r of gets) {
    assert.equal(keyOf(r), ASSUMED.key, `${r.key} read as the job's role`);
    assert.equal(r.headers['x-amz-security-token'], ASSUMED.token);
  }
});

test('by default the Lambda reads with its own role and calls no STS', async (t) => {
  const { s3, sts } = await setUp(t);
  const out = await handler(event());
  assert.deepEqual(out[0].consolidatedAnnotation.content.segments.problems, []);
  assert.equal(sts.calls.length, 0);
  assert.ok(s3.requests.length >= 2);
  for (const r of s3.requests) assert.equal(keyOf(r), 'AKIDLAMBDAOWNROLE');
});

test('a role that cannot be assumed, or an event without a role ARN, fails with what to grant, before anything is read', async (t) => {
  const { s3 } = await setUp(t, { AVSEG_ASSUME_JOB_ROLE: 'true' }, { refuse: true });
  await assert.rejects(handler(event()), (err) => {
    assert.match(err.message, /^the job's role arn:aws:iam::123456789012:role\/AvsegGroundTruth could not be assumed \(AccessDenied: User: .* is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role\/AvsegGroundTruth\): the Lambda's role needs sts:AssumeRole on it, and the job role's trust policy must allow the Lambda's role$/);
    return true;
  });
  await assert.rejects(handler({ ...event(), roleArn: undefined }), /^Error: AVSEG_ASSUME_JOB_ROLE is set, but the event's roleArn is not an IAM role ARN: undefined$/);
  await assert.rejects(handler(event('AvsegGroundTruth')), /the event's roleArn is not an IAM role ARN: "AvsegGroundTruth"/);
  assert.equal(s3.requests.length, 0);
});
