// SPDX-License-Identifier: MIT
// planMp4 (web/src/read-ahead.js) over a real RemoteFile and the media server behaving as S3 (single
// ranges only, Content-Range hidden): a fragmented MP4's moofs are read through (a round trip costs
// more than the pictures between them), and each fragment's sound is kept as that read passes it,
// so no byte of the file is fetched twice and the decoder's sound is already there after the plan.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openRemote } from '../../web/src/remote-file.js';
import { pairs, planMp4 } from '../../web/src/read-ahead.js';
import { startMediaServer } from '../lib/media-server.mjs';
import { loadCore } from '../wasm/load-core.mjs';

const run = promisify(execFile);
const FF = ['-nostdin', '-hide_banner', '-v', 'error', '-y'];
let core, dir, file, bytes;

before(async () => {
  core = await loadCore();
  dir = await mkdtemp(path.join(tmpdir(), 'avseg-read-ahead-'));
  const plain = path.join(dir, 'plain.mp4');
  file = path.join(dir, 'fragmented.mp4');
  // 60 s in 2 s fragments (~0.5 MB apart), each its pictures then its sound, with an mfra: as the bench's hour.
  await run('ffmpeg', [...FF, '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2M', '-g', '50', '-c:a', 'aac', '-b:a', '128k', plain]);
  await run('ffmpeg', [...FF, '-i', plain, '-c', 'copy', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', file]);
  bytes = new Uint8Array(await readFile(file));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * What the server sent to range requests: [start, end) of each 206 body, but the opening's (an open-ended
 * stream the reader stops when it reads elsewhere: the server has sent more than was read by then).
 */
function served(requests, size) {
  return requests.filter((r) => r.method === 'GET' && r.status === 206 && r.bytes > 0 && r.range !== 'bytes=0-').map((r) => {
    const start = Number(/^bytes=(\d+)-/.exec(r.range)[1]);
    return [start, Math.min(size, start + r.bytes)];
  });
}

function union(ranges) {
  let total = 0;
  let reach = -1;
  for (const [s, e] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (e <= reach) continue;
    total += e - Math.max(s, reach);
    reach = e;
  }
  return total;
}

test("a fragmented MP4 from a single-range server: its moofs read through once, each fragment's sound kept on the way, never read again", { timeout: 60000 }, async () => {
  // 20 ms a request: reading across a fragment's pictures is cheaper than another round trip.
  const server = await startMediaServer({ files: { '/f.mp4': { path: file } }, multiRange: false, exposeHeaders: [], latencyMs: 20 });
  try {
    const opened = await openRemote(server.url('/f.mp4'));
    assert.equal(opened.kind, 'ranges');
    const remote = opened.file;
    const plan = await planMp4(core, remote, opened.head, (fetching) => fetching());
    assert.ok(!plan.problem, plan.problem);
    assert.equal(plan.fragmented, true);
    const media = pairs(plan.media);
    assert.ok(media.length >= 29, `${media.length} runs of sound`);
    assert.equal(remote.multiRange, false);
    // The read through the moofs went past every fragment's sound and kept it: the decoder's wants cost nothing.
    const afterPlan = server.requests.length;
    const notKept = media.filter(([s, e]) => !remote.has(s, e - s));
    await remote.want(media, { gap: 64 << 10 });
    for (const [s, e] of media) assert.deepEqual(remote.read(s, e - s), bytes.subarray(s, e), `sound ${s}-${e}`);
    // No byte asked twice (S3's whole-file answer to the one multi-range probe, cancelled at once, aside).
    const sent = served(server.requests, bytes.length);
    const total = sent.reduce((n, [s, e]) => n + e - s, 0);
    assert.ok(total <= 1.02 * union(sent), `${total} bytes sent for ${union(sent)} distinct ones: ${JSON.stringify(sent)}`);
    assert.deepEqual(notKept, [], "sound the plan's read passed without keeping it");
    assert.equal(server.requests.length, afterPlan, 'the sound was asked for again');
    assert.ok(afterPlan <= 12, `${afterPlan} requests`);
    remote.close();
  } finally {
    await server.close();
  }
});

test('sound the read-through could not keep (no room in the cache) is asked range by range afterwards, never read through again', { timeout: 60000 }, async () => {
  const server = await startMediaServer({ files: { '/f.mp4': { path: file } }, multiRange: false, exposeHeaders: [], latencyMs: 20 });
  try {
    // A cache of 2 MiB (the opening's first MiB in it) keeps only part of the 60 s of sound.
    const opened = await openRemote(server.url('/f.mp4'), { cacheBytes: 2 << 20 });
    const remote = opened.file;
    const plan = await planMp4(core, remote, opened.head, (fetching) => fetching());
    const media = pairs(plan.media);
    const notKept = media.filter(([s, e]) => !remote.has(s, e - s));
    assert.ok(notKept.length >= 3 && notKept.length < media.length, `${notKept.length} of ${media.length} runs not kept`);
    const afterPlan = server.requests.length;
    // As PlannedAhead asks: the next batch of sound at once.
    await remote.want(media, { gap: 64 << 10 });
    for (const [s, e] of media) assert.deepEqual(remote.read(s, e - s), bytes.subarray(s, e), `sound ${s}-${e}`);
    const sent = served(server.requests, bytes.length);
    const total = sent.reduce((n, [s, e]) => n + e - s, 0);
    assert.ok(total <= 1.02 * union(sent), `${total} bytes sent for ${union(sent)} distinct ones: ${JSON.stringify(sent)}`);
    assert.ok(server.requests.length - afterPlan <= notKept.length + 1, `${server.requests.length - afterPlan} requests for ${notKept.length} runs`);
    remote.close();
  } finally {
    await server.close();
  }
});
