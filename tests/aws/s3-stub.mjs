// SPDX-License-Identifier: MIT
// An S3-compatible endpoint on loopback for the AWS scripts' tests: path-style PUT and GET of
// objects, listing (by prefix) and batch deletion, kept in memory, each request recorded. The
// real AWS SDK talks to it.
import { createServer } from 'node:http';

export async function startS3Stub(objects = new Map()) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://localhost');
      const [, bucket, ...rest] = decodeURIComponent(url.pathname).split('/');
      const key = rest.join('/');
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method, bucket, key, headers: req.headers, query: url.search, bytes: body.length });
      if (req.method === 'GET' && !key && url.searchParams.get('list-type') === '2') {
        // ListObjectsV2, two keys a page so paging is exercised.
        const prefix = url.searchParams.get('prefix') ?? '';
        const keys = [...objects.keys()].filter((k) => k.startsWith(`${bucket}/${prefix}`)).map((k) => k.slice(bucket.length + 1)).sort();
        // The token is the last key given, as S3's are cursors into the key order.
        const after = url.searchParams.get('continuation-token') ?? '';
        const rest = keys.filter((k) => k > after);
        const page = rest.slice(0, 2);
        const more = rest.length > 2;
        res.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><KeyCount>${page.length}</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${page.at(-1)}</NextContinuationToken>` : ''}${page.map((k) => `<Contents><Key>${k}</Key><Size>1</Size></Contents>`).join('')}</ListBucketResult>`);
      } else if (req.method === 'POST' && url.searchParams.has('delete')) {
        for (const [, k] of body.toString().matchAll(/<Key>([^<]*)<\/Key>/g)) objects.delete(`${bucket}/${k}`);
        res.writeHead(200, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>');
      } else if (req.method === 'PUT') {
        objects.set(`${bucket}/${key}`, { body, headers: req.headers });
        res.writeHead(200, { etag: '"stub"' }).end();
      } else if (req.method === 'GET' && objects.has(`${bucket}/${key}`)) {
        const o = objects.get(`${bucket}/${key}`);
        res.writeHead(200, { 'content-type': o.headers?.['content-type'] ?? 'application/octet-stream', 'content-length': o.body.length }).end(o.body);
      } else {
        res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code><Message>not found</Message></Error>');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    objects,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Environment for a child process using the AWS SDK against the stub, with made-up credentials. */
export const stubEnv = (endpoint, extra = {}) => ({
  PATH: process.env.PATH, HOME: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL_S3: endpoint, ...extra,
});
