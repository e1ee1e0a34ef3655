// SPDX-License-Identifier: MIT
// The Lambda roles template, read statically and its policies evaluated for given parameters:
// each role is assumable by Lambda only and allows exactly what its Lambda's code does (the
// consolidation reads the payload and answers under the job output and writes its parts where
// consolidation.mjs puts them, or only assumes the job's role; the pre-annotation Lambda touches
// no AWS service but its logs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { danglingReferences, parseTemplate } from './cfn.mjs';
import { outputPrefix } from '../../scripts/aws/lambda/consolidation.mjs';

const file = fileURLToPath(new URL('../../scripts/aws/lambda-roles.yaml', import.meta.url));
const template = parseTemplate(await readFile(file, 'utf8'));
const R = template.Resources;

const ACCOUNT = '123456789012';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const params = (given = {}) => {
  const p = Object.fromEntries(Object.entries(template.Parameters).map(([k, v]) => [k, v.Default]));
  return { ...p, ...given, 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': ACCOUNT };
};

/** A template value with Ref, Sub, If, Not and Equals worked out for the parameters; AWS::NoValue as undefined. */
function resolve(node, p) {
  if (Array.isArray(node)) return node.map((n) => resolve(n, p)).filter((n) => n !== undefined);
  if (!node || typeof node !== 'object') return node;
  if ('Ref' in node) return node.Ref === 'AWS::NoValue' ? undefined : p[node.Ref];
  if ('Fn::Sub' in node) return node['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_, name) => p[name]);
  if ('Fn::If' in node) {
    const [condition, yes, no] = node['Fn::If'];
    return resolve(resolve(template.Conditions[condition], p) ? yes : no, p);
  }
  if (typeof node.Condition === 'string' && Object.keys(node).length === 1) return resolve(template.Conditions[node.Condition], p);
  if ('Fn::And' in node) return node['Fn::And'].every((c) => resolve(c, p));
  if ('Fn::Or' in node) return node['Fn::Or'].some((c) => resolve(c, p));
  if ('Fn::Not' in node) return !resolve(node['Fn::Not'][0], p);
  if ('Fn::Equals' in node) return resolve(node['Fn::Equals'][0], p) === resolve(node['Fn::Equals'][1], p);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v, p)]).filter(([, v]) => v !== undefined));
}

const wildcard = (pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
const list = (v) => (Array.isArray(v) ? v : [v]);

/** The role's Allow statements for the parameters, as [{actions, resources}]. */
function grants(role, p) {
  return resolve(R[role].Properties.Policies, p).flatMap((policy) => policy.PolicyDocument.Statement).map((s) => {
    assert.equal(s.Effect, 'Allow');
    assert.ok(!s.NotAction && !s.NotResource, 'no NotAction/NotResource');
    return { actions: list(s.Action), resources: list(s.Resource) };
  });
}
const allows = (g, action, arn) => g.some((s) => s.actions.some((a) => wildcard(a).test(action)) && s.resources.some((r) => wildcard(r).test(arn)));
const s3 = (uri) => uri.replace(/^s3:\/\//, 'arn:aws:s3:::');

test('every Ref, GetAtt and Sub reference resolves; cfn-lint (where installed) finds nothing', async (t) => {
  assert.deepEqual(danglingReferences(template).problems, []);
  try {
    await promisify(execFile)('cfn-lint', [file]);
  } catch (err) {
    if (err.code === 'ENOENT') return t.skip('cfn-lint is not installed');
    assert.fail(`cfn-lint: ${err.stdout}${err.stderr}`);
  }
});

test('each role is assumable by Lambda only and has no managed policy (AWSLambdaBasicExecutionRole writes any log group)', () => {
  for (const role of ['PreAnnotationRole', 'ConsolidationRole']) {
    const r = R[role];
    assert.equal(r.Type, 'AWS::IAM::Role');
    assert.deepEqual(r.Properties.AssumeRolePolicyDocument.Statement, [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    assert.ok(!r.Properties.ManagedPolicyArns, role);
    assert.ok(template.Outputs[`${role}Arn`], `output ${role}Arn`);
  }
});

test('the pre-annotation role may only write its own function\'s logs, which is all its code does', async () => {
  const g = grants('PreAnnotationRole', params());
  assert.deepEqual(g.flatMap((s) => s.actions).sort(), ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
  const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/avseg-pre-annotation`;
  assert.ok(allows(g, 'logs:PutLogEvents', `${group}:log-stream:2026/11/29/abc`));
  assert.ok(!allows(g, 'logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/other:log-stream:x`));
  assert.ok(!allows(g, 's3:GetObject', 'arn:aws:s3:::media/a.mp3'));
  const code = await readFile(new URL('../../scripts/aws/lambda/pre-annotation.mjs', import.meta.url), 'utf8');
  assert.doesNotMatch(code, /@aws-sdk|fetch\(/, 'the pre-annotation Lambda calls no AWS service');
});

test('the consolidation role reads the job output and writes only where consolidation.mjs puts its parts', () => {
  const p = params({ OutputBucket: 'gt-bucket', OutputPrefix: 'jobs/' });
  const g = grants('ConsolidationRole', p);
  assert.deepEqual([...new Set(g.flatMap((s) => s.actions))].sort(),
    ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 's3:PutObject']);
  // Where Ground Truth puts the payload and answers for a job whose S3OutputPath is s3://gt-bucket/jobs/.
  const payload = 's3://gt-bucket/jobs/calls/annotations/consolidation-request/iteration-1/2026-11-29_10:00:00.json';
  const answer = 's3://gt-bucket/jobs/calls/annotations/worker-response/iteration-1/0/2026-11-29_09:59:00.json';
  assert.ok(allows(g, 's3:GetObject', s3(payload)));
  assert.ok(allows(g, 's3:GetObject', s3(answer)));
  const saved = process.env.AVSEG_CONSOLIDATION_OUTPUT;
  delete process.env.AVSEG_CONSOLIDATION_OUTPUT;
  try {
    const parts = outputPrefix(payload);
    assert.ok(allows(g, 's3:PutObject', s3(`${parts}0/consensus.json`)), parts);
    assert.ok(allows(g, 's3:PutObject', s3(`${parts}0/answers/0-private.us-east-1.abc.json`)));
  } finally {
    if (saved !== undefined) process.env.AVSEG_CONSOLIDATION_OUTPUT = saved;
  }
  assert.ok(!allows(g, 's3:PutObject', s3(payload)), 'the payload cannot be overwritten');
  assert.ok(!allows(g, 's3:PutObject', s3(answer)), 'answers cannot be overwritten');
  assert.ok(!allows(g, 's3:GetObject', 'arn:aws:s3:::gt-bucket/other/calls/x.json'), 'nothing outside the output prefix');
  assert.ok(!allows(g, 's3:GetObject', 'arn:aws:s3:::media-bucket/calls/1.mp3'), 'no other bucket');
  assert.ok(!allows(g, 's3:DeleteObject', s3(payload)) && !allows(g, 's3:ListBucket', 'arn:aws:s3:::gt-bucket'));
  assert.ok(!allows(g, 'logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/avseg-pre-annotation:log-stream:x`));
  // With no output prefix the whole output bucket is the job output.
  const whole = grants('ConsolidationRole', params({ OutputBucket: 'gt-bucket' }));
  assert.ok(allows(whole, 's3:GetObject', 'arn:aws:s3:::gt-bucket/calls/annotations/consolidation-request/iteration-1/t.json'));
});

test('the output KMS key is usable by the consolidation role only when given, and only that key', () => {
  const kms = (g) => g.filter((s) => s.actions.some((a) => a.startsWith('kms:')));
  assert.deepEqual(kms(grants('ConsolidationRole', params({ OutputBucket: 'gt-bucket' }))), []);
  const g = grants('ConsolidationRole', params({ OutputBucket: 'gt-bucket', OutputKmsKeyArn: KEY }));
  assert.deepEqual(kms(g), [{ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [KEY] }]);
  assert.ok(!allows(g, 'kms:Decrypt', `arn:aws:kms:us-east-1:${ACCOUNT}:key/other`));
  assert.deepEqual(kms(grants('PreAnnotationRole', params({ OutputKmsKeyArn: KEY }))), []);
});

test('given the job\'s role, the consolidation role may only assume it (and write its logs): no S3, no KMS of its own', () => {
  const JOB = `arn:aws:iam::${ACCOUNT}:role/AvsegGroundTruth`;
  const g = grants('ConsolidationRole', params({ JobRoleArn: JOB, OutputKmsKeyArn: KEY }));
  assert.deepEqual([...new Set(g.flatMap((s) => s.actions))].sort(), ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sts:AssumeRole']);
  assert.ok(allows(g, 'sts:AssumeRole', JOB));
  assert.ok(!allows(g, 'sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/Admin`));
  // The stack needs one way or the other.
  const [assertion] = template.Rules.OutputOrJobRole.Assertions;
  assert.equal(resolve(assertion.Assert, params()), false);
  assert.equal(resolve(assertion.Assert, params({ OutputBucket: 'gt-bucket' })), true);
  assert.equal(resolve(assertion.Assert, params({ JobRoleArn: JOB })), true);
  assert.match(JOB, new RegExp(template.Parameters.JobRoleArn.AllowedPattern));
  assert.doesNotMatch('*', new RegExp(template.Parameters.JobRoleArn.AllowedPattern));
});

test('the parameters refuse wildcards and malformed values', () => {
  const P = template.Parameters;
  assert.doesNotMatch('jobs/*/', new RegExp(P.OutputPrefix.AllowedPattern));
  assert.doesNotMatch('jobs', new RegExp(P.OutputPrefix.AllowedPattern));
  assert.match('jobs/2026/', new RegExp(P.OutputPrefix.AllowedPattern));
  assert.doesNotMatch('*', new RegExp(P.OutputBucket.AllowedPattern));
  assert.doesNotMatch('alias/x', new RegExp(P.OutputKmsKeyArn.AllowedPattern));
  assert.match(KEY, new RegExp(P.OutputKmsKeyArn.AllowedPattern));
});
