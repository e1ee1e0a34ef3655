// SPDX-License-Identifier: MIT
// s3:// media for a local run, as grant_read_access gives it in Ground Truth: a presigned GET
// URL, made with the AWS SDK from the machine's own credentials (environment, profile or SSO).
// AWS_ENDPOINT_URL_S3 points it at an S3-compatible store instead (MinIO, a test server).
import { ManifestError } from './manifest.mjs';

/**
 * How long its links work: AVSEG_S3_LINK_SECONDS, else 6 hours. A page whose link expires asks the
 * run for a fresh one by itself (template/README.md), so a short time costs the annotator nothing;
 * tests make it a few seconds. S3 allows at most 7 days (less with temporary credentials).
 */
export function linkSeconds(env = process.env) {
  const text = env.AVSEG_S3_LINK_SECONDS;
  if (text === undefined || text === '') return 6 * 3600;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 7 * 24 * 3600) {
    throw new ManifestError(`AVSEG_S3_LINK_SECONDS="${text}": give the lifetime of s3:// media links in whole seconds, 1 to 604800 (7 days, S3's limit)`);
  }
  return seconds;
}

export async function presigner({ expiresIn = linkSeconds() } = {}) {
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
