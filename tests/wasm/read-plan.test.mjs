// SPDX-License-Identifier: MIT
// M.ReadPlan in the wasm build: fed a real MP4 in the order it asks, it names the audio track's
// bytes exactly as ffprobe finds them, and the decoder then reads little besides them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadCore, decodeBytes } from './load-core.mjs';

const run = promisify(execFile);
const FF = ['-nostdin', '-hide_banner', '-v', 'error', '-y'];
let core, dir;
const files = {};

before(async () => {
  core = await loadCore();
  dir = await mkdtemp(path.join(tmpdir(), 'avseg-read-plan-'));
  files.faststart = path.join(dir, 'faststart.mp4');
  files.fragmented = path.join(dir, 'fragmented.mp4');
  files.wav = path.join(dir, 'tone.wav');
  await run('ffmpeg', [...FF, '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '12', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2M', '-g', '50', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', files.faststart]);
  await run('ffmpeg', [...FF, '-i', files.faststart, '-c', 'copy', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', files.fragmented]);
  await run('ffmpeg', [...FF, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2', files.wav]);
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const pairs = (a) => Array.from({ length: a.length / 2 }, (_, i) => [a[2 * i], a[2 * i + 1]]);

function merge(ranges) {
  const out = [];
  for (const [s, e] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (out.length && s <= out[out.length - 1][1]) out[out.length - 1][1] = Math.max(out[out.length - 1][1], e);
    else out.push([s, e]);
  }
  return out;
}

async function probePackets(file) {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pos,size', '-of', 'csv=p=0', file]);
  // Packets with side data add lines of their own: only "size,pos" lines count.
  return merge(stdout.split('\n').filter((line) => /^\d+,\d+/.test(line)).map((line) => {
    const [size, pos] = line.split(',').map(Number);
    return [pos, pos + size];
  }));
}

// The worker's loop: the head, then each round's wants (last range first, as answers may come).
function planFile(bytes, head) {
  const plan = new core.ReadPlan(bytes.length);
  plan.feed(0, bytes.subarray(0, head));
  const fed = [[0, head]];
  let rounds = 0;
  while (!plan.state().done) {
    const wants = pairs(plan.wants());
    assert.ok(wants.length > 0, 'not done, yet nothing wanted');
    assert.ok(++rounds < 100);
    for (const [s, e] of wants.reverse()) {
      plan.feed(s, bytes.subarray(s, e));
      fed.push([s, e]);
    }
  }
  return { plan, rounds, fed: merge(fed) };
}

for (const shape of ['faststart', 'fragmented']) {
  test(`${shape} MP4: the plan names ffprobe's audio packets, and the decoder reads almost nothing else`, async () => {
    const bytes = new Uint8Array(await readFile(files[shape]));
    const { plan, rounds, fed } = planFile(bytes, 64 << 10);
    try {
      const state = plan.state();
      assert.deepEqual(state, { container: 'mp4', done: true, fragmented: shape === 'fragmented', hopByHop: false, problem: '' });
      assert.ok(rounds <= 4, `${rounds} rounds`);
      const media = pairs(plan.mediaRanges());
      assert.deepEqual(media, await probePackets(files[shape]));
      const index = pairs(plan.indexRanges());
      assert.equal(index[0][0], 0, 'the ftyp first among the boxes to pin');
      const indexBytes = index.reduce((n, [s, e]) => n + e - s, 0);
      assert.ok(indexBytes < bytes.length / 50, `${indexBytes} bytes of boxes to pin`);

      // Decode as the worker would from a RemoteFile holding the head, the plan's boxes and the
      // audio's bytes: a read anywhere else is what a synchronous request would have to fetch.
      const cached = merge([...fed, ...index, ...media]);
      let missed = 0;
      const readFn = (position, length) => {
        const span = cached.find(([s, e]) => position >= s && position < e);
        if (!span) {
          missed += 1;
          return bytes.subarray(position, position + Math.max(length, 65536));
        }
        return bytes.subarray(position, Math.min(span[1], position + length));
      };
      const session = new core.Session();
      try {
        assert.equal(session.openSeekable(readFn, bytes.length).state, 2);
        let status;
        do status = session.pump(1 << 20); while (status.state === 1);
        assert.equal(status.state, 2, status.message);
        const whole = decodeBytes(core, bytes);
        try {
          assert.equal(session.info().frames, whole.session.info().frames);
        } finally {
          whole.session.delete();
        }
      } finally {
        session.delete();
      }
      assert.ok(missed <= 2, `${missed} reads outside the plan`);
    } finally {
      plan.delete();
    }
  });
}

test('a file that is not an MP4: unknown at once, nothing wanted, the caller reads it in order', async () => {
  const bytes = new Uint8Array(await readFile(files.wav));
  const plan = new core.ReadPlan(bytes.length);
  try {
    assert.deepEqual(pairs(plan.wants()), [[0, 16384]]);
    plan.feed(0, bytes.subarray(0, 4096));
    assert.deepEqual(plan.state(), { container: 'unknown', done: true, fragmented: false, hopByHop: false, problem: '' });
    assert.equal(plan.wants().length, 0);
    assert.equal(plan.mediaRanges().length, 0);
  } finally {
    plan.delete();
  }
});

test('a moov cut off by the end of the file is a problem, not a hang', async () => {
  const bytes = new Uint8Array(await readFile(files.faststart)).subarray(0, 2000);
  const plan = new core.ReadPlan(bytes.length);
  try {
    plan.feed(0, bytes);
    const state = plan.state();
    assert.equal(state.done, true);
    assert.match(state.problem, /moov box at byte \d+ runs past the end of the file/);
  } finally {
    plan.delete();
  }
});
