// SPDX-License-Identifier: MIT
// The test media server (tests/lib/media-server.mjs) and its synthesised files: ranges are
// byte-exact against the whole file, multipart/byteranges is RFC 9110's, the WAV past 4 GiB is a
// valid RF64, S3's refusals are S3's, and ffmpeg decodes multi-hour files fetched over HTTP to the
// right duration with the right level at both ends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startMediaServer, parseRanges } from '../lib/media-server.mjs';
import { LEVELS, TONE_HZ, levelAt, synthWav } from '../lib/synth-media.mjs';
import { loadCore } from '../wasm/load-core.mjs';

const run = promisify(execFile);
const ORIGIN = 'http://127.0.0.1:1';   // a page origin: any, the server allows '*'
let dir;
let server;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-media-server-'));
  await writeFile(path.join(dir, 'bytes.bin'), Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7 + (i >> 8)) & 255)));
  server = await startMediaServer({
    files: {
      '/short.wav': { synth: 'wav', seconds: 5, edgeSeconds: 1 },
      '/3h.wav': { synth: 'wav', seconds: 3 * 3600 },
      '/24h.wav': { synth: 'wav', seconds: 24 * 3600 },
      '/3h.mp3': { synth: 'mp3-loop', seconds: 3 * 3600 },
      '/3h-8k.mp3': { synth: 'mp3-loop', seconds: 3 * 3600, sampleRate: 8000, channels: 1, kbps: 16 },
      '/bytes.bin': { path: path.join(dir, 'bytes.bin') },
    },
  });
});
after(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (name, range, headers = {}) => fetch(server.url(name), { headers: { origin: ORIGIN, ...(range ? { range } : {}), ...headers } });
const body = async (res) => Buffer.from(await res.arrayBuffer());
const whole = async (name) => body(await get(name));

test('single ranges are byte-exact slices of the whole file, with 206 and Content-Range', async () => {
  for (const name of ['/short.wav', '/bytes.bin']) {
    const all = await whole(name);
    const size = all.length;
    assert.equal(size, server.source(name).size);
    const cases = [[0, 0], [0, 43], [40, 50], [12345, 23456], [size - 1, size - 1], [size - 10, size + 1000]];
    for (const [s, e] of cases) {
      const res = await get(name, `bytes=${s}-${e}`);
      const last = Math.min(e, size - 1);
      assert.equal(res.status, 206);
      assert.equal(res.headers.get('content-range'), `bytes ${s}-${last}/${size}`);
      assert.equal(res.headers.get('content-length'), String(last - s + 1));
      assert.ok((await body(res)).equals(all.subarray(s, last + 1)), `${name} bytes ${s}-${e}`);
    }
    const open = await get(name, 'bytes=100-');
    assert.equal(open.headers.get('content-range'), `bytes 100-${size - 1}/${size}`);
    assert.ok((await body(open)).equals(all.subarray(100)));
    const suffix = await get(name, 'bytes=-500');
    assert.equal(suffix.headers.get('content-range'), `bytes ${size - 500}-${size - 1}/${size}`);
    assert.ok((await body(suffix)).equals(all.subarray(size - 500)));
  }
});

test('a range starting past the end is 416 with bytes */size; HEAD gives the headers without a body', async () => {
  const size = server.source('/short.wav').size;
  const res = await get('/short.wav', `bytes=${size}-${size + 10}`);
  assert.equal(res.status, 416);
  assert.equal(res.headers.get('content-range'), `bytes */${size}`);
  const head = await fetch(server.url('/short.wav'), { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(size));
  assert.equal(head.headers.get('accept-ranges'), 'bytes');
  assert.equal((await body(head)).length, 0);
  assert.equal(parseRanges('bytes=5-2', 10), null, 'an invalid range set is ignored, as RFC 9110 allows');
  assert.deepEqual(parseRanges('bytes= 0-1 , -2', 10), [{ start: 0, end: 2 }, { start: 8, end: 10 }]);
});

/** Splits a multipart/byteranges body by RFC 9110 §14.6 / RFC 2046 §5.1.1. */
function parseMultipart(buf, contentType) {
  const boundary = /boundary=([^;]+)/.exec(contentType)[1];
  const text = buf.toString('latin1');
  const parts = [];
  let at = 0;
  assert.ok(text.startsWith(`--${boundary}\r\n`), 'the body starts with the first delimiter');
  for (;;) {
    const open = text.indexOf(`--${boundary}`, at);
    const after = text.slice(open + boundary.length + 2, open + boundary.length + 4);
    if (after === '--') {
      assert.equal(text.slice(open + boundary.length + 4), '\r\n', 'nothing after the close delimiter but CRLF');
      break;
    }
    assert.equal(after, '\r\n');
    const headEnd = text.indexOf('\r\n\r\n', open);
    const headers = Object.fromEntries(text.slice(open + boundary.length + 4, headEnd).split('\r\n').map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
    }));
    const [, s, e, total] = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(headers['content-range']).map(Number);
    const dataStart = headEnd + 4;
    parts.push({ headers, start: s, end: e, total, data: buf.subarray(dataStart, dataStart + e - s + 1) });
    at = dataStart + e - s + 1;
    assert.equal(text.slice(at, at + 2), '\r\n', 'each part ends with the CRLF of the next delimiter');
  }
  return parts;
}

test('a multi-range request is one multipart/byteranges answer whose parts are byte-exact', async () => {
  const all = await whole('/bytes.bin');
  const res = await get('/bytes.bin', 'bytes=0-9, 100-199,-20,69990-80000');
  assert.equal(res.status, 206);
  assert.equal(res.headers.get('content-range'), null, 'no Content-Range on the whole of a multipart answer');
  const buf = await body(res);
  assert.equal(Number(res.headers.get('content-length')), buf.length);
  const parts = parseMultipart(buf, res.headers.get('content-type'));
  assert.deepEqual(parts.map((p) => [p.start, p.end, p.total]), [[0, 9, 70000], [100, 199, 70000], [69980, 69999, 70000], [69990, 69999, 70000]]);
  for (const p of parts) {
    assert.equal(p.headers['content-type'], 'application/octet-stream');
    assert.ok(p.data.equals(all.subarray(p.start, p.end + 1)));
  }
  assert.match(res.headers.get('content-type'), /^multipart\/byteranges; boundary=[\w]+$/);
});

test('the WAV past 4 GiB is RF64 with 64-bit sizes, and ranges across the 4 GiB boundary hold the expected samples', async () => {
  const src = server.source('/24h.wav');
  assert.equal(src.size, 80 + 24 * 3600 * 48000 * 4);
  const head = await body(await get('/24h.wav', 'bytes=0-79'));
  assert.equal(head.toString('latin1', 0, 4), 'RF64');
  assert.equal(head.readUInt32LE(4), 0xffffffff);
  assert.equal(head.toString('latin1', 12, 16), 'ds64');
  assert.equal(head.readBigUInt64LE(20), BigInt(src.size - 8));
  assert.equal(head.readBigUInt64LE(28), BigInt(src.size - 80));
  assert.equal(head.readBigUInt64LE(36), BigInt(24 * 3600 * 48000));
  assert.equal(head.toString('latin1', 72, 76), 'data');
  assert.equal(head.readUInt32LE(76), 0xffffffff);
  // A WAV that fits stays a plain RIFF.
  const small = await body(await get('/3h.wav', 'bytes=0-43'));
  assert.equal(small.toString('latin1', 0, 4), 'RIFF');
  assert.equal(small.readUInt32LE(4), server.source('/3h.wav').size - 8);
  assert.equal(small.readUInt32LE(40), server.source('/3h.wav').size - 44);

  const B = 2 ** 32;
  const across = await body(await get('/24h.wav', `bytes=${B - 4096}-${B + 4095}`));
  const below = await body(await get('/24h.wav', `bytes=${B - 4096}-${B - 1}`));
  const above = await body(await get('/24h.wav', `bytes=${B}-${B + 4095}`));
  assert.ok(across.equals(Buffer.concat([below, above])));
  // Each sample as the formula gives it: frame n of the middle level.
  for (let off = B - 4096; off < B + 4096; off += 4) {
    if ((off - 80) % 4) continue;
    const n = (off - 80) / 4;
    const t = n / 48000;
    const want = 0 + Math.round(levelAt(t, 86400) * 32767 * Math.sin((2 * Math.PI * TONE_HZ * (n % 48000)) / 48000));
    const i = off - (B - 4096);
    assert.equal(across.readInt16LE(i), want, `left sample at byte ${off}`);
    assert.equal(across.readInt16LE(i + 2), want, `right sample at byte ${off}`);
  }
  // rf64: 'never' leaves the sizes wrapped, as tools that do not write RF64 do.
  const wrapped = synthWav({ seconds: 24 * 3600, rf64: 'never' });
  assert.equal(wrapped.header.toString('latin1', 0, 4), 'RIFF');
  assert.equal(wrapped.header.readUInt32LE(40), (wrapped.size - 44) % B);
});

test("the project's decoder (the wasm core) reads RF64: the 24-hour file's 64-bit duration, and a small RF64 to its exact frame count", async () => {
  const core = await loadCore();
  const day = synthWav({ seconds: 86400 });
  const session = new core.Session();
  try {
    assert.equal(session.openSeekable((p, n) => new Uint8Array(day.read(p, p + n)), day.size).state, 2);
    assert.equal(session.pump(4).state, 1);
    const info = session.info();
    assert.deepEqual([info.format, info.codec, info.sampleRate, info.channels, info.declaredDuration], ['wav', 'pcm_s16le', 48000, 2, 86400]);
  } finally {
    session.delete();
  }
  // The same day with its 32-bit sizes wrapped (no RF64) reads as the wrapped size: the ds64 is what says 24 hours.
  const wrapped = synthWav({ seconds: 86400, rf64: 'never' });
  const plain = new core.Session();
  try {
    plain.openSeekable((p, n) => new Uint8Array(wrapped.read(p, p + n)), wrapped.size);
    plain.pump(4);
    assert.ok(Math.abs(plain.info().declaredDuration - ((wrapped.size - 44) % 2 ** 32) / 192000) < 0.01, String(plain.info().declaredDuration));
  } finally {
    plain.delete();
  }
  const small = synthWav({ seconds: 5, edgeSeconds: 1, rf64: 'always' });
  assert.equal(small.header.toString('latin1', 0, 4), 'RF64');
  const decoder = new core.Session();
  try {
    assert.equal(decoder.openSeekable((p, n) => new Uint8Array(small.read(p, p + n)), small.size).state, 2);
    let status;
    do status = decoder.pump(1 << 20); while (status.state === 1);
    assert.equal(status.state, 2, status.message);
    assert.equal(decoder.info().frames, 5 * 48000);
  } finally {
    decoder.delete();
  }
});

test('S3 without multi-range: the whole object with 200 (or the first range only, as one report saw)', async (t) => {
  const s3 = await startMediaServer({ files: { '/b.bin': { path: path.join(dir, 'bytes.bin') } }, multiRange: false });
  t.after(() => s3.close());
  const res = await fetch(s3.url('/b.bin'), { headers: { range: 'bytes=0-9,100-199' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-range'), null);
  assert.equal((await body(res)).length, 70000);
  s3.configure({ multiRange: 'first' });
  const first = await fetch(s3.url('/b.bin'), { headers: { range: 'bytes=0-9,100-199' } });
  assert.equal(first.status, 206);
  assert.equal(first.headers.get('content-range'), 'bytes 0-9/70000');
  assert.equal((await body(first)).length, 10);
  assert.deepEqual(s3.requests.map((r) => [r.range, r.status, r.bytes]), [['bytes=0-9,100-199', 200, 70000], ['bytes=0-9,100-199', 206, 10]]);
});

test("Ground Truth's CORS rule: nothing exposed, and the preflight of a multi-range header is refused as S3 refuses it", async (t) => {
  const s3 = await startMediaServer({ files: { '/b.bin': { path: path.join(dir, 'bytes.bin') } }, exposeHeaders: [] });
  t.after(() => s3.close());
  const res = await fetch(s3.url('/b.bin'), { headers: { origin: ORIGIN, range: 'bytes=0-9' } });
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.equal(res.headers.get('access-control-expose-headers'), null);
  await res.arrayBuffer();
  const pre = await fetch(s3.url('/b.bin'), { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' } });
  assert.equal(pre.status, 403);
  assert.equal(pre.headers.get('access-control-allow-origin'), null);
  assert.match(await pre.text(), /<Code>AccessForbidden<\/Code><Message>CORSResponse: This CORS request is not allowed\./);
  const honest = await fetch(server.url('/bytes.bin'), { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' } });
  assert.equal(honest.status, 200);
  assert.equal(honest.headers.get('access-control-allow-headers'), 'range');
  assert.equal(honest.headers.get('access-control-allow-origin'), '*');
});

test('a presigned URL expires after N requests: 403 with S3\'s XML, CORS headers kept', async (t) => {
  const s3 = await startMediaServer({ files: { '/b.bin': { path: path.join(dir, 'bytes.bin') } }, expireAfterRequests: 2 });
  t.after(() => s3.close());
  for (let i = 0; i < 2; i++) assert.equal((await (await fetch(s3.url('/b.bin'), { headers: { range: 'bytes=0-9' } })).arrayBuffer()).byteLength, 10);
  const res = await fetch(s3.url('/b.bin'), { headers: { origin: ORIGIN, range: 'bytes=0-9' } });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.match(await res.text(), /<Error><Code>AccessDenied<\/Code><Message>Request has expired<\/Message>.*<Expires>.*<ServerTime>/);
  s3.reset();
  assert.equal((await fetch(s3.url('/b.bin'), { headers: { range: 'bytes=0-9' } })).status, 206, 'reset() counts afresh');
});

test('latency comes before the headers (of preflights too); the bandwidth cap holds each answer to its rate', async (t) => {
  const slow = await startMediaServer({ files: { '/b.bin': { path: path.join(dir, 'bytes.bin') } }, latencyMs: 80 });
  t.after(() => slow.close());
  let t0 = performance.now();
  const res = await fetch(slow.url('/b.bin'), { headers: { range: 'bytes=0-9' } });
  assert.ok(performance.now() - t0 >= 75, 'headers arrive after the latency');
  await res.arrayBuffer();
  t0 = performance.now();
  await fetch(slow.url('/b.bin'), { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' } });
  assert.ok(performance.now() - t0 >= 75, 'a preflight is delayed too');
  slow.configure({ latencyMs: 0, bytesPerSecond: 200000 });
  t0 = performance.now();
  const all = await (await fetch(slow.url('/b.bin'))).arrayBuffer();
  const ms = performance.now() - t0;
  assert.equal(all.byteLength, 70000);
  assert.ok(ms >= 300 && ms < 1500, `70,000 bytes at 200,000 B/s took ${ms.toFixed(0)} ms`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(slow.requests[2].ms >= 300, 'the log has the time of the whole answer');
});

test('a capped link is shared by the answers in flight: two at once take as long as both one after the other', async (t) => {
  const link = await startMediaServer({ files: { '/b.bin': { path: path.join(dir, 'bytes.bin') } }, linkBytesPerSecond: 200000 });
  t.after(() => link.close());
  const whole = async () => (await (await fetch(link.url('/b.bin'))).arrayBuffer()).byteLength;
  let t0 = performance.now();
  assert.equal(await whole(), 70000);
  const one = performance.now() - t0;
  t0 = performance.now();
  assert.deepEqual(await Promise.all([whole(), whole()]), [70000, 70000]);
  const two = performance.now() - t0;
  // 70,000 bytes at 200,000 B/s: 350 ms less the 100 ms of slack; two share the link (per-answer
  // pacing, bytesPerSecond, would send both in the time of one).
  assert.ok(one >= 200 && one < 1500, `one answer took ${one.toFixed(0)} ms`);
  assert.ok(two >= 550, `two answers at once took ${two.toFixed(0)} ms, one alone ${one.toFixed(0)} ms`);
});

test('the lies: a wrong Content-Range start, a 200 ignoring the range, a short 206, a body cut off', async (t) => {
  const liar = await startMediaServer({ files: { '/b.bin': { path: path.join(dir, 'bytes.bin') } }, lie: 'content-range', lieAfterRequests: 1 });
  t.after(() => liar.close());
  const all = await body(await get('/bytes.bin'));
  const honest = await fetch(liar.url('/b.bin'), { headers: { range: 'bytes=1000-1999' } });
  assert.equal(honest.headers.get('content-range'), 'bytes 1000-1999/70000', 'honest for the first lieAfterRequests');
  await honest.arrayBuffer();
  const shifted = await fetch(liar.url('/b.bin'), { headers: { range: 'bytes=1000-1999' } });
  assert.equal(shifted.status, 206);
  assert.equal(shifted.headers.get('content-range'), 'bytes 5096-6095/70000');
  assert.ok((await body(shifted)).equals(all.subarray(1000, 2000)), 'the bytes asked for, under a header that says otherwise');
  liar.configure({ lie: 'ignore-range' });
  const ignored = await fetch(liar.url('/b.bin'), { headers: { range: 'bytes=1000-1999' } });
  assert.equal(ignored.status, 200);
  assert.ok((await body(ignored)).equals(all));
  liar.configure({ lie: 'short' });
  const short = await fetch(liar.url('/b.bin'), { headers: { range: 'bytes=1000-1999' } });
  assert.equal(short.status, 206);
  assert.equal(short.headers.get('content-range'), 'bytes 1000-1899/70000');
  assert.ok((await body(short)).equals(all.subarray(1000, 1900)));
  liar.configure({ lie: 'truncate' });
  const cut = await fetch(liar.url('/b.bin'), { headers: { range: 'bytes=1000-1999' } });
  assert.equal(cut.headers.get('content-length'), '1000');
  await assert.rejects(cut.arrayBuffer(), 'a body shorter than its Content-Length is a network error');
  assert.deepEqual(liar.requests.map((r) => r.status), [206, 206, 200, 206, 206]);
});

/** ffmpeg's peak level (dBFS) over `seconds` from `ss`, read over HTTP. */
async function peakDb(url, ss, seconds = 2) {
  const { stderr } = await run('ffmpeg', ['-nostdin', '-nostats', '-ss', String(ss), '-t', String(seconds), '-i', url, '-af', 'volumedetect', '-f', 'null', '-']);
  return Number(/max_volume: (-?[\d.]+) dB/.exec(stderr)[1]);
}
const db = (level) => 20 * Math.log10(level);

for (const [name, codec, rate, channels] of [['/3h.wav', 'pcm_s16le', 48000, 2], ['/3h.mp3', 'mp3', 48000, 2], ['/3h-8k.mp3', 'mp3', 8000, 1], ['/24h.wav', 'pcm_s16le', 48000, 2]]) {
  test(`ffprobe reads ${name} over HTTP with its full duration, and ffmpeg finds each end's level`, async () => {
    const seconds = name.startsWith('/24h') ? 86400 : 10800;
    assert.equal(server.source(name).seconds, seconds);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,sample_rate,channels', '-of', 'json', server.url(name)]);
    const info = JSON.parse(stdout);
    assert.equal(info.streams[0].codec_name, codec);
    assert.equal(info.streams[0].sample_rate, String(rate));
    assert.equal(info.streams[0].channels, channels);
    assert.ok(Math.abs(Number(info.format.duration) - seconds) < 0.05, `duration ${info.format.duration}`);
    const tolerance = codec === 'mp3' ? 0.6 : 0.05;
    for (const [t, level] of [[5, LEVELS.first], [seconds / 2, LEVELS.middle], [seconds - 5, LEVELS.last]]) {
      const peak = await peakDb(server.url(name), t);
      assert.ok(Math.abs(peak - db(level)) <= tolerance, `${name} at ${t} s: peak ${peak} dB, expected ${db(level).toFixed(1)} dB`);
    }
  });
}
