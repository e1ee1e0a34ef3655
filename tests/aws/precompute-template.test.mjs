// SPDX-License-Identifier: MIT
// scripts/aws/precompute.yaml read statically: its references resolve (and cfn-lint, where
// installed, finds nothing); the state machine's definition, with the parameters put in, is JSON
// with a Distributed Map over the manifest in S3 that hands the Lambda exactly what
// precompute.mjs reads, and a last step that writes the new manifest; each role allows what its
// part does and nothing more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { danglingReferences, parseTemplate } from './cfn.mjs';

const file = fileURLToPath(new URL('../../scripts/aws/precompute.yaml', import.meta.url));
const template = parseTemplate(await readFile(file, 'utf8'));
const R = template.Resources;
const ACCOUNT = '123456789012';
const params = (given = {}) => ({
  ...Object.fromEntries(Object.entries(template.Parameters).map(([k, v]) => [k, v.Default])),
  CodeBucket: 'code', InputBucket: 'media', OutputBucket: 'derived', InputPrefix: 'calls/', ...given,
  'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': ACCOUNT,
  'PrecomputeFunction.Arn': `arn:aws:lambda:us-east-1:${ACCOUNT}:function:avseg-precompute`,
  'ManifestFunction.Arn': `arn:aws:lambda:us-east-1:${ACCOUNT}:function:avseg-precompute-manifest`,
  'PrecomputeLogGroup.Arn': `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/avseg-precompute:*`,
  'ManifestLogGroup.Arn': `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/avseg-precompute-manifest:*`,
});

/** A template value with Ref, GetAtt and Sub worked out for the parameters. */
function resolve(node, p) {
  if (Array.isArray(node)) return node.map((n) => resolve(n, p));
  if (!node || typeof node !== 'object') return node;
  if ('Ref' in node) return p[node.Ref];
  if ('Fn::GetAtt' in node) return p[node['Fn::GetAtt'].join('.')];
  if ('Fn::Sub' in node) {
    const [text, vars = {}] = Array.isArray(node['Fn::Sub']) ? node['Fn::Sub'] : [node['Fn::Sub']];
    const local = { ...p, ...resolve(vars, p) };
    return text.replace(/\$\{([^!}][^}]*)\}/g, (_, name) => {
      assert.ok(name in local, `\${${name}} has a value`);
      return local[name];
    });
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v, p)]));
}

const wildcard = (pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
const list = (v) => (Array.isArray(v) ? v : [v]);
function grants(role, p) {
  return resolve(R[role].Properties.Policies, p).flatMap((policy) => policy.PolicyDocument.Statement).map((s) => {
    assert.equal(s.Effect, 'Allow');
    assert.ok(!s.NotAction && !s.NotResource, 'no NotAction/NotResource');
    for (const a of list(s.Action)) assert.doesNotMatch(a, /\*/, `${role}: no wildcard actions (${a})`);
    return { actions: list(s.Action), resources: list(s.Resource), condition: s.Condition };
  });
}
const allows = (g, action, arn) => g.some((s) => s.actions.some((a) => wildcard(a).test(action)) && s.resources.some((r) => wildcard(r).test(arn)));
const s3 = (uri) => uri.replace(/^s3:\/\//, 'arn:aws:s3:::');
const definition = (given) => JSON.parse(resolve(R.StateMachine.Properties.DefinitionString, params(given)));

test('every Ref, GetAtt and Sub reference resolves; cfn-lint (where installed) finds nothing', async (t) => {
  assert.deepEqual(danglingReferences(template).problems, []);
  try {
    await promisify(execFile)('cfn-lint', [file]);
  } catch (err) {
    if (err.code === 'ENOENT') return t.skip('cfn-lint is not installed');
    assert.fail(`cfn-lint: ${err.stdout}${err.stderr}`);
  }
});

test('the state machine is a Distributed Map over the JSON Lines manifest, invoking the Lambda with what precompute.mjs reads', async () => {
  const d = definition({ MaxConcurrency: 350 });
  assert.equal(d.StartAt, 'Defaults');
  const map = d.States.Precompute;
  assert.equal(d.States[d.States.Defaults.Next], map);
  assert.equal(map.Type, 'Map');
  assert.equal(map.ItemReader.Resource, 'arn:aws:states:::s3:getObject');
  assert.deepEqual(map.ItemReader.ReaderConfig, { InputType: 'JSONL' });
  assert.deepEqual(map.ItemReader.Parameters, { 'Bucket.$': '$.manifest.bucket', 'Key.$': '$.manifest.key' });
  assert.equal(map.ItemProcessor.ProcessorConfig.Mode, 'DISTRIBUTED');
  assert.equal(map.ItemProcessor.ProcessorConfig.ExecutionType, 'EXPRESS');
  assert.equal(definition({ ChildExecutionType: 'STANDARD' }).States.Precompute.ItemProcessor.ProcessorConfig.ExecutionType, 'STANDARD');
  assert.equal(map.MaxConcurrency, 350);
  assert.equal(map.ToleratedFailurePercentage, 5);
  assert.deepEqual(map.ResultWriter, { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'derived', Prefix: 'avseg-precomputed/results' } });
  // Each item: the line and its place, the output fixed by the stack (so the roles can be narrow), the run's options.
  assert.deepEqual(map.ItemSelector, { 'line.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', output: 's3://derived/avseg-precomputed/outputs/', 'options.$': '$.options' });
  const handler = await readFile(new URL('../../scripts/aws/lambda/precompute.mjs', import.meta.url), 'utf8');
  assert.match(handler, /const \{ line, index, output, options = \{\} \} = event/);
  const task = map.ItemProcessor.States[map.ItemProcessor.StartAt];
  assert.equal(task.Type, 'Task');
  assert.equal(task.Resource, 'arn:aws:states:::lambda:invoke');
  assert.deepEqual(task.Parameters, { FunctionName: params()['PrecomputeFunction.Arn'], 'Payload.$': '$' });
  assert.equal(task.OutputPath, '$.Payload');
  assert.ok(task.End);
  assert.ok(task.Retry[0].ErrorEquals.includes('Lambda.TooManyRequestsException'), 'throttling is retried');
  assert.ok(task.Retry.some((r) => r.ErrorEquals.includes('States.TaskFailed')), 'an S3 failure the handler throws is retried');
  // The last step: the Map's ResultWriter details and the new manifest's place, as writeManifest reads them.
  const last = d.States[map.Next];
  assert.equal(last.Parameters.FunctionName, params()['ManifestFunction.Arn']);
  assert.deepEqual(Object.keys(last.Parameters.Payload).sort(), ['newManifest.$', 'results.$']);
  assert.equal(last.Parameters.Payload['results.$'], `${map.ResultPath}.ResultWriterDetails`);
  assert.match(last.Parameters.Payload['newManifest.$'], /^States\.Format\('s3:\/\/derived\/avseg-precomputed\/manifests\/\{\}\.manifest', \$\$\.Execution\.Name\)$/);
  assert.match(handler, /const \{ results, newManifest \} = event/);
  assert.ok(last.End);
  // A Map past its tolerated failures (or whose manifest cannot be read) is caught: a report
  // naming the error beside the manifests, then the execution fails with the Map's own error.
  assert.deepEqual(map.Catch, [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ReportFailure' }]);
  const report = d.States.ReportFailure;
  assert.equal(report.Parameters.FunctionName, params()['ManifestFunction.Arn']);
  assert.equal(report.Parameters.Payload['failure.$'], '$.failure');
  assert.match(report.Parameters.Payload['report.$'], /^States\.Format\('s3:\/\/derived\/avseg-precomputed\/manifests\/\{\}\.failed\.json', \$\$\.Execution\.Name\)$/);
  assert.equal(report.Parameters.Payload.outputs, map.ItemSelector.output);
  assert.ok(report.Retry[0].ErrorEquals.includes('Lambda.TooManyRequestsException'));
  assert.deepEqual(d.States[report.Next], { Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' });
  assert.match(handler, /if \(event\?\.failure\) return writeFailure\(event\)/);
  assert.match(handler, /async function writeFailure\(\{ failure, report, outputs \}\)/);
  const fn = R.PrecomputeFunction.Properties;
  assert.equal(fn.Handler, 'precompute.handler');
  assert.equal(R.ManifestFunction.Properties.Handler, 'precompute.writeManifest');
  assert.deepEqual(fn.Architectures, ['x86_64'], 'the packaged CLI is x86-64');
  assert.match(fn.Runtime, /^nodejs(2[0-9])\.x$/);
});

test('the roles: each assumable by its service only, allowing what its part does and nothing more', () => {
  const p = params();
  for (const [role, service] of [['PrecomputeRole', 'lambda'], ['ManifestRole', 'lambda'], ['StateMachineRole', 'states']]) {
    const [statement] = R[role].Properties.AssumeRolePolicyDocument.Statement;
    assert.deepEqual(statement.Principal, { Service: `${service}.amazonaws.com` }, role);
    assert.ok(!R[role].Properties.ManagedPolicyArns, `${role}: no managed policies`);
  }
  const worker = grants('PrecomputeRole', p);
  assert.ok(allows(worker, 's3:GetObject', s3('s3://media/calls/a.wav')), 'reads media');
  assert.ok(!allows(worker, 's3:GetObject', s3('s3://media/private/a.wav')), 'only under the input prefix');
  assert.ok(allows(worker, 's3:PutObject', s3('s3://derived/avseg-precomputed/outputs/a-0123456789abcdef.avsa')));
  // It parses untrusted media: it cannot overwrite the Map's results or the manifests beside its outputs.
  assert.ok(!allows(worker, 's3:PutObject', s3('s3://derived/avseg-precomputed/manifests/run-1.manifest')), 'cannot write a manifest');
  assert.ok(!allows(worker, 's3:PutObject', s3('s3://derived/avseg-precomputed/results/x/SUCCEEDED_0.json')), 'cannot write the Map\'s results');
  assert.ok(!allows(worker, 's3:PutObject', s3('s3://derived/avseg-precomputed/a-0123456789abcdef.avsa')), 'only under outputs/');
  assert.ok(!allows(worker, 's3:GetObject', s3('s3://derived/avseg-precomputed/results/x/SUCCEEDED_0.json')));
  assert.ok(!allows(worker, 's3:PutObject', s3('s3://media/calls/a.avsa')), 'never writes beside the media');
  assert.ok(!allows(worker, 's3:PutObject', s3('s3://derived/other/a.avsa')));
  assert.ok(!allows(worker, 's3:DeleteObject', s3('s3://derived/avseg-precomputed/a.avsa')));
  assert.deepEqual(worker.filter((s) => s.actions.includes('s3:ListBucket')).map((s) => s.condition.StringLike['s3:prefix']).sort(), ['avseg-precomputed/outputs/*', 'calls/*'],
    'listing (for 404s) only under the prefixes');
  assert.ok(allows(worker, 'logs:PutLogEvents', p['PrecomputeLogGroup.Arn']));
  assert.ok(!allows(worker, 'logs:PutLogEvents', p['ManifestLogGroup.Arn']));

  const manifest = grants('ManifestRole', p);
  assert.deepEqual([...new Set(manifest.flatMap((s) => s.actions))].sort(), ['logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 's3:PutObject']);
  assert.ok(allows(manifest, 's3:GetObject', s3('s3://derived/avseg-precomputed/results/abc/manifest.json')));
  assert.ok(allows(manifest, 's3:PutObject', s3('s3://derived/avseg-precomputed/manifests/run-1.manifest')));
  assert.ok(!allows(manifest, 's3:PutObject', s3('s3://derived/avseg-precomputed/outputs/a.avsa')), 'cannot touch the outputs');
  assert.ok(allows(manifest, 's3:PutObject', s3('s3://derived/avseg-precomputed/manifests/run-1.failed.json')), 'writes a failed run\'s report');
  assert.ok(!allows(manifest, 's3:GetObject', s3('s3://media/calls/a.wav')));

  const machine = grants('StateMachineRole', p);
  assert.ok(allows(machine, 'lambda:InvokeFunction', p['PrecomputeFunction.Arn']));
  assert.ok(allows(machine, 'lambda:InvokeFunction', `${p['ManifestFunction.Arn']}:1`));
  assert.ok(!allows(machine, 'lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:other`));
  assert.ok(allows(machine, 's3:GetObject', s3('s3://media/calls/job.manifest')), 'the ItemReader reads the manifest');
  assert.ok(allows(machine, 's3:PutObject', s3('s3://derived/avseg-precomputed/results/x/SUCCEEDED_0.json')), 'the ResultWriter writes');
  assert.ok(!allows(machine, 's3:PutObject', s3('s3://derived/avseg-precomputed/a.avsa')));
  assert.ok(allows(machine, 'states:StartExecution', `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:avseg-precompute`), 'its own child workflows');
  assert.ok(!allows(machine, 'states:StartExecution', `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:other`));
  assert.ok(allows(machine, 'states:DescribeExecution', `arn:aws:states:us-east-1:${ACCOUNT}:execution:avseg-precompute/run-1`));
  assert.equal(resolve(R.StateMachine.Properties.StateMachineName, p), 'avseg-precompute', 'the name the role\'s ARNs use');
});

test('the parameters refuse wildcards and keep an EXPRESS item within its 5 minutes', () => {
  const P = template.Parameters;
  assert.doesNotMatch('out/*/', new RegExp(P.OutputPrefix.AllowedPattern));
  assert.doesNotMatch('out', new RegExp(P.OutputPrefix.AllowedPattern));
  assert.match('', new RegExp(P.InputPrefix.AllowedPattern));
  assert.doesNotMatch('*', new RegExp(P.InputBucket.AllowedPattern));
  assert.ok(P.TimeoutSeconds.Default < 300);
  assert.deepEqual(P.ChildExecutionType.AllowedValues, ['EXPRESS', 'STANDARD']);
});
