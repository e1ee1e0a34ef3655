// SPDX-License-Identifier: MIT
// scripts/create-labeling-job: the config checked key by key, the request built, and sent with the
// real AWS SDK for JavaScript v3 to loopback SageMaker and S3 endpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startS3Stub, stubEnv } from './s3-stub.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const example = JSON.parse(await readFile(path.join(root, 'scripts/aws/labeling-job.example.json'), 'utf8'));
const run = (args, env, cwd = root) => promisify(execFile)(process.execPath, [path.join(root, 'scripts/create-labeling-job'), ...args], { env, cwd });

async function startSageMakerStub() {
  const calls = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      calls.push({ target: req.headers['x-amz-target'], type: req.headers['content-type'], auth: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ LabelingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:labeling-job/${JSON.parse(body).LabelingJobName}` }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${server.address().port}`, calls, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test('the request goes to SageMaker with every field of the config, after the template is uploaded', async (t) => {
  const s3 = await startS3Stub();
  const sm = await startSageMakerStub();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-job-'));
  t.after(async () => { await s3.close(); await sm.close(); await rm(dir, { recursive: true, force: true }); });
  await writeFile(path.join(dir, 'audio.html'), '<crowd-form><avseg-editor></avseg-editor></crowd-form>');
  const config = { ...example, template: 'audio.html' };
  await writeFile(path.join(dir, 'job.json'), JSON.stringify(config));
  const { stdout } = await run([path.join(dir, 'job.json')], stubEnv(s3.endpoint, { AWS_ENDPOINT_URL_SAGEMAKER: sm.endpoint }), dir);
  assert.match(stdout, /created arn:aws:sagemaker:us-east-1:123456789012:labeling-job\/calls-2026-11/);
  const put = s3.requests.find((r) => r.method === 'PUT');
  assert.equal(`${put.bucket}/${put.key}`, 'my-labeling-bucket/templates/audio.html');
  assert.equal(put.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(sm.calls.length, 1);
  const [call] = sm.calls;
  assert.equal(call.target, 'SageMaker.CreateLabelingJob');
  assert.equal(call.type, 'application/x-amz-json-1.1');
  assert.match(call.auth, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/sagemaker\/aws4_request/);
  assert.deepEqual(call.body, {
    LabelingJobName: 'calls-2026-11',
    LabelAttributeName: 'segments',
    InputConfig: { DataSource: { S3DataSource: { ManifestS3Uri: example.inputManifestS3Uri } } },
    OutputConfig: { S3OutputPath: example.outputS3Uri },
    RoleArn: example.roleArn,
    HumanTaskConfig: {
      WorkteamArn: example.workteamArn,
      UiConfig: { UiTemplateS3Uri: example.templateS3Uri },
      PreHumanTaskLambdaArn: example.preHumanTaskLambdaArn,
      TaskTitle: example.taskTitle,
      TaskDescription: example.taskDescription,
      TaskKeywords: example.taskKeywords,
      NumberOfHumanWorkersPerDataObject: 1,
      TaskTimeLimitInSeconds: 3600,
      TaskAvailabilityLifetimeInSeconds: 864000,
      MaxConcurrentTaskCount: 100,
      AnnotationConsolidationConfig: { AnnotationConsolidationLambdaArn: example.annotationConsolidationLambdaArn },
    },
    StoppingConditions: { MaxPercentageOfInputDatasetLabeled: 100 },
    Tags: [{ Key: 'project', Value: 'calls' }, { Key: 'cost-centre', Value: 'annotation' }],
  });
});

const PUBLIC_CROWD = 'arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default';

const noLambdas = () => {
  const c = { ...example };
  delete c.preHumanTaskLambdaArn;
  delete c.annotationConsolidationLambdaArn;
  delete c.template;
  return c;
};

test('a job without Lambdas, with a KMS key, both stopping conditions and a 30-day availability reaches SageMaker through the SDK as such', async (t) => {
  const sm = await startSageMakerStub();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-job-'));
  t.after(async () => { await sm.close(); await rm(dir, { recursive: true, force: true }); });
  const kms = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const config = { ...noLambdas(), outputKmsKeyId: kms, taskAvailabilitySeconds: 2592000,
    stoppingConditions: { maxHumanLabeledObjectCount: 500, maxPercentageOfInputDatasetLabeled: 80 }, tags: { 'team:owner': 'speech lab', empty: '' } };
  await writeFile(path.join(dir, 'job.json'), JSON.stringify(config));
  const { stdout, stderr } = await run([path.join(dir, 'job.json')], stubEnv('http://127.0.0.1:9', { AWS_ENDPOINT_URL_SAGEMAKER: sm.endpoint }), dir);
  assert.match(stdout, /created arn:aws:sagemaker:us-east-1:123456789012:labeling-job\/calls-2026-11/);
  assert.match(stderr, /note: no pre-annotation Lambda: the template gets each manifest line as task\.input/);
  assert.match(stderr, /note: no consolidation Lambda: nothing consolidates the answers \(no consensus or agreement\); the raw answers are under annotations\/worker-response\//);
  const [call] = sm.calls;
  assert.equal(call.target, 'SageMaker.CreateLabelingJob');
  const hc = call.body.HumanTaskConfig;
  assert.ok(!('PreHumanTaskLambdaArn' in hc) && !('AnnotationConsolidationConfig' in hc), JSON.stringify(hc));
  assert.equal(hc.TaskAvailabilityLifetimeInSeconds, 2592000);
  assert.deepEqual(call.body.OutputConfig, { S3OutputPath: example.outputS3Uri, KmsKeyId: kms });
  assert.deepEqual(call.body.StoppingConditions, { MaxHumanLabeledObjectCount: 500, MaxPercentageOfInputDatasetLabeled: 80 });
  assert.deepEqual(call.body.Tags, [{ Key: 'team:owner', Value: 'speech lab' }, { Key: 'empty', Value: '' }]);
});

test('a public-workforce job pays its price: PublicWorkforceTaskPrice reaches SageMaker through the SDK in Dollars, Cents and tenths of a cent', async (t) => {
  const sm = await startSageMakerStub();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-job-'));
  t.after(async () => { await sm.close(); await rm(dir, { recursive: true, force: true }); });
  const config = { ...noLambdas(), workteamArn: PUBLIC_CROWD, taskAvailabilitySeconds: 43200, publicTaskPriceUsd: 1.08 };
  await writeFile(path.join(dir, 'job.json'), JSON.stringify(config));
  const { stdout } = await run([path.join(dir, 'job.json')], stubEnv('http://127.0.0.1:9', { AWS_ENDPOINT_URL_SAGEMAKER: sm.endpoint }), dir);
  assert.match(stdout, /created arn:aws:sagemaker:us-east-1:123456789012:labeling-job\/calls-2026-11/);
  const [call] = sm.calls;
  assert.equal(call.target, 'SageMaker.CreateLabelingJob');
  assert.equal(call.body.HumanTaskConfig.WorkteamArn, PUBLIC_CROWD);
  assert.deepEqual(call.body.HumanTaskConfig.PublicWorkforceTaskPrice, { AmountInUsd: { Dollars: 1, Cents: 8, TenthFractionsOfACent: 0 } });
});

test('dry runs give each of Ground Truth\'s custom-task prices as Dollars, Cents and tenths of a cent; a private job has none', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-job-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dry = async (config) => {
    await writeFile(path.join(dir, 'job.json'), JSON.stringify(config));
    return JSON.parse((await run([path.join(dir, 'job.json'), '--dry-run'], stubEnv('http://127.0.0.1:9', { AWS_ENDPOINT_URL_SAGEMAKER: 'http://127.0.0.1:9' }))).stdout);
  };
  const prices = { 0.012: [0, 1, 2], '0.024': [0, 2, 4], 0.036: [0, 3, 6], 0.048: [0, 4, 8], 0.06: [0, 6, 0], 0.072: [0, 7, 2], 0.12: [0, 12, 0],
    0.24: [0, 24, 0], 0.36: [0, 36, 0], 0.48: [0, 48, 0], '0.600': [0, 60, 0], 0.72: [0, 72, 0], 0.84: [0, 84, 0], 0.96: [0, 96, 0], 1.08: [1, 8, 0], 1.2: [1, 20, 0] };
  for (const [price, [Dollars, Cents, TenthFractionsOfACent]] of Object.entries(prices)) {
    const value = typeof price === 'string' && /^0\.(024|600)$/.test(price) ? price : Number(price);
    const request = await dry({ ...noLambdas(), workteamArn: PUBLIC_CROWD, taskAvailabilitySeconds: 3600, publicTaskPriceUsd: value });
    assert.deepEqual(request.HumanTaskConfig.PublicWorkforceTaskPrice, { AmountInUsd: { Dollars, Cents, TenthFractionsOfACent } }, String(value));
  }
  assert.ok(!('PublicWorkforceTaskPrice' in (await dry(noLambdas())).HumanTaskConfig));
});

test('dry runs cover the job without Lambdas, with one of them, and the public workforce\'s default availability', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-job-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dry = async (config) => {
    await writeFile(path.join(dir, 'job.json'), JSON.stringify(config));
    const { stdout, stderr } = await run([path.join(dir, 'job.json'), '--dry-run'], stubEnv('http://127.0.0.1:9', { AWS_ENDPOINT_URL_SAGEMAKER: 'http://127.0.0.1:9' }));
    return { request: JSON.parse(stdout), stderr };
  };
  const none = await dry(noLambdas());
  assert.deepEqual(Object.keys(none.request.HumanTaskConfig).sort(), ['MaxConcurrentTaskCount', 'NumberOfHumanWorkersPerDataObject', 'TaskAvailabilityLifetimeInSeconds',
    'TaskDescription', 'TaskKeywords', 'TaskTimeLimitInSeconds', 'TaskTitle', 'UiConfig', 'WorkteamArn']);
  assert.match(none.stderr, /no pre-annotation Lambda/);
  const pre = await dry({ ...noLambdas(), preHumanTaskLambdaArn: example.preHumanTaskLambdaArn });
  assert.equal(pre.request.HumanTaskConfig.PreHumanTaskLambdaArn, example.preHumanTaskLambdaArn);
  assert.ok(!('AnnotationConsolidationConfig' in pre.request.HumanTaskConfig));
  assert.doesNotMatch(pre.stderr, /no pre-annotation Lambda/);
  const publicCrowd = { ...noLambdas(), workteamArn: PUBLIC_CROWD, publicTaskPriceUsd: 0.036 };
  delete publicCrowd.taskAvailabilitySeconds;
  assert.equal((await dry(publicCrowd)).request.HumanTaskConfig.TaskAvailabilityLifetimeInSeconds, 21600);
  assert.equal((await dry({ ...publicCrowd, taskAvailabilitySeconds: 43200 })).request.HumanTaskConfig.TaskAvailabilityLifetimeInSeconds, 43200);
});

test('--dry-run prints the request and sends nothing', async () => {
  const { stdout } = await run([path.join(root, 'scripts/aws/labeling-job.example.json'), '--dry-run'], stubEnv('http://127.0.0.1:9', { AWS_ENDPOINT_URL_SAGEMAKER: 'http://127.0.0.1:9' }));
  const request = JSON.parse(stdout);
  assert.equal(request.HumanTaskConfig.UiConfig.UiTemplateS3Uri, example.templateS3Uri);
});

test('a bad config names the key and why', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-job-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cases = [
    [{ ...example, jobName: 'bad_name!' }, /jobName: must be 1 to 63 letters, digits and dashes/],
    [{ ...example, roleArn: 'role/x' }, /roleArn: must be an IAM role ARN/],
    [{ ...example, workersPerItem: 12 }, /workersPerItem: must be a whole number from 1 to 9, got 12/],
    [{ ...example, labelAttributeName: 'x-metadata' }, /labelAttributeName: must be letters/],
    [{ ...example, tempalte: 'a.html' }, /tempalte: unknown key/],
    [(() => { const c = { ...example }; delete c.outputS3Uri; return c; })(), /outputS3Uri: missing/],
    [{ ...example, preHumanTaskLambdaArn: 'avseg-pre-annotation' }, /preHumanTaskLambdaArn: must be a Lambda function ARN/],
    [{ ...example, taskAvailabilitySeconds: 2592001 }, /taskAvailabilitySeconds: must be 60 to 2592000 seconds \(30 days/],
    [{ ...example, workteamArn: PUBLIC_CROWD, publicTaskPriceUsd: 0.12, taskAvailabilitySeconds: 43201 },
      /taskAvailabilitySeconds: 43201 is too long for the public workforce \(Mechanical Turk\): 60 to 43200 seconds \(12 hours\)/],
    [{ ...example, tags: [{ Key: 'a', Value: 'b' }] }, /tags: must be an object of tag names to values/],
    [{ ...example, tags: { 'aws:owner': 'me' } }, /tags: must be tag names not starting with "aws:"/],
    [{ ...example, tags: { project: 'a;b' } }, /tags: must be tag values of up to 256 letters.*"project" has "a;b"/],
    [{ ...example, tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, /tags: must be 1 to 50 tags \(got 51\)/],
    [{ ...example, stoppingConditions: { maxPercentageOfInputDatasetLabeled: 101 } }, /stoppingConditions: must be maxPercentageOfInputDatasetLabeled a whole number from 1 to 100 \(got 101\)/],
    [{ ...example, stoppingConditions: { maxObjects: 5 } }, /stoppingConditions: must be only maxHumanLabeledObjectCount and maxPercentageOfInputDatasetLabeled \(got "maxObjects"\)/],
    [{ ...example, stoppingConditions: {} }, /stoppingConditions: must be an object with maxHumanLabeledObjectCount and\/or maxPercentageOfInputDatasetLabeled/],
    [{ ...example, outputKmsKeyId: 'my-key' }, /outputKmsKeyId: must be a KMS key id, key ARN, alias\/NAME or alias ARN, got "my-key"/],
    [{ ...example, workteamArn: PUBLIC_CROWD, taskAvailabilitySeconds: 3600 },
      /publicTaskPriceUsd: missing: a job on the public workforce \(Mechanical Turk, workteamArn arn:aws:sagemaker:us-east-1:394669845002:workteam\/public-crowd\/default\) must say what each task pays, in US dollars: one of Ground Truth's prices for custom tasks \(0\.012, 0\.024, 0\.036, .*, 1\.200\)/],
    [{ ...example, workteamArn: PUBLIC_CROWD, taskAvailabilitySeconds: 3600, publicTaskPriceUsd: 0.05 }, /publicTaskPriceUsd: must be what each task pays a public worker, in US dollars: one of Ground Truth's prices .*got 0\.05/],
    [{ ...example, workteamArn: PUBLIC_CROWD, taskAvailabilitySeconds: 3600, publicTaskPriceUsd: '36' }, /publicTaskPriceUsd: must be .*got "36"/],
    [{ ...example, workteamArn: PUBLIC_CROWD, taskAvailabilitySeconds: 3600, publicTaskPriceUsd: 0.0361 }, /publicTaskPriceUsd: must be .*got 0\.0361/],
    [{ ...example, publicTaskPriceUsd: 0.036 }, /publicTaskPriceUsd: only for the public workforce .*workteam\/private-crowd\/annotators is a private or vendor workforce/],
  ];
  for (const [config, expected] of cases) {
    await writeFile(path.join(dir, 'job.json'), JSON.stringify(config));
    await assert.rejects(run([path.join(dir, 'job.json'), '--dry-run'], stubEnv('http://127.0.0.1:9')), (err) => expected.test(err.stderr));
  }
  await writeFile(path.join(dir, 'job.json'), '{"jobName": ');
  await assert.rejects(run([path.join(dir, 'job.json'), '--dry-run'], stubEnv('http://127.0.0.1:9')), (err) => /not valid JSON/.test(err.stderr));
});
