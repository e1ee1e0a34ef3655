// SPDX-License-Identifier: MIT
// An S3-compatible endpoint on loopback for the AWS scripts' tests: path-style PUT, GET and HEAD of
// objects, listing (by prefix) and batch deletion, kept in memory, each request recorded. The
// real AWS SDK talks to it. Like S3, keys in XML are escaped, a page holds at most max-keys (and
// at most `pageSize`, 2 by default so paging is exercised, 1000 as S3 does) and a batch deletion
// of more than 1000 keys is refused.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const xmlEscape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const xmlUnescape = (s) => s.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi, (_, d, h, n) => (d ? String.fromCodePoint(Number(d)) : h ? String.fromCodePoint(parseInt(h, 16)) : { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[n]));

/**
 * A presigned GET past its time (X-Amz-Date + X-Amz-Expires): S3's 403 "Request has expired".
 * The signature itself is not checked.
 */
function expiredAt(query) {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(query.get('X-Amz-Date') ?? '');
  const seconds = Number(query.get('X-Amz-Expires'));
  if (!m || !(seconds > 0)) return null;
  const end = Date.UTC(m[1], m[2] - 1, m[3], m[4], m[5], m[6]) + seconds * 1000;
  return Date.now() > end ? new Date(end) : null;
}

/**
 * cors: answer browsers as a bucket with a CORS rule allowing GET from any origin, with Range
 * allowed and Content-Range/Content-Length/Accept-Ranges/ETag exposed. GET honours one byte range
 * (206) and answers several with the whole object (200), as S3 does.
 */
/** deny(method, bucket, key): true answers that request 403 AccessDenied, as a bucket policy refusing the role would. */
export async function startS3Stub(objects = new Map(), { pageSize = 2, cors = false, deny = null } = {}) {
  const requests = [];
  const corsHeaders = cors ? { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'Content-Range, Content-Length, Accept-Ranges, ETag' } : {};
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://localhost');
      const [, bucket, ...rest] = decodeURIComponent(url.pathname).split('/');
      const key = rest.join('/');
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method, bucket, key, headers: req.headers, query: url.search, bytes: body.length });
      const expired = expiredAt(url.searchParams);
      if (deny?.(req.method, bucket, key)) {
        res.writeHead(403, { 'content-type': 'application/xml' }).end(req.method === 'HEAD' ? undefined : '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      } else if (cors && req.method === 'OPTIONS') {
        res.writeHead(200, { ...corsHeaders, 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '' }).end();
      } else if (expired) {
        res.writeHead(403, { ...corsHeaders, 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>${url.searchParams.get('X-Amz-Expires')}</X-Amz-Expires><Expires>${expired.toISOString()}</Expires><ServerTime>${new Date().toISOString()}</ServerTime></Error>`);
      } else if (req.method === 'GET' && !key && url.searchParams.get('list-type') === '2') {
        const prefix = url.searchParams.get('prefix') ?? '';
        const keys = [...objects.keys()].filter((k) => k.startsWith(`${bucket}/${prefix}`)).map((k) => k.slice(bucket.length + 1)).sort();
        // The token is the last key given, as S3's are cursors into the key order.
        const after = url.searchParams.get('continuation-token') ?? '';
        const rest = keys.filter((k) => k > after);
        const maxKeys = Math.min(pageSize, Number(url.searchParams.get('max-keys') ?? 1000));
        const page = rest.slice(0, maxKeys);
        const more = rest.length > maxKeys;
        res.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${xmlEscape(page.at(-1))}</NextContinuationToken>` : ''}${page.map((k) => `<Contents><Key>${xmlEscape(k)}</Key><Size>1</Size></Contents>`).join('')}</ListBucketResult>`);
      } else if (req.method === 'POST' && url.searchParams.has('delete')) {
        const keys = [...body.toString().matchAll(/<Key>([^<]*)<\/Key>/g)].map(([, k]) => xmlUnescape(k));
        if (keys.length > 1000) {
          res.writeHead(400, { 'content-type': 'application/xml' }).end('<Error><Code>MalformedXML</Code><Message>The XML you provided was not well-formed or did not validate against our published schema</Message></Error>');
          return;
        }
        for (const k of keys) objects.delete(`${bucket}/${k}`);
        res.writeHead(200, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>');
      } else if (req.method === 'PUT') {
        objects.set(`${bucket}/${key}`, { body, headers: req.headers });
        res.writeHead(200, { etag: '"stub"' }).end();
      } else if ((req.method === 'GET' || req.method === 'HEAD') && objects.has(`${bucket}/${key}`)) {
        // HEAD: the same headers, no body (Node sends none for HEAD); the ETag is the body's MD5, as S3's for a single PUT.
        const o = objects.get(`${bucket}/${key}`);
        const type = o.headers?.['content-type'] ?? 'application/octet-stream';
        res.setHeader('etag', `"${createHash('md5').update(o.body).digest('hex')}"`);
        const size = o.body.length;
        const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
        const start = range ? (range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1])) : 0;
        const end = range ? (range[1] === '' || range[2] === '' ? size : Math.min(size, Number(range[2]) + 1)) : size;
        if (range && start >= size) {
          res.writeHead(416, { ...corsHeaders, 'content-type': 'application/xml', 'content-range': `bytes */${size}` }).end('<Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message></Error>');
        } else if (range) {
          res.writeHead(206, { ...corsHeaders, 'content-type': type, 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end - 1}/${size}`, 'content-length': end - start }).end(o.body.subarray(start, end));
        } else {
          res.writeHead(200, { ...corsHeaders, 'content-type': type, 'accept-ranges': 'bytes', 'content-length': size }).end(o.body);
        }
      } else {
        res.writeHead(404, { ...corsHeaders, 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code><Message>not found</Message></Error>');
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
