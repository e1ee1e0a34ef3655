// SPDX-License-Identifier: MIT
// Loopback servers for the remote reader's tests: a synthesised file whose every 4-byte word holds
// its own index (so any byte's value is known from its offset), served with single ranges and
// RFC 9110 multipart/byteranges, or misbehaving; nginx serving a real file; and a fetch that
// filters what a browser would let a cross-origin page see.
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile, readFile, rm, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The bytes [start, end) of the synthesised file (word k holds k, little-endian). */
export function contentAt(start, end) {
  const first = Math.floor(start / 4);
  const words = new Uint32Array(Math.ceil(end / 4) - first);
  for (let i = 0; i < words.length; i++) words[i] = first + i;
  return new Uint8Array(words.buffer, start - first * 4, end - start);
}

/** True when `bytes` are the synthesised file's bytes at `start` (variant 1 differs from byte 0 on). */
export function isContentAt(start, bytes, variant = 0) {
  const want = contentAt(start, start + bytes.length);
  if (variant) for (let i = 0; i < want.length; i++) want[i] ^= 0x5a;
  return Buffer.compare(Buffer.from(want.buffer, want.byteOffset, want.length), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)) === 0;
}

function parseRangeHeader(header, size) {
  const m = /^bytes=(.+)$/.exec(header ?? '');
  if (!m) return null;
  const out = [];
  for (const spec of m[1].split(',')) {
    const r = /^(\d+)-(\d*)$/.exec(spec.trim());
    if (!r) return null;
    const start = Number(r[1]);
    const end = r[2] === '' ? size : Math.min(size, Number(r[2]) + 1);
    if (start < size) out.push([start, end]);
  }
  return out.length ? out : 'unsatisfiable';
}

/**
 * options (all changeable later through server.options):
 *  size; variant (0/1: another file of the same size); multi: 'multipart' | 'whole' (200, as S3) |
 *  'first' (206 of the first range) | 416; maxRanges (more get the whole file, as Apache); merge (multipart: ranges less than 80 bytes apart become
 *  one part, as RFC 9110 allows); reorder (multipart parts in reverse order); lie: null |
 *  'content-range' | 'short' | 'ignore-range' | 'parts-short' (a part missing); expireAfter (GETs
 *  answered, then 403 as S3); cutAfter (an open-ended answer is cut after that many bytes, once per
 *  request); latencyMs; lastModified; etag (null: none); hook(req, res, entry, body): a misbehaviour
 *  of a test's own (returns true when it answered, false to answer as usual).
 * Logs every GET: { range, status, bytes } and the most answers in flight at once (maxConcurrent).
 */
export async function startRangeServer(options) {
  const o = { size: 1 << 20, variant: 0, multi: 'multipart', maxRanges: Infinity, merge: false, reorder: false, lie: null, expireAfter: Infinity,
    cutAfter: 0, latencyMs: 0, lastModified: 'Sun, 29 Nov 2026 10:00:00 GMT', etag: null, hook: null, ...options };
  const log = [];
  let concurrent = 0;
  const state = { maxConcurrent: 0 };
  const body = (start, end) => {
    const b = Buffer.from(contentAt(start, end));
    if (o.variant) for (let i = 0; i < b.length; i++) b[i] ^= 0x5a;
    return b;
  };
  async function send(res, chunks, entry, cut = Infinity) {
    for (const c of chunks) {
      const buf = typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
      for (let p = 0; p < buf.length; p += 1 << 20) {
        let piece = buf.subarray(p, p + (1 << 20));
        if (entry.bytes + piece.length > cut) {
          piece = piece.subarray(0, cut - entry.bytes);
          entry.bytes += piece.length;
          await new Promise((resolve) => res.write(piece, resolve));
          res.destroy();
          return;
        }
        entry.bytes += piece.length;
        if (res.destroyed) return;
        if (!res.write(piece)) {
          await new Promise((resolve) => {
            const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
            res.on('drain', done);
            res.on('close', done);
          });
        }
        if (res.destroyed) return;
      }
    }
    res.end();
  }
  // A body of `length` bytes from [start, end) produced 1 MiB at a time (a 200 MB file is never held).
  function* ranged(start, end) {
    for (let p = start; p < end; p += 1 << 20) yield body(p, Math.min(end, p + (1 << 20)));
  }
  const server = createServer(async (req, res) => {
    const entry = { range: req.headers.range ?? null, status: 0, bytes: 0 };
    log.push(entry);
    concurrent++;
    state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
    res.on('close', () => { concurrent--; });
    if (o.latencyMs) await new Promise((r) => setTimeout(r, o.latencyMs));
    if (o.hook && await o.hook(req, res, entry, body)) return;
    const { size } = o;
    const head = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'last-modified': o.lastModified, ...(o.etag ? { etag: o.etag } : {}) };
    const answer = (status, headers, length, chunks, cut) => {
      entry.status = status;
      res.writeHead(status, { ...head, ...headers, 'content-length': length });
      return send(res, chunks, entry, cut);
    };
    if (log.length > o.expireAfter) {
      const xml = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>';
      return answer(403, { 'content-type': 'application/xml' }, xml.length, [xml]);
    }
    const ranges = parseRangeHeader(req.headers.range, size);
    if (!ranges || o.lie === 'ignore-range') return answer(200, {}, size, ranged(0, size));
    if (ranges === 'unsatisfiable') return answer(416, { 'content-range': `bytes */${size}` }, 0, []);
    // Apache's MaxRanges (200 by default): more ranges than that get the whole file.
    if (ranges.length > o.maxRanges) return answer(200, {}, size, ranged(0, size));
    if (ranges.length > 1 && o.multi !== 'multipart') {
      if (o.multi === 'whole') return answer(200, {}, size, ranged(0, size));
      if (o.multi === 416) return answer(416, { 'content-range': `bytes */${size}` }, 0, []);
    }
    if (ranges.length === 1 || o.multi === 'first') {
      const [start, end] = ranges[0];
      let claimed = start;
      let stop = end;
      if (o.lie === 'content-range') claimed += 4096;
      if (o.lie === 'short') stop = Math.max(start + 1, end - 100);
      const cut = o.cutAfter && req.headers.range?.endsWith('-') ? o.cutAfter : Infinity;
      return answer(206, { 'content-range': `bytes ${claimed}-${claimed + (end - start) - 1}/${size}` }, stop - start, ranged(start, stop), cut);
    }
    let parts = ranges.map(([s, e]) => [s, e]);
    if (o.merge) {
      parts = [];
      for (const r of [...ranges].sort((a, b) => a[0] - b[0])) {
        const last = parts[parts.length - 1];
        if (last && r[0] - last[1] < 80) last[1] = Math.max(last[1], r[1]);
        else parts.push([...r]);
      }
    }
    if (o.reorder) parts.reverse();
    if (o.lie === 'parts-short') parts.pop();
    const boundary = `THIS_STRING_SEPARATES_${log.length}`;
    const chunks = [];
    parts.forEach(([s, e], i) => {
      chunks.push(`${i ? '\r\n' : ''}--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes ${s}-${e - 1}/${size}\r\n\r\n`);
      chunks.push(body(s, e));
    });
    chunks.push(`\r\n--${boundary}--\r\n`);
    const length = chunks.reduce((n, c) => n + c.length, 0);
    return answer(206, { 'content-type': `multipart/byteranges; boundary=${boundary}` }, length, chunks);
  });
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/file.bin`;
  return {
    url, log, options: o, state,
    reset() { log.length = 0; state.maxConcurrent = concurrent; },
    close: () => new Promise((resolve) => { server.close(resolve); for (const s of sockets) s.destroy(); }),
  };
}

const SAFELISTED = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']);

/**
 * fetch as a cross-origin page sees it (the Fetch standard's CORS rules): a Range header other than
 * one single range needs a preflight, refused unless the server's rule allows Range; the response
 * shows only the safelisted headers and those the rule exposes. `rule` is the bucket's CORS rule:
 * { allowHeaders: [...], exposeHeaders: [...] }; Ground Truth's usual one exposes neither.
 * `preflights` counts the OPTIONS requests a browser would send.
 */
export function corsFetch(rule, counter = { preflights: 0 }) {
  const expose = new Set((rule.exposeHeaders ?? []).map((h) => h.toLowerCase()));
  const allowed = new Set((rule.allowHeaders ?? []).map((h) => h.toLowerCase()));
  const fn = async (url, init = {}) => {
    if (init.mode === 'no-cors') {
      await (await fetch(url, { ...init, mode: undefined })).body?.cancel();
      return new Response(null, { status: 200 });  // opaque: a browser shows status 0 and nothing else
    }
    const range = init.headers?.Range;
    if (range !== undefined && !/^bytes=\d+-\d*$/.test(range)) {
      counter.preflights++;
      if (!allowed.has('range') && !allowed.has('*')) throw new TypeError('Failed to fetch (CORS preflight refused)');
    }
    const response = await fetch(url, init);
    if (response.status >= 400 && rule.errorsWithoutCors) {
      await response.body?.cancel();
      throw new TypeError('Failed to fetch (an answer without Access-Control-Allow-Origin)');
    }
    const headers = new Headers();
    for (const [k, v] of response.headers) if (SAFELISTED.has(k) || expose.has(k)) headers.set(k, v);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
  fn.counter = counter;
  return fn;
}

async function freePort() {
  const s = createNetServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/**
 * Debian's nginx (nginx-light) serving `bytes` as /file.bin, in its own process (so synchronous
 * requests from this one can be answered). null when nginx is not installed. Its access log gives
 * each request's Range, status and bytes sent.
 */
export async function startNginx(bytes) {
  const binary = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  if (!binary) return null;
  const dir = await mkdtemp(path.join(tmpdir(), 'avseg-nginx-'));
  await mkdir(path.join(dir, 'www'));
  await writeFile(path.join(dir, 'www', 'file.bin'), bytes);
  const port = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
  await writeFile(path.join(dir, 'nginx.conf'), `daemon off; master_process off; worker_processes 1;
pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  log_format ranges '$request_method $status $body_bytes_sent "$http_range"';
  access_log ${dir}/access.log ranges;
  ${temp}
  types { application/octet-stream bin; }
  server { listen 127.0.0.1:${port}; root ${dir}/www; location / { } location = /expired.bin { return 403; } }
}
`);
  const child = spawn(binary, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/file.bin`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(url, { method: 'HEAD' });
      if (r.ok) break;
    } catch {
      if (i > 100) throw new Error(`nginx did not start: ${await readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '')}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }
  return {
    url,
    file: path.join(dir, 'www', 'file.bin'),
    async log() {
      const text = await readFile(path.join(dir, 'access.log'), 'utf8');
      return text.split('\n').filter((line) => line.startsWith('GET ')).map((line) => {
        const m = /^GET (\d+) (\d+) "(.*)"$/.exec(line);
        return { status: Number(m[1]), bytes: Number(m[2]), range: m[3] === '-' ? null : m[3] };
      });
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const SYNC_CHILD = `
const [url, start, end] = process.argv.slice(1);
const r = await fetch(url, { headers: { Range: 'bytes=' + start + '-' + (Number(end) - 1) } });
const body = Buffer.from(await r.arrayBuffer());
process.stdout.write(JSON.stringify({ status: r.status, contentRange: r.headers.get('content-range'), lastModified: r.headers.get('last-modified'), etag: r.headers.get('etag') }) + '\\n');
process.stdout.write(body);
`;

/**
 * A synchronous Range request, as RemoteFile's syncFetch (XMLHttpRequest in a browser): a child
 * process does the real HTTP request while this one blocks, so the server must run in another
 * process (nginx). `counter.calls` counts them.
 */
export function childSyncFetch(counter = { calls: 0 }) {
  const fn = (url, start, end) => {
    counter.calls++;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', SYNC_CHILD, url, String(start), String(end)], { maxBuffer: 1 << 30 });
    if (out.status !== 0) throw new TypeError(`network error (${out.stderr.toString().trim().split('\n').pop()})`);
    const nl = out.stdout.indexOf(10);
    const meta = JSON.parse(out.stdout.subarray(0, nl).toString());
    return { ...meta, bytes: new Uint8Array(out.stdout.subarray(nl + 1)) };
  };
  fn.counter = counter;
  return fn;
}
