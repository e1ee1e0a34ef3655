// SPDX-License-Identifier: MIT
// The remote reader against real loopback HTTP servers (a synthesising one written here, and
// Debian's nginx for a real server's multipart answers and for synchronous reads from another
// process). Request counts and bytes are measured on the server side where it matters.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { openRemote, RemoteFile, RemoteError } from '../../web/src/remote-file.js';
import { startRangeServer, startNginx, corsFetch, childSyncFetch, contentAt, isContentAt } from './remote-servers.mjs';
import { startMediaServer } from '../lib/media-server.mjs';
import { utimes } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';

const MiB = 1 << 20;
const servers = [];
const serve = async (options) => {
  const s = await startRangeServer(options);
  servers.push(s);
  return s;
};
after(() => Promise.all(servers.map((s) => s.close())));

/** `count` ranges of `length` bytes spread evenly over [0, size). */
const scattered = (count, length, size) => Array.from({ length: count }, (_, i) => {
  const start = Math.floor((i * (size - length)) / count);
  return [start, start + length];
});
const pendingAfter = (promise, ms) => Promise.race([promise.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r('pending'), ms))]);

/**
 * Reads [from, to) of `file` the way the worker reads a sequential format; returns the peak of
 * cachedBytes. `check(pos, bytes)`: true when those are the file's bytes.
 */
async function readSequentially(file, { from = 0, to = file.size, step = MiB, ahead = 16 * MiB, forget = true, check = isContentAt } = {}) {
  let peak = 0;
  for (let pos = from; pos < to;) {
    file.prefetch(pos, ahead);
    await file.ready(pos, Math.min(step, to - pos));
    const bytes = file.read(pos, step);
    assert.ok(bytes.length > 0, `bytes at ${pos}`);
    assert.ok(await check(pos, bytes), `the bytes at ${pos} are the file's`);
    // Back-pressure: the stream reads no further than asked (plus what one network read brings).
    assert.ok(file.bytesFetched <= pos + ahead + 2 * MiB, `fetched ${file.bytesFetched} with the reader at ${pos}`);
    pos += bytes.length;
    if (forget) file.forget(pos - MiB);
    peak = Math.max(peak, file.stats().cachedBytes);
  }
  return peak;
}

test('a file read start to end costs one request, and the cache stays within its bound (a 200 MB WAV)', async () => {
  // engineer S's server synthesising an 18-minute 48 kHz stereo WAV (211 MB) from byte offsets.
  const server = await startMediaServer({ files: { '/long.wav': { synth: 'wav', seconds: 1100 } } });
  servers.push(server);
  const source = server.source('/long.wav');
  const size = source.size;
  const same = async (pos, bytes) => Buffer.compare(Buffer.from(bytes), await source.read(pos, pos + bytes.length)) === 0;
  const opened = await openRemote(server.url('/long.wav'));
  assert.equal(opened.kind, 'ranges');
  const { file, head } = opened;
  assert.equal(file.size, size);
  assert.equal(head.length, MiB);
  assert.ok(await same(0, head));
  // Back-pressure, seen from the server: with 16 MiB asked for, the stream stops (socket buffers aside).
  file.prefetch(0, 16 * MiB);
  await file.ready(0, 16 * MiB);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(server.requests[0].bytes < 32 * MiB, `the server sent ${server.requests[0].bytes} bytes`);
  // Every 16th MiB compared with the source.
  const check = (pos, bytes) => (pos % (16 * MiB) === 0 ? same(pos, bytes) : true);
  const peak = await readSequentially(file, { forget: false, check });
  assert.deepEqual(server.requests.map((r) => r.range), ['bytes=0-'], 'one open-ended request');
  assert.equal(file.requests, 1);
  assert.equal(file.syncRequests, 0);
  assert.equal(file.bytesFetched, size, 'every byte fetched once');
  // Nothing forgotten: LRU eviction alone holds the cache at 64 MiB, which the read did reach.
  assert.ok(peak <= 64 * MiB && peak > 60 * MiB, `peak cache ${peak}`);
  assert.ok(await same(size - 1000, file.read(size - 1000, 1000)), 'the last bytes');
  assert.equal(file.has(0, 100), false, 'the first bytes were evicted');
  file.close();
});

test('a reader going start to end that says what it passed holds only what is ahead, keeps what a view read behind it, and reuses the passed buffers (a 200 MB WAV)', async () => {
  const server = await startMediaServer({ files: { '/long.wav': { synth: 'wav', seconds: 1100 } } });
  servers.push(server);
  const source = server.source('/long.wav');
  const same = async (pos, bytes) => Buffer.compare(Buffer.from(bytes), await source.read(pos, pos + bytes.length)) === 0;
  const { file } = await openRemote(server.url('/long.wav'));
  const ahead = 8 * MiB;
  let peak = 0;
  let viewed = null;
  const buffers = new Set();
  for (let pos = 0; pos < file.size;) {
    file.prefetch(pos, ahead);
    await file.ready(pos, Math.min(MiB, file.size - pos));
    const bytes = file.read(pos, MiB);
    assert.ok(bytes.length > 0, `bytes at ${pos}`);
    // Reused buffers hold the right bytes: every 4th MiB compared with the source.
    if (pos % (4 * MiB) === 0) assert.ok(await same(pos, bytes), `the bytes at ${pos} are the file's`);
    buffers.add(bytes.buffer);
    pos += bytes.length;
    if (viewed === null && pos >= 40 * MiB) {
      // A view reads just behind where the reader says it is: what it read stays.
      const edge = pos - MiB - 1000;
      file.passed(edge);
      viewed = edge - 1000;
      assert.ok(file.has(viewed, 1000), 'the piece across the edge is still cached');
      assert.ok(await same(viewed, file.read(viewed, 1000)));
    }
    file.passed(pos - MiB);
    peak = Math.max(peak, file.stats().cachedBytes);
  }
  assert.deepEqual(server.requests.map((r) => r.range), ['bytes=0-'], 'one open-ended request');
  assert.equal(file.bytesFetched, file.size, 'every byte fetched once');
  // What is ahead (8 MiB), a piece being filled and one behind: not the 64 MiB the LRU would allow.
  assert.ok(peak <= ahead + 4 * MiB, `peak cache ${peak}`);
  assert.ok(file.has(viewed, 1000) && await same(viewed, file.read(viewed, 1000)), 'the viewed bytes stayed');
  assert.equal(file.has(10 * MiB, 1), false, 'bytes passed and not viewed were let go');
  // 200 reads of a MiB out of a handful of buffers: passed pieces are refilled, not left to the garbage collector.
  assert.ok(buffers.size < 40, `${buffers.size} buffers for ${Math.ceil(file.size / MiB)} reads`);
  file.close();
});

test('a stream the server cuts off is reopened from where it stopped', async () => {
  const size = 10 * MiB;
  const server = await serve({ size, cutAfter: 3 * MiB });
  const { file } = await openRemote(server.url);
  await readSequentially(file);
  assert.deepEqual(server.log.map((r) => r.range), ['bytes=0-', `bytes=${3 * MiB}-`, `bytes=${6 * MiB}-`, `bytes=${9 * MiB}-`]);
  assert.equal(file.bytesFetched, size);
  assert.equal(file.error, null);
});

test('the stream reads on around bytes a range request brought ahead of it, never caching them twice', async () => {
  const size = 4 * MiB;
  const server = await serve({ size });
  const { file } = await openRemote(server.url, { headBytes: 64 * 1024 });
  file.prefetch(0, 300 * 1024);
  await file.ready(0, 300 * 1024);
  await file.want([[600 * 1024, 601 * 1024]]);   // beyond the stream's target: a request of its own
  assert.equal(server.log.length, 2);
  await readSequentially(file, { to: 2 * MiB });
  const chunks = file.cache.chunks;
  for (let i = 1; i < chunks.length; i++) assert.ok(chunks[i - 1].end <= chunks[i].start, `chunks ${i - 1} and ${i} overlap`);
  assert.equal(file.stats().cachedBytes, chunks.reduce((n, c) => n + c.end - c.start, 0));
  assert.equal(server.log.length, 2, 'the stream read on: no other request');
});

test('1,000 scattered wants go out as at most 10 multi-range requests to a server that answers them', async () => {
  const size = 100 * MiB;
  for (const shape of [{}, { merge: true }, { reorder: true }]) {
    const server = await serve({ size, ...shape });
    const file = new RemoteFile(server.url, size);
    // Pairs 40 bytes apart: a server may merge them into one part (RFC 9110 allows it).
    const ranges = scattered(500, 100, size).flatMap(([s, e]) => [[s, e], [e + 40, e + 140]]);
    await file.want(ranges);
    assert.equal(file.multiRange, true, JSON.stringify(shape));
    assert.ok(server.log.length <= 10, `${server.log.length} requests`);
    assert.equal(server.log.length, file.requests);
    assert.ok(server.log.every((r) => r.status === 206));
    assert.equal(server.log[0].range.split(',').length, 100, 'the first: one every server takes');
    for (const [s, e] of ranges) assert.ok(isContentAt(s, file.read(s, e - s)), `bytes ${s}-${e - 1}`);
    // Pairs closer than 64 KiB are asked as one range: 140 bytes each.
    assert.equal(file.bytesFetched, 500 * 240);
  }
});

test('an MP4 interleaved frame by frame: its many small runs of sound, asked with gap 0, go out in large multi-range requests', async () => {
  const size = 96 * MiB;
  // 9,000 runs of 500 bytes, one every 10 KB (the pictures between): 2.5 minutes of a 60 fps video.
  const runs = Array.from({ length: 9000 }, (_, i) => [i * 10000 + 3000, i * 10000 + 3500]);
  const server = await serve({ size });
  const file = new RemoteFile(server.url, size);
  await file.want(runs, { gap: 0 });
  const counts = server.log.map((r) => r.range.split(',').length);
  assert.equal(counts[0], 100, 'the first multi-range request is one every server takes');
  assert.ok(server.log.every((r) => r.status === 206 && r.range.length <= 14000));
  assert.ok(server.log.length <= 16, `${server.log.length} requests (${counts})`);
  assert.equal(file.bytesFetched, 9000 * 500, 'the sound and nothing else');
  for (const [s, e] of runs.slice(0, 100)) assert.ok(isContentAt(s, file.read(s, e - s)));

  // Apache answers more than 200 ranges with the whole file: back to 100 a request, still multi-range.
  const apache = await serve({ size, maxRanges: 200 });
  const other = new RemoteFile(apache.url, size, { maxInFlight: 1 });
  await other.want(runs, { gap: 0 });
  assert.equal(other.multiRange, true);
  assert.deepEqual(apache.log.slice(0, 3).map((r) => [r.status, r.range.split(',').length > 200]), [[206, false], [200, true], [206, false]]);
  assert.equal(apache.log.length, 2 + 89);
  assert.equal(other.bytesFetched, 9000 * 500);
});

test("nginx's multipart answers are read (a real server's own format)", async (t) => {
  const size = 72 * MiB;
  const nginx = await startNginx(Buffer.from(contentAt(0, size)));
  if (!nginx) return t.skip('nginx is not installed (apt-get install nginx-light)');
  try {
    const file = new RemoteFile(nginx.url, size);
    const ranges = scattered(1000, 100, size);
    await file.want(ranges);
    const log = await nginx.log();
    assert.equal(file.multiRange, true);
    // 100 ranges first, then as many as 8,000 characters of Range header hold (nginx's limit is 8 KiB).
    assert.equal(log.length, 4);
    assert.equal(file.requests, 4);
    assert.ok(log.every((r) => r.status === 206 && r.range.length <= 8000));
    assert.equal(log[0].range.split(',').length, 100);
    assert.equal(file.bytesFetched, 1000 * 100);
    for (const [s, e] of ranges) assert.ok(isContentAt(s, file.read(s, e - s)), `bytes ${s}-${e - 1}`);

    // Range headers longer than nginx's 8 KiB buffer are answered 400: back to 8,000 characters.
    const runs = Array.from({ length: 3000 }, (_, i) => [40 * MiB + i * 10000, 40 * MiB + i * 10000 + 500]);
    const other = new RemoteFile(nginx.url, size, { maxInFlight: 1 });
    await other.want(runs, { gap: 0 });
    const more = (await nginx.log()).slice(log.length);
    assert.deepEqual(more.slice(0, 4).map((r) => r.status), [206, 206, 400, 206]);
    assert.ok(more.every((r) => r.status === 400 || r.range.length <= 8000));
    assert.ok(more.length <= 10, `${more.length} requests`);
    assert.equal(other.multiRange, true);
    assert.equal(other.bytesFetched, 3000 * 500);
    for (const [s, e] of runs) assert.ok(isContentAt(s, other.read(s, e - s)));
  } finally {
    await nginx.close();
  }
});

test("an MP4's way: tables at the end end the opening stream and stay pinned; its media ranges go out multi-range", async () => {
  const size = 100 * MiB;
  const server = await serve({ size });
  const { file } = await openRemote(server.url);
  await file.want([[size - 2 * MiB, size]], { pin: true });
  const media = scattered(300, 20000, size - 3 * MiB).map(([s, e]) => [s + MiB, e + MiB]);
  await file.want(media);
  await new Promise((r) => setTimeout(r, 200));
  // The opening, the tables, then 100 ranges, and the 200 left in one (header lines up to 8,000 characters).
  // (The first may already have come with the opening answer.)
  const counts = server.log.map((r) => r.range.split(',').length);
  assert.deepEqual(counts.slice(0, 3), [1, 1, 100]);
  assert.ok(counts.length === 4 && counts[3] >= 199, String(counts));
  assert.ok(server.log[0].bytes < 16 * MiB, `the cancelled opening stream sent ${server.log[0].bytes} bytes`);
  assert.equal(file.stats().pinnedBytes, 2 * MiB);
  assert.ok(file.bytesFetched < MiB + 2 * MiB + 300 * 20000 + 8 * MiB, `${file.bytesFetched} bytes fetched`);
  for (const [s, e] of media) assert.ok(isContentAt(s, file.read(s, e - s)));
});

test("a faststart MP4's sound right after its tables is not read through its pictures", async () => {
  const size = 100 * MiB;
  const server = await serve({ size });
  const { file } = await openRemote(server.url);
  await file.want([[MiB - 1000, 2 * MiB]], { pin: true });  // moov, beyond the opening's 1 MiB
  // 20 KB of sound every 300 KB (5 Mbit/s of pictures between), from the end of the tables on.
  const media = Array.from({ length: 300 }, (_, i) => [2 * MiB + i * 300000, 2 * MiB + i * 300000 + 20000]);
  for (let i = 0; i < media.length; i += 50) await file.want(media.slice(i, i + 50));
  for (const [s, e] of media) assert.ok(isContentAt(s, file.read(s, e - s)));
  const sound = 300 * 20000;
  assert.ok(file.bytesFetched < 2 * MiB + sound + 2 * MiB, `${file.bytesFetched} bytes fetched for ${sound} bytes of sound`);
  assert.ok(server.log.length <= 1 + 6 + 2, `${server.log.length} requests`);
  assert.equal(file.stream, null, 'the opening stream, read as far as the tables, was let go');
});

test('a server that answers multi-range requests otherwise costs one request; ranges are then asked one by one, maxInFlight at a time', async () => {
  const size = 100 * MiB;
  // S3 (the whole file with 200) with the brief's 1,000 ranges; a 206 of the first range only, and a 416, with 60.
  for (const [multi, count] of [['whole', 1000], ['first', 60], [416, 60]]) {
    const server = await serve({ size, multi, latencyMs: 1 });
    const file = new RemoteFile(server.url, size, { maxInFlight: 4 });
    const ranges = scattered(count, 100, size);
    await file.want(ranges);
    assert.equal(file.multiRange, false, String(multi));
    const multiAsked = server.log.filter((r) => r.range.includes(','));
    assert.equal(multiAsked.length, 1, `${multi}: one multi-range request`);
    assert.equal(server.log.length, count + 1);
    assert.equal(file.requests, count + 1);
    assert.ok(server.state.maxConcurrent <= 4, `${server.state.maxConcurrent} at once`);
    assert.ok(server.state.maxConcurrent >= 2, 'requests do overlap');
    assert.equal(file.bytesFetched, 100 * count, 'nothing of the refused answer was used');
    for (const [s, e] of ranges) assert.ok(isContentAt(s, file.read(s, e - s)));
  }
});

test('ranges closer than 64 KiB are fetched as one, and what is cached or on its way is not asked again', async () => {
  const size = 8 * MiB;
  const server = await serve({ size, multi: 'whole' });
  const file = new RemoteFile(server.url, size);
  const near = Array.from({ length: 1000 }, (_, i) => [i * 4000, i * 4000 + 100]);
  const first = file.want(near);
  const again = file.want([[500, 600], [8000, 8100]]);  // in flight: no request of its own
  await Promise.all([first, again]);
  assert.deepEqual(server.log.map((r) => r.range), [`bytes=0-${999 * 4000 + 99}`]);
  await file.want(near.slice(0, 10));
  assert.equal(server.log.length, 1);
});

test("behind Ground Truth's usual S3 CORS rule: the size from Content-Length, multi-range refused at the preflight, answers checked by length", async () => {
  // engineer S's server as S3 (a multi-range request gets the whole object with 200); what the
  // page may see of its answers is filtered as a browser filters it.
  const server = await startMediaServer({ files: { '/a.wav': { synth: 'wav', seconds: 300 } }, multiRange: false, exposeHeaders: [] });
  servers.push(server);
  const source = server.source('/a.wav');
  const size = source.size;
  const counter = { preflights: 0 };
  const fetchImpl = corsFetch({ allowHeaders: [], exposeHeaders: [] }, counter);
  const { file, head } = await openRemote(server.url('/a.wav'), { fetchImpl, headBytes: 4096 });
  assert.equal(file.size, size, 'from Content-Length');
  assert.equal(file.contentRangeHidden, true);
  assert.equal(head.length, 4096);
  const ranges = scattered(50, 1000, size - 10 * MiB).map(([s, e]) => [s + 10 * MiB, e + 10 * MiB]);
  await file.want(ranges);
  assert.equal(file.multiRange, false);
  assert.equal(counter.preflights, 1, 'one refused preflight');
  assert.equal(file.requests, 1 + 1 + 50, 'the opening, the refused multi-range, one per range');
  assert.equal(server.requests.length, 1 + 50, 'the refused preflight never reached a GET');
  for (const [s, e] of ranges) assert.equal(Buffer.compare(Buffer.from(file.read(s, e - s)), await source.read(s, e)), 0);
  // The same without the browser's filter: S3's 200 to the multi-range request costs that one request.
  const direct = new RemoteFile(server.url('/a.wav'), size);
  await direct.want(ranges);
  assert.equal(direct.multiRange, false);
  assert.deepEqual(server.requests.slice(51).map((r) => r.status), [200, ...ranges.map(() => 206)]);
  assert.equal(direct.bytesFetched, 50 * 1000, 'nothing of the 200 was used');
  // A short body is still caught without Content-Range.
  server.configure({ lie: 'short' });
  await assert.rejects(file.want([[9 * MiB, 9 * MiB + 1000]]), (err) => err instanceof RemoteError && err.code === 'range-refused'
    && /206 answer to a request for bytes 9437184-9438183 has 900 bytes, not 1000; nothing of that answer was used/.test(err.message));
  assert.equal(file.has(9 * MiB, 1), false);
});

test('a CORS rule that allows Range but exposes nothing still gets multi-range answers (each part names its range)', async () => {
  const size = 50 * MiB;
  const server = await serve({ size });
  const fetchImpl = corsFetch({ allowHeaders: ['Range'], exposeHeaders: [] });
  const { file } = await openRemote(server.url, { fetchImpl, headBytes: 4096 });
  const ranges = scattered(150, 1000, size - 10 * MiB).map(([s, e]) => [s + 10 * MiB, e + 10 * MiB]);
  await file.want(ranges);
  assert.equal(file.multiRange, true);
  assert.equal(fetchImpl.counter.preflights, 2);
  assert.deepEqual(server.log.map((r) => r.range.split(',').length), [1, 100, 50]);
  for (const [s, e] of ranges) assert.ok(isContentAt(s, file.read(s, e - s)));
});

test('answers that are not what was asked are refused, and nothing of them is used', async () => {
  const size = 4 * MiB;
  const cases = [
    [{ lie: 'content-range' }, [[2 * MiB, 2 * MiB + 1000]], /Content-Range "bytes 2101248-2102247\/4194304": other bytes than asked for/],
    [{ lie: 'short' }, [[2 * MiB, 2 * MiB + 1000]], /Content-Range "bytes 2097152-2098151\/4194304", but its body has 900 bytes, not 1000/],
    [{ lie: 'ignore-range' }, [[2 * MiB, 2 * MiB + 1000]], /answered HTTP 200 \(the whole file, ignoring the Range header\) to a request for bytes 2097152-2098151/],
    [{ lie: 'parts-short' }, [[MiB, MiB + 100], [3 * MiB, 3 * MiB + 100]], /multipart answer to a request for 2 ranges leaves bytes 3145728-3145827 out/],
    [{ size: 3 * MiB }, [[3 * MiB + 10, 3 * MiB + 20]], /answered HTTP 416 with Content-Range "bytes \*\/3145728" to a request for bytes 3145738-3145747: a file of 3145728 bytes, not the 4194304 it had/],
  ];
  for (const [lie, ranges, message] of cases) {
    const server = await serve({ size, ...lie });
    const file = new RemoteFile(server.url, size);
    await assert.rejects(file.want(ranges), (err) => {
      assert.ok(err instanceof RemoteError);
      assert.equal(err.code, 'range-refused', err.message);
      assert.match(err.message, message);
      assert.match(err.message, /nothing of that answer was used/);
      return true;
    });
    assert.equal(file.error.code, 'range-refused');
    for (const [s, e] of ranges) assert.equal(file.has(s, e - s), false, `${JSON.stringify(lie)}: bytes ${s}-${e - 1} not cached`);
    assert.equal(file.stats().cachedBytes, 0);
    assert.equal(file.read(ranges[0][0], 10).length, 0, 'reads are empty once refused');
  }
});

test('an expired link pauses what waits; a fresh link to the same file resumes it, one to another file is refused', async () => {
  const size = 16 * MiB;
  const server = await serve({ size, expireAfter: 2 });
  const other = await serve({ size, variant: 1 });
  const bigger = await serve({ size: size + 4 });
  const { file } = await openRemote(server.url, { headBytes: 64 * 1024 });
  const errors = [];
  file.onerror = (err) => errors.push(err);
  // Both beyond the opening stream's reach: range requests.
  await file.want([[6 * MiB, 6 * MiB + 100]]);
  const pending = file.want([[12 * MiB, 12 * MiB + 100]]);
  assert.equal(await pendingAfter(pending, 300), 'pending', 'the want waits for a fresh link');
  assert.equal(file.error.code, 'link-expired');
  assert.equal(file.error.status, 403);
  assert.match(file.error.message, /^The link to the media has expired \(HTTP 403\) after 2 reads;/);
  assert.deepEqual(errors, [file.error]);
  assert.equal(file.read(6 * MiB, 100).length, 0, 'reads are empty while expired');

  await assert.rejects(file.setUrl(other.url), (err) => err.code === 'range-refused' && /a different file \(its first 4096 bytes differ\)/.test(err.message));
  await assert.rejects(file.setUrl(bigger.url), (err) => err.code === 'range-refused' && /a different file \(16777220 bytes, not 16777216\)/.test(err.message));
  assert.equal(file.error.code, 'link-expired', 'still expired');
  assert.equal(await pendingAfter(pending, 50), 'pending');

  server.options.expireAfter = Infinity;
  await file.setUrl(`${server.url}?fresh=1`);
  assert.equal(file.error, null);
  await pending;
  assert.ok(isContentAt(12 * MiB, file.read(12 * MiB, 100)));
  assert.ok(isContentAt(6 * MiB, file.read(6 * MiB, 100)), 'what was cached stays');
  assert.deepEqual(server.log.map((r) => [r.range, r.status]), [
    ['bytes=0-', 206], [`bytes=${6 * MiB}-${6 * MiB + 99}`, 206], [`bytes=${12 * MiB}-${12 * MiB + 99}`, 403],
    ['bytes=0-', 206], [`bytes=${12 * MiB}-${12 * MiB + 99}`, 206],
  ]);
});

test('a link that expires while the file streams resumes the stream where it stopped', async () => {
  const size = 8 * MiB;
  const server = await serve({ size, cutAfter: 3 * MiB, expireAfter: 1 });
  const { file } = await openRemote(server.url);
  const reading = readSequentially(file);
  for (let waited = 0; !file.error && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  assert.equal(file.error?.code, 'link-expired');
  server.options.expireAfter = Infinity;
  await file.setUrl(server.url);
  await reading;
  assert.deepEqual(server.log.map((r) => [r.range, r.status]), [
    ['bytes=0-', 206], [`bytes=${3 * MiB}-`, 403], ['bytes=0-', 206], [`bytes=${3 * MiB}-`, 206], [`bytes=${6 * MiB}-`, 206],
  ]);
});

test('an expired link whose refusal carries no CORS headers is still told from a network failure', async () => {
  const size = 16 * MiB;
  const server = await serve({ size, expireAfter: 2 });
  const fetchImpl = corsFetch({ exposeHeaders: [], errorsWithoutCors: true });
  globalThis.location = { origin: 'http://page.example' };  // as in a worker: only a page can tell a CORS refusal
  try {
    const { file } = await openRemote(server.url, { fetchImpl, headBytes: 4096 });
    await file.want([[6 * MiB, 6 * MiB + 100]]);
    const pending = file.want([[12 * MiB, 12 * MiB + 100]]);
    assert.equal(await pendingAfter(pending, 2000), 'pending');
    assert.equal(file.error?.code, 'link-expired');
    assert.match(file.error.message, /^The link to the media has expired after 2 reads \(the server now refuses it with an answer this page may not read\)/);
    server.options.expireAfter = Infinity;
    await file.setUrl(server.url);
    await pending;
    assert.ok(isContentAt(12 * MiB, file.read(12 * MiB, 100)));
  } finally {
    delete globalThis.location;
  }
  // Without a server at all, the connection is lost (not an expiry): the file waits for it.
  const gone = await serve({ size });
  const fetchGone = corsFetch({ exposeHeaders: [] });
  globalThis.location = { origin: 'http://page.example' };
  try {
    const { file } = await openRemote(gone.url, { fetchImpl: fetchGone, headBytes: 4096 });
    await gone.close();
    const pending = file.want([[12 * MiB, 12 * MiB + 100]]);
    assert.equal(await pendingAfter(pending, 2500), 'pending');
    assert.equal(file.error?.code, 'connection-lost');
    assert.match(file.error.message, /failed 3 times/);
    file.close();
  } finally {
    delete globalThis.location;
  }
});

test('pinned ranges stay however much else passes through the cache', async () => {
  const size = 32 * MiB;
  const server = await serve({ size, multi: 'whole' });
  const file = new RemoteFile(server.url, size, { cacheBytes: 2 * MiB });
  await file.want([[size - 300000, size]], { pin: true });
  for (let p = 0; p < 16 * MiB; p += MiB) await file.want([[p, p + MiB]]);
  assert.ok(file.has(size - 300000, 300000), 'the pinned index is still cached');
  const { cachedBytes, pinnedBytes } = file.stats();
  assert.equal(pinnedBytes, 300000);
  assert.ok(cachedBytes <= 2 * MiB, `${cachedBytes} unpinned bytes`);
  assert.equal(file.has(0, 1), false, 'the oldest unpinned bytes went');
});

test('a read of bytes not cached is fetched synchronously (64 KiB at least, doubling while reads follow on); a refusal after that is an expired link', async (t) => {
  const size = 4 * MiB;
  const nginx = await startNginx(Buffer.from(contentAt(0, size)));
  if (!nginx) return t.skip('nginx is not installed (apt-get install nginx-light)');
  try {
    const syncFetch = childSyncFetch();
    const file = new RemoteFile(nginx.url, size, { syncFetch });
    const bytes = file.read(MiB + 3, 100);
    assert.equal(bytes.length, 100);
    assert.ok(isContentAt(MiB + 3, bytes));
    assert.ok(isContentAt(MiB + 103, file.read(MiB + 103, 60000)), 'the rest of the 64 KiB, from the cache');
    assert.equal(file.syncRequests, 1);
    assert.equal(syncFetch.counter.calls, 1);
    assert.equal(file.bytesFetched, 64 * 1024);
    // A read that reaches cached bytes fetches only up to them.
    const before = file.read(MiB - 1000, 2000);
    assert.equal(before.length, 2000);
    assert.ok(isContentAt(MiB - 1000, before));
    assert.deepEqual((await nginx.log()).map((r) => r.range), [`bytes=${MiB + 3}-${MiB + 3 + 65535}`, `bytes=${MiB - 1000}-${MiB + 2}`]);

    // Sequential reads with nothing fetched ahead: each request twice as long as the one before.
    for (let p = 2 * MiB; p < 2 * MiB + 448 * 1024;) p += file.read(p, 32 * 1024).length;
    assert.deepEqual((await nginx.log()).slice(2).map((r) => r.bytes), [64, 128, 256].map((k) => k * 1024));
    assert.equal(file.syncRequests, 5);
    // Reads that skip a little past what the last one fetched (a demuxer reading one run of sound
    // per picture, nothing fetched ahead for it) double too.
    for (let i = 0, p = 3 * MiB, k = 64; i < 3; i++, k *= 2) {
      assert.ok(isContentAt(p, file.read(p, 1000)));
      p += k * 1024 + 20000;
    }
    assert.deepEqual((await nginx.log()).slice(5).map((r) => r.bytes), [64, 128, 256].map((k) => k * 1024));
    assert.equal(file.syncRequests, 8);

    file.url = nginx.url.replace('/file.bin', '/expired.bin');
    assert.equal(file.read(size - 10, 10).length, 0);
    assert.equal(file.error.code, 'link-expired');
    assert.match(file.error.message, /expired \(HTTP 403\) after 8 reads/);
  } finally {
    await nginx.close();
  }
});

test('opening: a server without ranges is streamed; refusals say what happened', async () => {
  const server = await serve({ size: MiB, lie: 'ignore-range' });
  const opened = await openRemote(server.url);
  assert.equal(opened.kind, 'stream');
  assert.equal(opened.response.status, 200);
  await opened.response.body.cancel();

  server.options.lie = null;
  server.options.expireAfter = 0;
  await assert.rejects(openRemote(server.url), (err) => err.code === 'fetch-failed' && err.status === 403
    && /the server answered HTTP 403 Forbidden \(an expired or unsigned link\?\)/.test(err.message));
  const lying = await serve({ size: MiB, lie: 'content-range' });
  await assert.rejects(openRemote(lying.url), (err) => err.code === 'range-refused' && /Content-Range "bytes 4096-1052671\/1048576"/.test(err.message));
  // Cut off before the head arrived, and refused when reopened: the opening fails instead of waiting.
  const cut = await serve({ size: MiB, cutAfter: 10000, expireAfter: 1 });
  await assert.rejects(openRemote(cut.url, { headBytes: 65536 }), (err) => err.code === 'link-expired' && /after 1 reads/.test(err.message));
  await server.close();
  await assert.rejects(openRemote(server.url), (err) => err.code === 'fetch-failed' && /the server is unreachable/.test(err.message));
});

// --- servers as they really misbehave (S3, CloudFront, proxies) and hostile ones ---

const sleepMs = (ms) => new Promise((r) => setTimeout(r, ms));
/** Writes `chunk` until the client goes away (a body that never ends). */
async function endless(res, chunk) {
  while (!res.destroyed) {
    if (!res.write(chunk)) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
  }
}
const rangeOf = (req) => /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')?.slice(1).map(Number);

test('a server that sends nothing, or trickles a byte at a time, is given up on and asked again: no read hangs', { timeout: 30000 }, async () => {
  const size = 4 * MiB;
  let bad = 0;
  const server = await serve({
    size,
    hook(req, res, entry, body) {
      const r = rangeOf(req);
      if (!r || bad >= 2) return false;
      bad++;
      entry.status = -bad;
      if (bad === 1) return true;                        // no answer at all
      res.writeHead(206, { 'content-range': `bytes ${r[0]}-${r[1]}/${size}`, 'content-length': r[1] - r[0] + 1 });
      const trickle = body(r[0], r[1] + 1);
      let i = 0;
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(trickle.subarray(i, ++i))), 20);
      return true;
    },
  });
  const file = new RemoteFile(server.url, size, { stallMs: 800 });
  await file.want([[MiB, MiB + 5000]]);
  assert.ok(isContentAt(MiB, file.read(MiB, 5000)));
  assert.deepEqual(server.log.map((r) => r.status), [-1, -2, 206]);

  // One that never sends its body: three tries, then a failure that says why.
  const silent = await serve({ size, hook: (req, res) => { res.writeHead(206, { 'content-range': `bytes 0-9/${size}`, 'content-length': 10 }); res.write('x'); return true; } });
  const other = new RemoteFile(silent.url, size, { stallMs: 200 });
  await assert.rejects(other.want([[0, 10]]), (err) => err.code === 'fetch-failed' && /failed 3 times \(the server sent less than 1024 bytes in 0.2 s\)/.test(err.message));
});

test('an open-ended stream that stalls or trickles is cut and reopened where it stopped', { timeout: 30000 }, async () => {
  const size = 2 * MiB;
  let opened = 0;
  const server = await serve({
    size,
    hook(req, res, entry, body) {
      if (!req.headers.range?.endsWith('-') || opened++ >= 2) return false;
      const start = Number(/bytes=(\d+)-/.exec(req.headers.range)[1]);
      entry.status = 206;
      res.writeHead(206, { 'content-range': `bytes ${start}-${size - 1}/${size}`, 'content-length': size - start });
      res.write(body(start, start + 300 * 1024));
      if (opened === 1) return true;                      // then nothing
      let at = start + 300 * 1024;
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(body(at, ++at))), 20);
      return true;                                        // then a byte every 20 ms
    },
  });
  const { file } = await openRemote(server.url, { headBytes: 64 * 1024, stallMs: 800 });
  await readSequentially(file, { ahead: MiB });
  const ranges = server.log.map((r) => r.range);
  assert.deepEqual(ranges.slice(0, 2), ['bytes=0-', `bytes=${300 * 1024}-`]);
  assert.match(ranges[2], /^bytes=6144\d\d-$/, 'after the trickle');
  assert.equal(ranges.length, 3);
  assert.ok(isContentAt(size - 4096, file.read(size - 4096, 4096)));
});

test('a file replaced on the server while it is read is noticed (Last-Modified, ETag), never spliced with the old one', { timeout: 30000 }, async (t) => {
  const size = 8 * MiB;
  const changedLm = /the file on the server changed while it was read \(Last-Modified "Sun, 29 Nov 2026 12:00:00 GMT", not "Sun, 29 Nov 2026 10:00:00 GMT"\)/;
  const server = await serve({ size });
  const { file } = await openRemote(server.url, { headBytes: 64 * 1024 });
  await file.want([[4 * MiB, 4 * MiB + 100]]);
  Object.assign(server.options, { variant: 1, lastModified: 'Sun, 29 Nov 2026 12:00:00 GMT' });
  await assert.rejects(file.want([[6 * MiB, 6 * MiB + 100]]), (err) => err.code === 'range-refused' && changedLm.test(err.message));
  assert.equal(file.has(6 * MiB, 100), false, 'nothing of the new file was cached');

  // Same Last-Modified (S3 has it to the second), another ETag; a multi-range answer.
  const tagged = await serve({ size, etag: '"v1"' });
  const second = await openRemote(tagged.url, { headBytes: 64 * 1024 });
  Object.assign(tagged.options, { variant: 1, etag: '"v2"' });
  await assert.rejects(second.file.want([[5 * MiB, 5 * MiB + 100], [7 * MiB, 7 * MiB + 100]]), (err) => err.code === 'range-refused' && /changed while it was read \(ETag "v2", not "v1"\)/.test(err.message));
  assert.equal(second.file.has(5 * MiB, 100), false);

  // The stream, reopened after the change.
  const cut = await serve({ size, cutAfter: 2 * MiB });
  const third = await openRemote(cut.url, { headBytes: 64 * 1024 });
  await readSequentially(third.file, { to: MiB, ahead: MiB });
  Object.assign(cut.options, { variant: 1, lastModified: 'Sun, 29 Nov 2026 12:00:00 GMT' });
  third.file.prefetch(MiB, 4 * MiB);
  await assert.rejects(third.file.ready(3 * MiB, 100), (err) => err.code === 'range-refused' && changedLm.test(err.message));
  assert.equal(third.file.has(2 * MiB, 100), false);

  // A synchronous read from nginx after the file's mtime moved.
  const nginx = await startNginx(Buffer.from(contentAt(0, size)));
  if (!nginx) return t.skip('nginx is not installed (apt-get install nginx-light)');
  try {
    const { file: synced } = await openRemote(nginx.url, { headBytes: 4096, syncFetch: childSyncFetch() });
    synced.cancelStream();
    assert.equal(synced.read(MiB, 100).length, 100);
    await utimes(nginx.file, new Date(), new Date(Date.now() + 3600e3));
    assert.equal(synced.read(6 * MiB, 100).length, 0);
    assert.equal(synced.error.code, 'range-refused');
    assert.match(synced.error.message, /the file on the server changed while it was read \(Last-Modified/);
  } finally {
    await nginx.close();
  }
});

test('answers far larger than asked are refused before they are held (an endless body, a whole file as one part, parts claiming gigabytes)', { timeout: 30000 }, async () => {
  const size = 64 * MiB;
  // A 206 with the right Content-Range and a body that never ends.
  const endlessServer = await serve({
    size,
    hook(req, res, entry, body) {
      const r = rangeOf(req);
      if (!r) return false;
      res.writeHead(206, { 'content-range': `bytes ${r[0]}-${r[1]}/${size}` });
      endless(res, body(r[0], r[0] + MiB)).then(() => { entry.status = 206; });
      return true;
    },
  });
  const file = new RemoteFile(endlessServer.url, size);
  await assert.rejects(file.want([[MiB, MiB + 1000]]), (err) => err.code === 'range-refused' && /goes on past the 1000 bytes asked for/.test(err.message));
  assert.equal(file.stats().cachedBytes, 0);

  // Many ranges answered with one 206 of the whole file: not read; asked one by one instead.
  const whole = await serve({
    size,
    hook(req, res, entry, body) {
      if (!req.headers.range?.includes(',')) return false;
      entry.status = 206;
      res.writeHead(206, { 'content-range': `bytes 0-${size - 1}/${size}`, 'content-length': size });
      endless(res, body(0, MiB));
      return true;
    },
  });
  const lazy = new RemoteFile(whole.url, size);
  const ranges = scattered(20, 100, size);
  await lazy.want(ranges);
  assert.equal(lazy.multiRange, false);
  assert.equal(lazy.bytesFetched, 20 * 100);
  for (const [s, e] of ranges) assert.ok(isContentAt(s, lazy.read(s, e - s)));

  // Multipart parts that claim 3 GB of an 8 GB file, or lie beyond its end.
  const big = 8 * 1024 * MiB;
  const parts = (req, res, list) => {
    const b = 'HOSTILE';
    res.writeHead(206, { 'content-type': `multipart/byteranges; boundary=${b}` });
    res.end(list.map(([cr, bytes]) => `--${b}\r\nContent-Range: ${cr}\r\n\r\n${bytes}\r\n`).join('') + `--${b}--\r\n`);
    return true;
  };
  const claims = await serve({ size: big, hook: (req, res) => req.headers.range?.includes(',') && parts(req, res, [[`bytes 0-2999999999/${big}`, 'x']]) });
  const claimed = new RemoteFile(claims.url, big);
  await assert.rejects(claimed.want([[0, 100], [6e9, 6e9 + 100]]), (err) => err.code === 'range-refused' && /part 1 claims 3000000000 bytes/.test(err.message));
  const beyond = await serve({
    size: MiB,
    hook: (req, res) => req.headers.range?.includes(',') && parts(req, res, [
      ['bytes 100-199/*', 'a'.repeat(100)], ['bytes 500000-500099/*', 'b'.repeat(100)], ['bytes 2000000-2000099/*', 'c'.repeat(100)]]),
  });
  const lied = new RemoteFile(beyond.url, MiB);
  await assert.rejects(lied.want([[100, 200], [500000, 500100]]), (err) => err.code === 'range-refused' && /"bytes 2000000-2000099\/NaN"|2000000-2000099/.test(err.message));
  assert.equal(lied.stats().cachedBytes, 0);
});

test('however much is wanted at once, no request asks for more than 4 chunkBytes: what is in flight stays bounded', async () => {
  const size = 64 * MiB;
  const server = await serve({ size });
  const file = new RemoteFile(server.url, size, { chunkBytes: MiB, cacheBytes: 64 * MiB });
  const askedBytes = () => server.log.map((r) => r.range.slice(6).split(',').reduce((n, x) => { const [a, b] = x.split('-').map(Number); return n + b - a + 1; }, 0));
  await file.want([[0, 10 * MiB + 5]]);
  assert.ok(askedBytes().every((n) => n <= 4 * MiB), askedBytes().join());
  assert.ok(isContentAt(3 * MiB - 10, file.read(3 * MiB - 10, 20)));
  server.reset();
  // 12 ranges of 768 KiB: multi-range requests of at most 4 MiB of bytes each.
  const ranges = Array.from({ length: 12 }, (_, i) => [16 * MiB + i * 2 * MiB, 16 * MiB + i * 2 * MiB + 768 * 1024]);
  await file.want(ranges);
  assert.ok(askedBytes().every((n) => n <= 4 * MiB), askedBytes().join());
  assert.ok(server.log.length <= 4, `${server.log.length} requests`);
  for (const [s, e] of ranges) assert.ok(isContentAt(e - 10, file.read(e - 10, 10)));
});

test('a compressed answer (S3 object stored with Content-Encoding gzip) is streamed whole, never read in place', async () => {
  const size = MiB;
  const plain = Buffer.from(contentAt(0, size));
  const packed = gzipSync(plain);
  const server = await serve({
    size,
    hook(req, res) {
      const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      const start = Number(m[1]);
      const end = m[2] ? Number(m[2]) + 1 : packed.length;
      res.writeHead(206, { 'content-encoding': 'gzip', 'content-range': `bytes ${start}-${end - 1}/${packed.length}`, 'content-length': end - start });
      res.end(packed.subarray(start, end));
      return true;
    },
  });
  const opened = await openRemote(server.url);
  assert.equal(opened.kind, 'stream');
  assert.equal(Buffer.compare(Buffer.from(await opened.response.arrayBuffer()), plain), 0, 'the body is the file, decoded');
});

test('bad positions from a caller are no requests and do not break the file (negative, NaN, fractional, zero length)', async () => {
  const size = MiB;
  const server = await serve({ size });
  const { file } = await openRemote(server.url, { headBytes: 4096 });
  file.cancelStream();
  server.reset();
  assert.equal(file.has(NaN), false);
  assert.equal(file.has(-10, 5), false);
  assert.equal(file.read(100, 0).length, 0);
  assert.equal(file.read(NaN, 10).length, 0);
  assert.equal(file.read(1.5, 10).length, 0);
  assert.equal(file.read(-5, 10).length, 0);
  await file.want([[NaN, 5], [10, 5], [-20, -10]]);
  await file.ready(-10, 20);
  assert.ok(file.has(0, 10));
  file.prefetch(-100, 200 * 1024);
  await file.ready(100 * 1024, 1000);
  assert.equal(file.error, null);
  assert.ok(server.log.every((r) => /^bytes=\d+-\d*$/.test(r.range) && r.status === 206), JSON.stringify(server.log));
  assert.ok(isContentAt(100 * 1024, file.read(100 * 1024, 1000)));
});

test('a 20 GB file: offsets past 2^32 are asked and read exactly', async () => {
  const size = 20 * 1024 * MiB;
  const server = await serve({ size });
  const { file } = await openRemote(server.url, { headBytes: 4096 });
  assert.equal(file.size, size);
  const ranges = [[2 ** 32 - 50, 2 ** 32 + 50], [2 ** 34 + 7, 2 ** 34 + 1007], [size - 100, size]];
  await file.want(ranges);
  for (const [s, e] of ranges) assert.ok(isContentAt(s, file.read(s, e - s)), `bytes ${s}-${e - 1}`);
  file.prefetch(size - 3 * MiB, 3 * MiB);
  await file.ready(size - 3 * MiB, 3 * MiB);
  assert.ok(isContentAt(size - 3 * MiB, file.read(size - 3 * MiB, MiB)));
});

test("the opening retries S3's 503 SlowDown and 500 InternalError", async () => {
  let n = 0;
  const server = await serve({
    size: MiB,
    hook(req, res, entry) {
      if (n >= 2) return false;
      entry.status = [503, 500][n++];
      const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${n === 1 ? 'SlowDown' : 'InternalError'}</Code></Error>`;
      res.writeHead(entry.status, { 'content-type': 'application/xml', 'content-length': xml.length });
      res.end(xml);
      return true;
    },
  });
  const opened = await openRemote(server.url, { headBytes: 4096 });
  assert.equal(opened.kind, 'ranges');
  assert.deepEqual(server.log.map((r) => r.status), [503, 500, 206]);
  opened.file.close();
});

test('an open-ended range answered with less than the rest (a capped server) is read on from where it ended', async () => {
  const size = 2 * MiB;
  const cap = 256 * 1024;
  const server = await serve({
    size,
    hook(req, res, entry, body) {
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (!m) return false;
      const start = Number(m[1]);
      const end = Math.min(size, start + cap);
      entry.status = 206;
      res.writeHead(206, { 'content-range': `bytes ${start}-${end - 1}/${size}`, 'content-length': end - start });
      res.end(body(start, end));
      return true;
    },
  });
  const { file } = await openRemote(server.url, { headBytes: 64 * 1024 });
  await readSequentially(file, { ahead: MiB });
  assert.equal(server.log.length, size / cap);
  assert.equal(file.bytesFetched, size);
});

test('close() stops the requests out now; what waited on them fails at once instead of hanging', async () => {
  const size = 4 * MiB;
  const server = await serve({ size, hook: (req) => !!rangeOf(req) });  // range requests are never answered
  const file = new RemoteFile(server.url, size);
  const pending = file.want([[MiB, MiB + 100]]);
  await sleepMs(100);
  file.close();
  assert.equal(await pendingAfter(pending, 500), 'settled');
  await assert.rejects(pending, /The media was closed/);
});

test('a refusal of the old link arriving after setUrl() gave a fresh one does not pause the file again', async () => {
  const size = 16 * MiB;
  const server = await serve({
    size,
    async hook(req, res, entry) {
      if (req.url.includes('fresh') || req.headers.range === 'bytes=0-') return false;
      if (req.headers.range.startsWith(`bytes=${6 * MiB}-`)) await sleepMs(400);
      entry.status = 403;
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      return true;
    },
  });
  const { file } = await openRemote(server.url, { headBytes: 4096 });
  file.cancelStream();
  const slow = file.want([[6 * MiB, 6 * MiB + 100]]);
  const fast = file.want([[12 * MiB, 12 * MiB + 100]]);
  await sleepMs(100);
  assert.equal(file.error?.code, 'link-expired');
  await file.setUrl(`${server.url}?fresh=1`);
  await sleepMs(500);   // the old link's late 403 has come
  assert.equal(file.error, null);
  assert.equal(await pendingAfter(Promise.all([slow, fast]), 1000), 'settled');
  assert.ok(isContentAt(6 * MiB, file.read(6 * MiB, 100)));
});

test('pinned bytes are bounded: an "index" beyond maxPinnedBytes is cached like anything else', async () => {
  const size = 32 * MiB;
  const server = await serve({ size });
  const file = new RemoteFile(server.url, size, { cacheBytes: MiB, maxPinnedBytes: 2 * MiB });
  await file.want([[0, MiB]], { pin: true });
  await file.want([[8 * MiB, 14 * MiB]], { pin: true });   // a hostile file's 6 MiB "moov"
  const { pinnedBytes, cachedBytes } = file.stats();
  assert.equal(pinnedBytes, MiB);
  assert.ok(cachedBytes <= MiB, `${cachedBytes} unpinned bytes`);
  assert.ok(file.has(0, MiB), 'what fit stays pinned');
});

test('a server that fails its first multi-range request (501, 500) is asked one range at a time, not given up on', async () => {
  for (const status of [501, 500]) {
    const server = await serve({
      size: 4 * MiB,
      hook(req, res, entry) {
        if (!req.headers.range?.includes(',')) return false;
        entry.status = status;
        res.writeHead(status, { 'content-length': 0 });
        res.end();
        return true;
      },
    });
    const file = new RemoteFile(server.url, 4 * MiB);
    const ranges = [[1000, 1100], [MiB, MiB + 100], [3 * MiB, 3 * MiB + 100]];
    await file.want(ranges);
    assert.equal(file.multiRange, false);
    assert.equal(server.log.length, 4);
    for (const [s, e] of ranges) assert.ok(isContentAt(s, file.read(s, e - s)));
  }
});

test('hundreds of thousands of small cached runs (hours of an interleaved MP4) pass through the cache in linear time', { timeout: 60000 }, async () => {
  const size = 4 * 1024 * MiB;
  const file = new RemoteFile('http://127.0.0.1:9/unused', size, { cacheBytes: 32 * MiB });
  const run = new Uint8Array(500);
  const started = performance.now();
  for (let i = 0; i < 200000; i++) file.seed(i * 10000 + 3000, run);   // 100 MB of 500-byte runs
  const ms = performance.now() - started;
  assert.ok(ms < 10000, `${ms.toFixed(0)} ms`);   // one chunk removed at a time: ~40 s here
  const { cachedBytes } = file.stats();
  assert.ok(cachedBytes <= 32 * MiB && cachedBytes > 28 * MiB, `${cachedBytes}`);
  assert.ok(file.has(199999 * 10000 + 3000, 500), 'the latest run stays');
  assert.equal(file.has(3000, 500), false, 'the oldest went');
});

test('a server without Range support that stops sending breaks the streamed download instead of hanging it', { timeout: 20000 }, async () => {
  const size = MiB;
  const server = await serve({
    size,
    hook(req, res, entry, body) {
      entry.status = 200;
      res.writeHead(200, { 'content-length': size });
      res.write(body(0, 100 * 1024));
      let at = 100 * 1024;
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(body(at, ++at))), 20);
      return true;   // then a byte every 20 ms
    },
  });
  const opened = await openRemote(server.url, { stallMs: 800 });
  assert.equal(opened.kind, 'stream');
  assert.equal(opened.response.headers.get('content-length'), String(size));
  const reader = opened.response.body.getReader();
  let received = 0;
  await assert.rejects(async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      assert.ok(isContentAt(received, value));
      received += value.length;
    }
  }, (err) => err instanceof TypeError && /less than 1024 bytes in 0.8 s/.test(err.message));
  assert.ok(received >= 100 * 1024 && received < 110 * 1024, `${received}`);

  // One that answers at its pace is read to its end, however slowly it is consumed.
  const slow = await serve({ size, lie: 'ignore-range' });
  const whole = await openRemote(slow.url, { stallMs: 500 });
  const r = whole.response.body.getReader();
  let n = 0;
  for (let first = true; ; first = false) {
    const { done, value } = await r.read();
    if (done) break;
    n += value.length;
    if (first) await sleepMs(1500);   // a consumer busy decoding: no stall
  }
  assert.equal(n, size);
});

test('a request waiting for a connection while others bring bytes is not taken for a stalled server', { timeout: 20000 }, async () => {
  const size = 8 * MiB;
  const server = await serve({
    size,
    async hook(req, res, entry, body) {
      if (req.headers.range === 'bytes=0-') {
        // The opening stream flows steadily (4 KiB every 50 ms) ...
        entry.status = 206;
        res.writeHead(206, { 'content-range': `bytes 0-${size - 1}/${size}`, 'content-length': size });
        let at = 0;
        const timer = setInterval(() => { if (res.destroyed) clearInterval(timer); else res.write(body(at, at += 4096)); }, 50);
        return true;
      }
      await sleepMs(1200);   // ... while a range request waits, as for a free connection
      return false;
    },
  });
  const { file } = await openRemote(server.url, { headBytes: 4096, stallMs: 400 });
  file.prefetch(0, MiB);   // the stream is read on
  await file.want([[6 * MiB, 6 * MiB + 100]]);
  assert.ok(isContentAt(6 * MiB, file.read(6 * MiB, 100)));
  assert.equal(server.log.length, 2, 'asked once');
  file.close();
});

test("a synchronous read is asked again at once after S3's 503 SlowDown or 500 InternalError", { timeout: 20000 }, async () => {
  // The server runs in its own process: a synchronous read blocks this one.
  const script = `
    const http = require('node:http');
    let n = 0;
    const server = http.createServer((req, res) => {
      const m = /^bytes=(\\d+)-(\\d+)$/.exec(req.headers.range || '');
      n++;
      if (n <= 2) { res.writeHead(n === 1 ? 503 : 500, { 'content-type': 'application/xml' }); res.end('<Error><Code>SlowDown</Code></Error>'); return; }
      const [s, e] = [Number(m[1]), Number(m[2])];
      const b = Buffer.alloc(e - s + 1);
      for (let i = 0; i < b.length; i++) b[i] = (s + i) & 255;
      res.writeHead(206, { 'content-range': 'bytes ' + s + '-' + e + '/1048576', 'content-length': b.length });
      res.end(b);
    }).listen(0, '127.0.0.1', () => console.log(server.address().port));
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
    const file = new RemoteFile(`http://127.0.0.1:${port}/file.bin`, MiB, { syncFetch: childSyncFetch() });
    const bytes = file.read(1000, 10);
    assert.deepEqual([...bytes], Array.from({ length: 10 }, (_, i) => (1000 + i) & 255));
    assert.equal(file.syncRequests, 3);
    assert.equal(file.error, null);
  } finally {
    child.kill();
  }
});

/** `count` runs of `length` bytes, `every` bytes apart from `from`. */
const runs = (count, length, every, from) => Array.from({ length: count }, (_, i) => [from + i * every, from + i * every + length]);

/** A file opened as the worker opens it, on a server that answers single ranges only (as S3). */
async function openSingleRange(options) {
  const server = await serve({ multi: 'whole', ...options });
  const { file } = await openRemote(server.url, { headBytes: MiB });
  // Its first multi-range request is answered with the whole file: ranges one by one from then on.
  const { size } = file;
  await file.want([[size - 4 * MiB, size - 4 * MiB + 10], [size - 1000, size - 990]]);
  assert.equal(file.multiRange, false);
  server.reset();
  return { server, file };
}

test('a single-range server with a long round trip: a dense plan is read through in few requests, and only the wanted bytes are cached', { timeout: 60000 }, async () => {
  const size = 64 * MiB;
  const { server, file } = await openSingleRange({ size, latencyMs: 150 });
  assert.ok(file.stats().rttMs >= 150, `round trip measured: ${file.stats().rttMs} ms`);
  assert.ok(file.stats().bytesPerMs > 0, 'throughput measured');
  // 2 KiB of sound every 256 KiB: gaps four times today's 64 KiB floor, fetched in less time than a round trip.
  const plan = runs(200, 2048, 256 << 10, 2 * MiB);
  const cachedBefore = file.stats().cachedBytes;
  await file.want(plan);
  assert.ok(server.log.length <= 6, `${server.log.length} requests for 200 ranges`);
  assert.ok(server.log.every((r) => r.status === 206 && !r.range.includes(',')));
  const wanted = 200 * 2048;
  assert.equal(file.stats().cachedBytes - cachedBefore, wanted, 'the pictures between were dropped as they streamed by');
  assert.ok(file.bytesFetched > 40 * MiB, 'the gaps were fetched across');
  for (const [s, e] of plan) assert.ok(isContentAt(s, file.read(s, e - s)), `bytes at ${s}`);
  assert.equal(file.read(plan[0][1], 1).length, 0, 'a gap byte is not cached');
  assert.equal(file.syncRequests, 0);
  // Asked again: all cached, no request.
  await file.want(plan);
  assert.ok(server.log.length <= 6);
});

test('a single-range server with no added latency: sparse ranges are still asked one by one, fetching only them', { timeout: 60000 }, async () => {
  const size = 160 * MiB;
  const { server, file } = await openSingleRange({ size });
  const { rttMs, bytesPerMs } = file.stats();
  assert.ok(rttMs >= 0 && bytesPerMs > 0, 'measured');
  const plan = runs(16, 2048, 9 * MiB, 4 * MiB);
  const before = file.bytesFetched;
  await file.want(plan);
  assert.equal(server.log.length, 16, `one request per range (round trip ${rttMs.toFixed(1)} ms at ${(bytesPerMs / 1000).toFixed(0)} MB/s)`);
  assert.equal(file.bytesFetched - before, 16 * 2048);
  for (const [s, e] of plan) assert.ok(isContentAt(s, file.read(s, e - s)));
});

test('the same plan is read through or asked range by range as the measured round trip says', { timeout: 60000 }, async () => {
  const size = 64 * MiB;
  const plan = runs(24, 2048, 2 * MiB, 8 * MiB);
  const gap = 2 * MiB - 2048;
  const reaches = [];
  for (const latencyMs of [0, 250]) {
    const { server, file } = await openSingleRange({ size, latencyMs });
    // What a round trip is worth in bytes, from the measurements; the plan is asked accordingly.
    const reach = file.stats().rttMs * file.stats().bytesPerMs;
    reaches.push(reach);
    await file.want(plan);
    if (reach <= gap) assert.equal(server.log.length, 24, `latency ${latencyMs}: reach ${reach}`);
    else assert.ok(server.log.length <= 4, `latency ${latencyMs}: reach ${reach}, ${server.log.length} requests`);
    for (const [s, e] of plan) assert.ok(isContentAt(s, file.read(s, e - s)));
    file.close();
  }
  assert.ok(reaches[1] > gap, `a round trip of 250 ms is worth more than the gaps: ${reaches}`);
});

/** A server that can go away (connections cut, or S3's 503 SlowDown) and come back. */
async function flakyServer(size) {
  const state = { mode: 'up' };
  const server = await serve({
    size,
    hook: async (req, res, entry) => {
      if (state.mode === 'up' || (state.mode !== 'up' && req.url.includes('fresh'))) return false;
      if (state.mode === 'cut') {
        entry.status = -1;
        req.socket.destroy();
        return true;
      }
      entry.status = 503;
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return true;
    },
  });
  return { server, state };
}

for (const mode of ['cut', '503']) {
  test(`a connection lost after earlier reads (${mode === 'cut' ? 'connections cut' : "S3's 503 SlowDown"}) pauses the file, which resumes by itself when the server answers again`, { timeout: 60000 }, async () => {
    const size = 16 * MiB;
    const { server, state } = await flakyServer(size);
    const { file } = await openRemote(server.url, { headBytes: 64 * 1024 });
    const errors = [];
    let resumed = 0;
    file.onerror = (err) => errors.push(err);
    file.onresume = () => { resumed++; };
    await file.want([[6 * MiB, 6 * MiB + 100]]);
    state.mode = mode;
    const pending = file.want([[12 * MiB, 12 * MiB + 100]]);
    assert.equal(await pendingAfter(pending, 3000), 'pending', 'the want waits, not rejected');
    assert.equal(file.error?.code, 'connection-lost');
    assert.match(file.error.message, /^The connection to the media server was lost \(.*\); what is drawn and annotated stays, and reading resumes by itself/);
    assert.deepEqual(errors.map((e) => e.code), ['connection-lost']);
    assert.equal(file.read(12 * MiB, 100).length, 0, 'reads are empty meanwhile');
    assert.ok(isContentAt(6 * MiB, file.read(6 * MiB, 100)), 'what was cached stays readable');
    const another = file.want([[14 * MiB, 14 * MiB + 100]]);
    // It keeps looking (1, 2, 4 ... s apart), not asking again and again.
    const asked = server.log.length;
    await new Promise((r) => setTimeout(r, 3500));
    assert.ok(server.log.length - asked <= 3, `${server.log.length - asked} requests while down`);
    state.mode = 'up';
    await Promise.all([pending, another]);
    assert.equal(file.error, null);
    assert.equal(resumed, 1);
    assert.ok(isContentAt(12 * MiB, file.read(12 * MiB, 100)));
    assert.ok(isContentAt(14 * MiB, file.read(14 * MiB, 100)));
    file.close();
  });
}

test('a lost connection resumes at once with a fresh link (setUrl), and a failure before any read succeeded is still fatal', { timeout: 60000 }, async () => {
  const size = 16 * MiB;
  const { server, state } = await flakyServer(size);
  const { file } = await openRemote(server.url, { headBytes: 64 * 1024 });
  await file.want([[6 * MiB, 6 * MiB + 100]]);
  state.mode = 'cut';
  const pending = file.want([[12 * MiB, 12 * MiB + 100]]);
  assert.equal(await pendingAfter(pending, 2500), 'pending');
  assert.equal(file.error?.code, 'connection-lost');
  const started = Date.now();
  await file.setUrl(`${server.url}?fresh=1`);
  await pending;
  assert.ok(Date.now() - started < 1000, 'no wait for the next look');
  assert.ok(isContentAt(12 * MiB, file.read(12 * MiB, 100)));
  file.close();

  const fresh = new RemoteFile(server.url, size);
  await assert.rejects(fresh.want([[MiB, MiB + 10]]), (err) => err.code === 'fetch-failed');
});
