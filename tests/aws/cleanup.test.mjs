// SPDX-License-Identifier: MIT
// scripts/cleanup-aws against loopback SageMaker, CloudFormation and S3 endpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startS3Stub, stubEnv } from './s3-stub.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = (args, env) => promisify(execFile)(process.execPath, [path.join(root, 'scripts/cleanup-aws'), ...args], { env });

const ROLES_OUTPUTS = {
  PreAnnotationRoleArn: 'arn:aws:iam::123456789012:role/avseg-lambda-roles-PreAnnotationRole-1',
  ConsolidationRoleArn: 'arn:aws:iam::123456789012:role/avseg-lambda-roles-ConsolidationRole-1',
};

async function startAwsStub() {
  const calls = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      if (target) {   // SageMaker, JSON
        const input = JSON.parse(body);
        calls.push({ service: 'sagemaker', action: target.split('.')[1], input });
        if (input.LabelingJobName === 'finished-job') {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'ValidationException', message: 'The job is not in progress' }));
        } else {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{}');
        }
        return;
      }
      const form = new URLSearchParams(body);   // CloudFormation, query protocol
      calls.push({ service: 'cloudformation', action: form.get('Action'), input: Object.fromEntries(form) });
      const ns = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
      res.writeHead(200, { 'content-type': 'text/xml' });
      if (form.get('Action') === 'DescribeStacks') {
        // scripts/aws/lambda-roles.yaml's outputs for the roles stack, asset-host.yaml's for any other.
        const outputs = form.get('StackName') === 'avseg-lambda-roles' ? ROLES_OUTPUTS : { AssetBucketName: 'assets-b', LogsBucketName: 'logs-b' };
        const members = Object.entries(outputs).map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`).join('');
        res.end(`<DescribeStacksResponse xmlns="${ns}"><DescribeStacksResult><Stacks><member><StackName>${form.get('StackName')}</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/x/1</StackId><CreationTime>2026-11-25T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`);
      } else {
        res.end(`<DeleteStackResponse xmlns="${ns}"><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></DeleteStackResponse>`);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${server.address().port}`, calls, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test('stops the job, empties the stack\'s buckets page by page, then deletes the stack; --dry-run changes nothing', async (t) => {
  const s3 = await startS3Stub();
  const aws = await startAwsStub();
  t.after(async () => { await s3.close(); await aws.close(); });
  const put = (bucket, n) => { for (let i = 0; i < n; i++) s3.objects.set(`${bucket}/k${i}`, { body: Buffer.from('x') }); };
  put('assets-b', 5);
  put('logs-b', 3);
  put('output-b', 2);
  put('other-b', 1);
  const env = stubEnv(s3.endpoint, { AWS_ENDPOINT_URL_SAGEMAKER: aws.endpoint, AWS_ENDPOINT_URL_CLOUDFORMATION: aws.endpoint });

  const dry = await run(['--stack', 'avseg-assets', '--job', 'calls', '--bucket', 'output-b', '--whole-bucket', '--dry-run'], env);
  assert.equal(dry.stdout, 'would stop labeling job calls\nwould delete 5 objects in s3://assets-b\nwould delete 3 objects in s3://logs-b\nwould delete 2 objects in s3://output-b\nwould delete stack avseg-assets\n');
  assert.equal(s3.objects.size, 11);
  assert.deepEqual(aws.calls.map((c) => c.action), ['DescribeStacks']);

  const real = await run(['--stack', 'avseg-assets', '--job', 'calls', '--bucket', 's3://output-b', '--whole-bucket'], env);
  assert.match(real.stdout, /stopped labeling job calls\ndeleting 5 objects in s3:\/\/assets-b\ndeleted 5 objects in s3:\/\/assets-b\n/);
  assert.deepEqual([...s3.objects.keys()], ['other-b/k0'], 'only the bucket not named is left');
  assert.deepEqual(aws.calls.slice(1).map((c) => `${c.service}:${c.action}`), ['sagemaker:StopLabelingJob', 'cloudformation:DescribeStacks', 'cloudformation:DeleteStack']);
  assert.equal(aws.calls.at(-1).input.StackName, 'avseg-assets');

  const again = await run(['--stack', 'avseg-assets', '--job', 'finished-job'], env);
  assert.match(again.stdout, /labeling job finished-job was not running \(The job is not in progress\)/);
});

test('--bucket empties only the named prefix (a folder), saying how many objects first; a whole bucket is refused unless --whole-bucket', async (t) => {
  const s3 = await startS3Stub();
  const aws = await startAwsStub();
  t.after(async () => { await s3.close(); await aws.close(); });
  const keys = ['jobs/calls/manifests/output/output.manifest', 'jobs/calls/annotations/worker-response/iteration-1/0/a.json',
    'jobs/calls/annotations/worker-response/iteration-1/1/b.json', 'jobs/calls-old/output.manifest', 'jobs/other/x.json', 'input.manifest', 'jobs/calls'];
  for (const k of keys) s3.objects.set(`output-b/${k}`, { body: Buffer.from('x') });
  const env = stubEnv(s3.endpoint, { AWS_ENDPOINT_URL_SAGEMAKER: aws.endpoint, AWS_ENDPOINT_URL_CLOUDFORMATION: aws.endpoint });
  const left = () => [...s3.objects.keys()].map((k) => k.slice('output-b/'.length)).sort();

  for (const whole of [['--bucket', 'output-b'], ['--bucket', 's3://output-b'], ['--bucket', 's3://output-b/'], ['--job', 'calls', '--bucket', 's3://output-b/jobs/calls/', '--bucket', 'output-b']]) {
    await assert.rejects(run(whole, env), (err) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr, /^cleanup-aws: --bucket (s3:\/\/)?output-b\/? names the whole bucket output-b: give the prefix to empty \(e\.g\. s3:\/\/output-b\/jobs\/NAME\/\), or add --whole-bucket to delete every object in it\n/);
      return true;
    }, whole.join(' '));
  }
  assert.equal(s3.objects.size, keys.length, 'nothing deleted');
  assert.equal(s3.requests.length, 0, 'nothing even listed');
  assert.deepEqual(aws.calls, [], 'the job was not stopped either');

  const dry = await run(['--bucket', 's3://output-b/jobs/calls', '--dry-run'], env);
  assert.equal(dry.stdout, 'would delete 3 objects under s3://output-b/jobs/calls/\n');
  assert.equal(s3.objects.size, keys.length);

  const real = await run(['--bucket', 'output-b/jobs/calls/'], env);
  assert.equal(real.stdout, 'deleting 3 objects under s3://output-b/jobs/calls/\ndeleted 3 objects under s3://output-b/jobs/calls/\n');
  assert.deepEqual(left(), ['input.manifest', 'jobs/calls', 'jobs/calls-old/output.manifest', 'jobs/other/x.json']);
  assert.ok(s3.requests.filter((r) => r.method === 'GET').every((r) => new URLSearchParams(r.query).get('prefix') === 'jobs/calls/'), 'only the prefix was listed');
  assert.deepEqual(aws.calls, [], 'no stack or job was touched');

  await assert.rejects(run(['--bucket', 'Not_A_Bucket'], env), /--bucket "Not_A_Bucket" is not a bucket name or an s3:\/\/bucket\/prefix\/ URI/);
  await assert.rejects(run([], env), /nothing to do: give --stack, --roles-stack, --job or --bucket/);
});

test('--bucket empties a prefix of more than 1,000 objects listed a thousand a page as S3 does, keys with spaces, "+", "&" and non-ASCII included, and nothing beside it', async (t) => {
  const s3 = await startS3Stub(new Map(), { pageSize: 1000 });
  t.after(() => s3.close());
  const odd = ['jobs/calls/a b.json', 'jobs/calls/a+b.json', 'jobs/calls/R&D <1>.json', 'jobs/calls/é 音.json', "jobs/calls/it's.json"];
  const inside = [...odd, ...Array.from({ length: 2500 }, (_, i) => `jobs/calls/annotations/${String(i).padStart(5, '0')}.json`)];
  const beside = ['jobs/calls-other/a b.json', 'jobs/calls+/x.json', 'jobs/call/x.json', 'jobs/calls'];
  for (const k of [...inside, ...beside]) s3.objects.set(`output-b/${k}`, { body: Buffer.from('x') });

  const real = await run(['--bucket', 's3://output-b/jobs/calls'], stubEnv(s3.endpoint));
  assert.equal(real.stdout, `deleting ${inside.length} objects under s3://output-b/jobs/calls/\ndeleted ${inside.length} objects under s3://output-b/jobs/calls/\n`);
  assert.deepEqual([...s3.objects.keys()].map((k) => k.slice('output-b/'.length)).sort(), [...beside].sort());
  assert.equal(s3.requests.filter((r) => r.method === 'GET').length, 3, 'three pages of at most 1,000');
  assert.equal(s3.requests.filter((r) => r.method === 'POST').length, 3, 'three deletions of at most 1,000');
});

test('--roles-stack deletes the Lambda roles\' stack last, after the asset host\'s, and refuses a stack that is not one before changing anything', async (t) => {
  const s3 = await startS3Stub();
  const aws = await startAwsStub();
  t.after(async () => { await s3.close(); await aws.close(); });
  s3.objects.set('assets-b/k0', { body: Buffer.from('x') });
  const env = stubEnv(s3.endpoint, { AWS_ENDPOINT_URL_SAGEMAKER: aws.endpoint, AWS_ENDPOINT_URL_CLOUDFORMATION: aws.endpoint });
  const roles = `${ROLES_OUTPUTS.PreAnnotationRoleArn}, ${ROLES_OUTPUTS.ConsolidationRoleArn}`;

  const dry = await run(['--stack', 'avseg-assets', '--roles-stack', 'avseg-lambda-roles', '--dry-run'], env);
  assert.equal(dry.stdout, 'would delete 1 objects in s3://assets-b\nwould delete 0 objects in s3://logs-b\nwould delete stack avseg-assets\n'
    + `would delete stack avseg-lambda-roles (the Lambda roles ${roles}: Lambdas still using them stop working)\n`);
  assert.ok(!aws.calls.some((c) => c.action === 'DeleteStack'));

  // The asset host's stack given as the roles' stack: refused before the job is stopped.
  await assert.rejects(run(['--job', 'calls', '--roles-stack', 'avseg-assets'], env), (err) => {
    assert.equal(err.code, 2);
    assert.match(err.stderr, /--roles-stack avseg-assets is not the Lambda roles' stack \(scripts\/aws\/lambda-roles\.yaml\): it has no PreAnnotationRoleArn or ConsolidationRoleArn output/);
    return true;
  });
  await assert.rejects(run(['--stack', 'avseg-lambda-roles', '--roles-stack', 'avseg-lambda-roles'], env), /both name avseg-lambda-roles/);
  assert.ok(!aws.calls.some((c) => c.action === 'StopLabelingJob' || c.action === 'DeleteStack'), 'nothing changed');
  assert.equal(s3.objects.size, 1);

  aws.calls.length = 0;
  const real = await run(['--job', 'calls', '--stack', 'avseg-assets', '--roles-stack', 'avseg-lambda-roles'], env);
  assert.match(real.stdout, new RegExp(`deleting stack avseg-assets\\ndeleting stack avseg-lambda-roles \\(the Lambda roles ${roles.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: Lambdas still using them stop working\\)\\n$`));
  assert.deepEqual(aws.calls.map((c) => `${c.action}${c.input.StackName ? ` ${c.input.StackName}` : ''}`),
    ['DescribeStacks avseg-lambda-roles', 'StopLabelingJob', 'DescribeStacks avseg-assets', 'DeleteStack avseg-assets', 'DeleteStack avseg-lambda-roles']);
  assert.equal(s3.objects.size, 0);

  // Alone.
  aws.calls.length = 0;
  assert.match((await run(['--roles-stack', 'avseg-lambda-roles'], env)).stdout, /^deleting stack avseg-lambda-roles /);
  assert.deepEqual(aws.calls.map((c) => c.action), ['DescribeStacks', 'DeleteStack']);
});
