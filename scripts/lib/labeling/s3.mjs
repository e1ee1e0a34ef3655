// SPDX-License-Identifier: MIT
// s3:// media for a local run, as grant_read_access gives it in Ground Truth: a presigned GET
// URL, made with the AWS SDK from the machine's own credentials (environment, profile or SSO).
// AWS_ENDPOINT_URL_S3 points it at an S3-compatible store instead (MinIO, a test server).
import { ManifestError } from './manifest.mjs';

export async function presigner({ expiresIn = 6 * 3600 } = {}) {
  const [{ S3Client, GetObjectCommand }, { getSignedUrl }] = await Promise.all([
    import('@aws-sdk/client-s3'), import('@aws-sdk/s3-request-presigner'),
  ]);
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const client = new S3Client({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
  try {
    await client.config.credentials();
  } catch (err) {
    throw new ManifestError(`the manifest has s3:// media but no AWS credentials were found (${err.message}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use local paths or http(s) URLs`);
  }
  return (bucket, key) => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
}
