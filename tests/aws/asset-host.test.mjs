// SPDX-License-Identifier: MIT
// The asset host's CloudFormation template, read statically: references resolve, the buckets
// are private, CloudFront reaches the assets through Origin Access Control over HTTPS only and
// answers CORS to the portal origins given (never '*'), access logs are kept 90 days and reachable
// over TLS only, and the outputs a deployment needs exist.
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
  const [[, policy]] = ofType('AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === 'AssetBucket');
  for (const s of policy.Properties.PolicyDocument.Statement.filter((x) => x.Effect === 'Allow')) {
    assert.deepEqual(s.Principal, { Service: 'cloudfront.amazonaws.com' });
    assert.match(s.Condition.StringEquals['AWS:SourceArn']['Fn::Sub'], /distribution\/\$\{Distribution\}$/);
    assert.equal(s.Action, 's3:GetObject');
  }
  const cors = R.AssetBucket.Properties.CorsConfiguration.CorsRules;
  assert.deepEqual(cors.map((r) => r.AllowedMethods), [['GET', 'HEAD']]);
  assert.deepEqual(cors.map((r) => r.AllowedOrigins), [{ Ref: 'PortalOrigins' }]);
});

/** The Deny statements of a bucket's policy that refuse requests not made over TLS, to the bucket and to its objects. */
function tlsOnly(bucket) {
  const policies = ofType('AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === bucket);
  assert.equal(policies.length, 1, `${bucket} has one bucket policy`);
  const denies = policies[0][1].Properties.PolicyDocument.Statement.filter((s) => s.Effect === 'Deny'
    && s.Principal === '*' && s.Action === 's3:*' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
  const resources = denies.flatMap((s) => s.Resource);
  return resources.some((r) => r['Fn::GetAtt']?.[0] === bucket && r['Fn::GetAtt'][1] === 'Arn')
    && resources.some((r) => r['Fn::Sub'] === `\${${bucket}.Arn}/*`);
}

test('the asset and logs buckets deny any request not made over TLS, to the bucket and to its objects', () => {
  assert.ok(tlsOnly('AssetBucket'), 'asset bucket');
  assert.ok(tlsOnly('LogsBucket'), 'logs bucket');
});

test('CORS answers only the portal origins given as a parameter, never any origin', () => {
  const param = template.Parameters.PortalOrigins;
  assert.equal(param.Type, 'CommaDelimitedList');
  assert.ok(!('Default' in param), 'the deployer must name the origins');
  assert.ok(!('AllowedOrigin' in template.Parameters), 'no parameter defaulting to any origin is left');
  // CloudFormation checks each origin of the list against the pattern.
  const allowed = new RegExp(param.AllowedPattern);
  for (const ok of ['https://abcd1234.labeling.us-east-1.sagemaker.aws', 'https://portal.example.org:8443']) assert.match(ok, allowed);
  for (const bad of ['*', 'https://*.sagemaker.aws', 'http://abcd.labeling.us-east-1.sagemaker.aws', 'https://a.example.org/path', '']) assert.doesNotMatch(bad, allowed);
  const behavior = R.Distribution.Properties.DistributionConfig.DefaultCacheBehavior;
  // 5cc3b908-... (CORS-With-Preflight) and 60669652-... (CORS-and-SecurityHeadersPolicy) answer '*'.
  assert.deepEqual(behavior.ResponseHeadersPolicyId, { Ref: 'PortalCors' });
  const policy = R.PortalCors;
  assert.equal(policy.Type, 'AWS::CloudFront::ResponseHeadersPolicy');
  const cors = policy.Properties.ResponseHeadersPolicyConfig.CorsConfig;
  assert.deepEqual(cors.AccessControlAllowOrigins, { Items: { Ref: 'PortalOrigins' } });
  assert.equal(cors.OriginOverride, true, 'S3\'s own CORS answer is replaced');
  assert.equal(cors.AccessControlAllowCredentials, false);
  assert.deepEqual(cors.AccessControlAllowMethods.Items, ['GET', 'HEAD', 'OPTIONS']);
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
