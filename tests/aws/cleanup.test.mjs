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
        res.end(`<DescribeStacksResponse xmlns="${ns}"><DescribeStacksResult><Stacks><member><StackName>${form.get('StackName')}</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/x/1</StackId><CreationTime>2026-11-25T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs><member><OutputKey>AssetBucketName</OutputKey><OutputValue>assets-b</OutputValue></member><member><OutputKey>LogsBucketName</OutputKey><OutputValue>logs-b</OutputValue></member></Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`);
      } else {
        res.end(`<DeleteStackResponse xmlns="${ns}"><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></DeleteStackResponse>`);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${server.address().port}`, calls, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test('stops the job, empties every bucket page by page, then deletes the stack; --dry-run changes nothing', async (t) => {
  const s3 = await startS3Stub();
  const aws = await startAwsStub();
  t.after(async () => { await s3.close(); await aws.close(); });
  const put = (bucket, n) => { for (let i = 0; i < n; i++) s3.objects.set(`${bucket}/k${i}`, { body: Buffer.from('x') }); };
  put('assets-b', 5);
  put('logs-b', 3);
  put('output-b', 2);
  put('other-b', 1);
  const env = stubEnv(s3.endpoint, { AWS_ENDPOINT_URL_SAGEMAKER: aws.endpoint, AWS_ENDPOINT_URL_CLOUDFORMATION: aws.endpoint });

  const dry = await run(['--stack', 'avseg-assets', '--job', 'calls', '--bucket', 'output-b', '--dry-run'], env);
  assert.match(dry.stdout, /would stop labeling job calls\nwould empty s3:\/\/assets-b \(5 objects\)\nwould empty s3:\/\/logs-b \(3 objects\)\nwould empty s3:\/\/output-b \(2 objects\)\nwould delete stack avseg-assets/);
  assert.equal(s3.objects.size, 11);
  assert.deepEqual(aws.calls.map((c) => c.action), ['DescribeStacks']);

  const real = await run(['--stack', 'avseg-assets', '--job', 'calls', '--bucket', 'output-b'], env);
  assert.match(real.stdout, /stopped labeling job calls/);
  assert.deepEqual([...s3.objects.keys()], ['other-b/k0'], 'only the bucket not named is left');
  assert.deepEqual(aws.calls.slice(1).map((c) => `${c.service}:${c.action}`), ['sagemaker:StopLabelingJob', 'cloudformation:DescribeStacks', 'cloudformation:DeleteStack']);
  assert.equal(aws.calls.at(-1).input.StackName, 'avseg-assets');

  const again = await run(['--stack', 'avseg-assets', '--job', 'finished-job'], env);
  assert.match(again.stdout, /labeling job finished-job was not running \(The job is not in progress\)/);
});
