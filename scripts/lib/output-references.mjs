// SPDX-License-Identifier: MIT
// Reads what an output manifest refers to instead of holding it: an answer or a consensus moved
// to S3 by the consolidation Lambda, or a worker's response file. s3:// goes through the AWS SDK
// (the machine's credentials; AWS_ENDPOINT_URL_S3 for an S3-compatible store); anything else is a
// local file, relative to the manifest's folder.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CONCURRENCY = 16;

/** @returns {(uri: string) => Promise<string>} a reader that rejects with an Error saying why */
export function referenceReader(manifestDir) {
  let client;
  const s3 = async () => {
    client ??= (async () => {
      const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
      const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
      const s3Client = new S3Client({
        region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
        followRegionRedirects: true,
        ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      });
      return { s3Client, GetObjectCommand };
    })();
    return client;
  };
  let running = 0;
  const waiting = [];
  const limited = async (fn) => {
    if (running >= CONCURRENCY) await new Promise((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };

  const bytesOf = async (uri) => {
    if (typeof uri !== 'string' || !uri) throw new Error('the reference is not a URI or a path');
    if (/^s3:\/\//i.test(uri)) {
      const m = /^s3:\/\/([^/]+)\/(.+)$/i.exec(uri);
      if (!m) throw new Error('not an s3://bucket/key URI');
      const { s3Client, GetObjectCommand } = await s3();
      try {
        const object = await s3Client.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
        return await object.Body.transformToByteArray();
      } catch (err) {
        const status = err.$metadata?.httpStatusCode;
        throw new Error(`${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}${status ? ` (HTTP ${status})` : ''}`);
      }
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !/^file:/i.test(uri)) throw new Error('only s3:// URIs and local files are read');
    const file = /^file:/i.test(uri) ? fileURLToPath(uri) : path.resolve(manifestDir, uri);
    const info = await stat(file).catch((err) => { throw new Error(`${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`); });
    if (!info.isFile()) throw new Error(`${file} is not a file`);
    return readFile(file);
  };

  return (uri) => limited(() => bytesOf(uri)).then((bytes) => {
    // Decoding would silently put U+FFFD for broken bytes; they are refused instead.
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new Error('not valid UTF-8');
    }
  });
}
