// SPDX-License-Identifier: MIT
// A media server on loopback for tests and benchmarks: synthesised or on-disk files, honest
// byte ranges (single and multipart/byteranges, RFC 9110 §14), or S3's behaviour, added latency
// and a bandwidth cap, answers that lie, and presigned-URL expiry. Every request is logged.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { sourceOf } from './synth-media.mjs';

// S3's answers, as AWS documents and users recorded them:
// - GetObject: "Amazon S3 doesn't support retrieving multiple ranges of data per GET request"
//   (GetObjectRequest.range, AWS SDK docs). What it does instead, measured against S3:
//   github.com/awslabs/aws-c-s3/issues/257 (2023): `Range: bytes=0-499,500-502` → 200, the whole
//   object, no Content-Range; github.com/basho/riak_cs/pull/304 (2013): "AWS S3 respond whole
//   resource when multiple ranges are requested". (scikit-hep/uproot5 PR #3, 2020, saw a 206 with
//   only the first range instead; `multiRange: 'first'` reproduces that.)
// - A multi-range Range header is not CORS-safelisted, so the browser preflights it; a CORS rule
//   whose AllowedHeaders lacks Range gets "HTTP/1.1 403 Forbidden CORS Response: This CORS request
//   is not allowed." (docs.aws.amazon.com/AmazonS3/latest/userguide/cors-troubleshooting.html).
// - An expired presigned URL: 403 AccessDenied "Request has expired" with Expires and ServerTime
//   (github.com/aws/aws-sdk-js/issues/3493, versity/versitygw#2116).
const S3_CORS_REFUSED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessForbidden</Code>'
  + '<Message>CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, '
  + 'request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the '
  + "resource's CORS spec.</Message><Method>GET</Method><ResourceType>OBJECT</ResourceType>"
  + '<RequestId>AVSEGTEST0000000</RequestId><HostId>avseg-test</HostId></Error>';
const s3Expired = (expires) => '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
  + `<Message>Request has expired</Message><X-Amz-Expires>3600</X-Amz-Expires><Expires>${expires}</Expires>`
  + `<ServerTime>${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}</ServerTime>`
  + '<RequestId>AVSEGTEST0000001</RequestId><HostId>avseg-test</HostId></Error>';

const CHUNK = 1 << 20;
const LIE_SHIFT = 4096;
const SHORT_BY = 100;

/**
 * @param {object} o
 * @param {Record<string, object>} o.files  '/name.ext' → { synth: 'wav', seconds, sampleRate?, channels?,
 *   edgeSeconds?, rf64? } | { synth: 'mp3-loop', seconds, edgeSeconds? } | { path: '/abs/file' }
 * Options that can also be changed later with configure(): ranges, multiRange (true | false: 200
 * with the whole file as S3 | 'first': a 206 of the first range only), exposeHeaders,
 * allowHeaders (preflight; default ['Range'], or [] when exposeHeaders is []: Ground Truth's rule),
 * allowOrigin, latencyMs, bytesPerSecond (each answer alone), linkBytesPerSecond (all answers together, as
 * the client's link: concurrent answers share it), lie ('content-range' | 'ignore-range' | 'short' |
 * 'truncate'), lieAfterRequests (answers honestly to that many GETs first), expireAfterRequests,
 * corsOnErrors (S3 adds its CORS headers to error answers too; false to see a browser's opaque
 * failure instead).
 */
export async function startMediaServer({ files, ...options } = {}) {
  const settings = {
    ranges: true, multiRange: true, exposeHeaders: ['Content-Range', 'Content-Length', 'Accept-Ranges'], allowHeaders: undefined,
    allowOrigin: '*', latencyMs: 0, bytesPerSecond: 0, linkBytesPerSecond: 0, lie: null, lieAfterRequests: 0,
    expireAfterRequests: Infinity, corsOnErrors: true,
  };
  const configure = (o) => {
    for (const [k, v] of Object.entries(o)) {
      if (!(k in settings)) throw new Error(`startMediaServer: unknown option ${k}`);
      settings[k] = v;
    }
  };
  configure(options);
  const sources = new Map();
  const link = linkPacer(() => settings.linkBytesPerSecond);
  for (const [name, spec] of Object.entries(files ?? {})) sources.set(name.startsWith('/') ? name : `/${name}`, await sourceOf(spec));

  const requests = [];
  let gets = 0;
  const started = new Date();
  const sockets = new Set();

  const server = createServer((req, res) => {
    const t0 = performance.now();
    const entry = { method: req.method, path: req.url, range: req.headers.range ?? null, dest: req.headers['sec-fetch-dest'] ?? null, status: null, bytes: 0, ms: null };
    requests.push(entry);
    const done = () => { entry.ms ??= performance.now() - t0; };
    res.on('finish', done);
    res.on('close', done);
    handle(req, res, entry).catch((err) => {
      if (!res.headersSent) {
        entry.status = 500;
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err?.stack ?? err));
      } else res.destroy(err);
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  function cors(req) {
    const origin = req.headers.origin;
    const allowed = settings.allowOrigin === '*' || (origin && [].concat(settings.allowOrigin).includes(origin));
    if (!allowed) return null;
    const h = { 'access-control-allow-origin': settings.allowOrigin === '*' ? '*' : origin };
    if (settings.allowOrigin !== '*') h.vary = 'Origin';
    if (settings.exposeHeaders.length) h['access-control-expose-headers'] = settings.exposeHeaders.join(', ');
    return h;
  }

  async function handle(req, res, entry) {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const corsHeaders = cors(req);
    // A preflight is a round trip too.
    if (settings.latencyMs) await sleep(settings.latencyMs);
    if (req.method === 'OPTIONS') return preflight(req, res, entry, corsHeaders);
    const errorCors = settings.corsOnErrors ? corsHeaders ?? {} : {};
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(req, res, entry, 405, { allow: 'GET, HEAD, OPTIONS', ...errorCors }, 'method not allowed');
    const source = sources.get(pathname);
    if (!source) return sendText(req, res, entry, 404, errorCors, 'not found');
    gets++;
    if (gets > settings.expireAfterRequests) {
      return sendText(req, res, entry, 403, { ...errorCors, 'content-type': 'application/xml' }, s3Expired(started.toISOString().replace(/\.\d+Z$/, 'Z')));
    }
    const base = {
      ...(corsHeaders ?? {}), 'content-type': source.type, 'cache-control': 'no-store',
      'last-modified': started.toUTCString(), etag: `"${source.kind}-${source.size}"`,
    };
    if (settings.ranges) base['accept-ranges'] = 'bytes';
    const lie = gets > settings.lieAfterRequests ? settings.lie : null;
    const size = source.size;

    const parsed = settings.ranges && req.headers.range !== undefined ? parseRanges(req.headers.range, size) : null;
    if (!parsed || lie === 'ignore-range') return sendParts(req, res, entry, source, 200, { ...base }, [{ start: 0, end: size }]);
    if (parsed === 'unsatisfiable') {
      return sendText(req, res, entry, 416, { ...base, 'content-range': `bytes */${size}` }, 'range not satisfiable');
    }
    if (parsed.length > 1 && settings.multiRange === false) return sendParts(req, res, entry, source, 200, { ...base }, [{ start: 0, end: size }]);
    if (parsed.length === 1 || settings.multiRange === 'first') {
      let { start, end } = parsed[0];
      let claimed = start;
      if (lie === 'content-range') claimed = start + LIE_SHIFT;
      if (lie === 'short') end = Math.max(start + 1, end - SHORT_BY);
      const headers = { ...base, 'content-range': `bytes ${claimed}-${claimed + end - start - 1}/${size}` };
      return sendParts(req, res, entry, source, 206, headers, [{ start, end }], { truncate: lie === 'truncate' });
    }
    // RFC 9110 §14.6: each part is preceded by CRLF--boundary (the first by --boundary alone) and
    // its Content-Type and Content-Range; the body ends with CRLF--boundary--.
    const boundary = `avseg_${randomBytes(12).toString('hex')}`;
    const parts = [];
    parsed.forEach(({ start, end }, i) => {
      parts.push(Buffer.from(`${i ? '\r\n' : ''}--${boundary}\r\nContent-Type: ${source.type}\r\nContent-Range: bytes ${start}-${end - 1}/${size}\r\n\r\n`, 'latin1'));
      parts.push({ start, end });
    });
    parts.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'));
    const headers = { ...base, 'content-type': `multipart/byteranges; boundary=${boundary}` };
    return sendParts(req, res, entry, source, 206, headers, parts, { truncate: lie === 'truncate' });
  }

  function preflight(req, res, entry, corsHeaders) {
    const asked = (req.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
    const allowHeaders = (settings.allowHeaders ?? (settings.exposeHeaders.length ? ['Range'] : [])).map((h) => h.toLowerCase());
    const method = req.headers['access-control-request-method'];
    const ok = corsHeaders && ['GET', 'HEAD'].includes(method) && asked.every((h) => allowHeaders.includes('*') || allowHeaders.includes(h));
    if (!ok) return sendText(req, res, entry, 403, { 'content-type': 'application/xml' }, S3_CORS_REFUSED);
    const headers = {
      ...corsHeaders, 'access-control-allow-methods': 'GET, HEAD', 'access-control-max-age': '600',
      ...(asked.length ? { 'access-control-allow-headers': asked.join(', ') } : {}),
    };
    delete headers['access-control-expose-headers'];
    entry.status = 200;
    res.writeHead(200, { ...headers, 'content-length': 0 });
    res.end();
  }

  // parts: Buffers (literal) and { start, end } (bytes of the source, end exclusive).
  async function sendParts(req, res, entry, source, status, headers, parts, { truncate = false } = {}) {
    const length = parts.reduce((n, p) => n + (Buffer.isBuffer(p) ? p.length : p.end - p.start), 0);
    entry.status = status;
    res.writeHead(status, { ...headers, 'content-length': length });
    if (req.method === 'HEAD') return res.end();
    const stopAt = truncate ? Math.floor(length / 2) : Infinity;
    const pace = pacer(() => settings.bytesPerSecond);
    const share = link.open();
    res.once('close', () => share.close());
    // false once the client has gone (or the answer was cut short on purpose).
    const emit = async (chunk) => {
      if (res.destroyed) return false;
      if (entry.bytes + chunk.length > stopAt) {
        await new Promise((resolve) => res.write(chunk.subarray(0, stopAt - entry.bytes), resolve));
        entry.bytes = stopAt;
        res.destroy();
        return false;
      }
      await pace(chunk.length);
      await share.pace(chunk.length);
      if (res.destroyed) return false;
      entry.bytes += chunk.length;
      if (!res.write(chunk)) {
        await new Promise((resolve) => {
          const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      return !res.destroyed;
    };
    for (const part of parts) {
      if (Buffer.isBuffer(part)) {
        if (!(await emit(part))) return;
        continue;
      }
      for (let p = part.start; p < part.end;) {
        const rate = Math.min(settings.bytesPerSecond || Infinity, settings.linkBytesPerSecond || Infinity);
        const n = Math.min(CHUNK, part.end - p, rate < Infinity ? Math.max(1024, Math.round(rate / 20)) : CHUNK);
        const chunk = await source.read(p, p + n);
        p += n;
        if (!(await emit(chunk))) return;
      }
    }
    res.end();
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: (name) => new URL(name.startsWith('/') ? name : `/${name}`, origin).href,
    /** The source behind a name: { size, type, read(start, end) } — the bytes the server sends. */
    source: (name) => sources.get(name.startsWith('/') ? name : `/${name}`),
    requests,
    configure,
    settings,
    /** Clears the log and the request count (expiry and lies count from here). */
    reset() {
      requests.length = 0;
      gets = 0;
    },
    async close() {
      await new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      for (const s of sources.values()) await s.close?.();
    },
  };
}

function sendText(req, res, entry, status, headers, text) {
  const body = Buffer.from(text);
  entry.status = status;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers, 'content-length': body.length, 'cache-control': 'no-store' });
  if (req.method !== 'HEAD') entry.bytes = body.length;
  res.end(req.method === 'HEAD' ? undefined : body);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Holds each response to `rate()` bytes per second: a chunk goes when its last byte is due.
function pacer(rate) {
  const t0 = performance.now();
  let sent = 0;
  return async (n) => {
    const r = rate();
    if (r > 0) {
      const due = t0 + ((sent + n) * 1000) / r;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
    }
    sent += n;
  };
}

// One link shared by every answer at once, as TCP shares it: each answer being sent gets an equal
// share of `rate()` bytes per second (a chunk goes when its last byte is due at that share). Up to
// LINK_SLACK_MS of time not used is credited, so the server's own work between chunks does not
// slow an answer below its share.
const LINK_SLACK_MS = 100;
function linkPacer(rate) {
  let active = 0;
  return {
    /** One answer's pace(n); close() when it ended. */
    open() {
      let due = -Infinity;
      let open = true;
      active++;
      return {
        async pace(n) {
          const r = rate();
          if (!(r > 0)) return;
          const now = performance.now();
          due = Math.max(due, now - LINK_SLACK_MS) + (n * 1000 * active) / r;
          if (due - now > 1) await sleep(due - now);
        },
        close() {
          if (open) active--;
          open = false;
        },
      };
    },
  };
}

/**
 * RFC 9110 §14.1.2/§14.2: [{start, end}] (end exclusive) for the satisfiable ranges in the order
 * asked; 'unsatisfiable' when none is; null when the header is not a valid bytes range set (a
 * server then ignores it).
 */
export function parseRanges(header, size) {
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return null;
  const specs = m[1].split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!specs.length) return null;
  const out = [];
  for (const spec of specs) {
    const r = /^(\d*)-(\d*)$/.exec(spec);
    if (!r || (r[1] === '' && r[2] === '')) return null;
    if (r[1] === '') {
      const suffix = Number(r[2]);
      if (suffix > 0 && size > 0) out.push({ start: Math.max(0, size - suffix), end: size });
      continue;
    }
    const first = Number(r[1]);
    const last = r[2] === '' ? size - 1 : Number(r[2]);
    if (last < first) return null;
    if (first < size) out.push({ start: first, end: Math.min(last, size - 1) + 1 });
  }
  return out.length ? out : 'unsatisfiable';
}
