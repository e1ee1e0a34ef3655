// SPDX-License-Identifier: MIT
// The asset host's CloudFormation template, read statically: references resolve, the buckets
// are private, CloudFront reaches the assets through Origin Access Control over HTTPS only,
// access logs are kept 90 days, and the outputs a deployment needs exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { danglingReferences, parseTemplate } from './cfn.mjs';

const template = parseTemplate(await readFile(new URL('../../scripts/aws/asset-host.yaml', import.meta.url), 'utf8'));
const R = template.Resources;
const ofType = (type) => Object.entries(R).filter(([, r]) => r.Type === type);

test('every Ref, GetAtt and Sub reference resolves', () => {
  const { problems, seen } = danglingReferences(template);
  assert.deepEqual(problems, []);
  assert.ok(seen.Ref >= 4 && seen.GetAtt >= 4 && seen.Sub >= 4, JSON.stringify(seen));
});

test('the checker itself catches a dangling reference', () => {
  const broken = parseTemplate('Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Missing\n      Tags: [{Key: k, Value: !Sub "${A.Arn}-${Nope}"}, {Key: j, Value: !GetAtt Gone.Arn}]\n');
  assert.deepEqual(danglingReferences(broken).problems.length, 3);
});

test('no bucket is public; the asset bucket is read only by this distribution', () => {
  for (const [name, bucket] of ofType('AWS::S3::Bucket')) {
    assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration,
      { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true }, name);
    assert.ok(!bucket.Properties.AccessControl, `${name} has no canned ACL`);
    assert.ok(!bucket.Properties.WebsiteConfiguration, `${name} is not a website`);
  }
  const [[, policy]] = ofType('AWS::S3::BucketPolicy');
  assert.deepEqual(policy.Properties.Bucket, { Ref: 'AssetBucket' });
  for (const s of policy.Properties.PolicyDocument.Statement.filter((x) => x.Effect === 'Allow')) {
    assert.deepEqual(s.Principal, { Service: 'cloudfront.amazonaws.com' });
    assert.match(s.Condition.StringEquals['AWS:SourceArn']['Fn::Sub'], /distribution\/\$\{Distribution\}$/);
    assert.equal(s.Action, 's3:GetObject');
  }
  const cors = R.AssetBucket.Properties.CorsConfiguration.CorsRules;
  assert.deepEqual(cors.map((r) => r.AllowedMethods), [['GET', 'HEAD']]);
});

test('CloudFront uses Origin Access Control (no legacy identity), HTTPS only, a managed cache policy and logging', () => {
  assert.equal(ofType('AWS::CloudFront::CloudFrontOriginAccessIdentity').length, 0);
  const [[, oac]] = ofType('AWS::CloudFront::OriginAccessControl');
  assert.equal(oac.Properties.OriginAccessControlConfig.SigningBehavior, 'always');
  const config = R.Distribution.Properties.DistributionConfig;
  const [origin] = config.Origins;
  assert.deepEqual(origin.OriginAccessControlId, { 'Fn::GetAtt': ['OriginAccessControl', 'Id'] });
  assert.equal(origin.S3OriginConfig.OriginAccessIdentity, '');
  assert.equal(config.DefaultCacheBehavior.ViewerProtocolPolicy, 'https-only');
  assert.match(config.DefaultCacheBehavior.CachePolicyId, /^[0-9a-f-]{36}$/);
  assert.ok(!config.DefaultCacheBehavior.ForwardedValues, 'no legacy cache settings beside the policy');
  assert.deepEqual(config.Logging.Bucket, { 'Fn::GetAtt': ['LogsBucket', 'DomainName'] });
});

test('the logs bucket takes CloudFront\'s logs (object writer) and keeps them 90 days', () => {
  const logs = R.LogsBucket.Properties;
  assert.equal(logs.OwnershipControls.Rules[0].ObjectOwnership, 'ObjectWriter');
  const [rule] = logs.LifecycleConfiguration.Rules;
  assert.equal(rule.Status, 'Enabled');
  assert.equal(rule.ExpirationInDays, 90);
});

test('the outputs give the asset base URL and what the deploy script needs', () => {
  for (const name of ['AssetBaseUrl', 'AssetBucketName', 'DistributionId', 'LogsBucketName']) assert.ok(template.Outputs[name], name);
  assert.match(template.Outputs.AssetBaseUrl.Value['Fn::Sub'], /^https:\/\/\$\{Distribution\.DomainName\}/);
});
