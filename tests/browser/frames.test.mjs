// SPDX-License-Identifier: MIT
// Every frame of H.264 clips at the common rates (24, 25, 30, 30000/1001, 60 fps) and at a
// variable rate, made by ffmpeg at test time, reached in headless Chromium by seekFrame and by
// stepping: `frame` must be the number drawn in the picture (10 blocks, binary) each time.
// Chromium reports a frame's time rounded to the microsecond, which at 1/30 s falls before the
// frame's exact start; and at a variable rate with B-frames it shows an MP4 frame only as long as
// its packet's decode-order duration, which can end before the next frame starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startElementPage } from './harness.mjs';

const run = promisify(execFile);
const WIDTH = 160;
const HEIGHT = 90;
const BITS = 10;
// Block b of a frame is white when bit b of its number N is set (least significant on the left).
const BLOCKS = `geq=lum='if(bitand(N\\,pow(2\\,floor(X*${BITS}/W)))\\,235\\,16)':cb=128:cr=128`;

// name: [lavfi rate, frames, seconds, extra filters, extra output options]
const CLIPS = {
  '24fps.mp4': ['24', 48, 2, '', []],
  '25fps.mp4': ['25', 50, 2, '', []],
  '30fps.mp4': ['30', 120, 4, '', []],
  '29.97fps.mp4': ['30000/1001', 60, 2.002, '', []],
  '60fps.mp4': ['60', 120, 2, '', []],
  // A clip whose first frame is not at 0 (cut from a longer recording): an edit list's empty edit.
  '30fps-from-1.5s.mp4': ['30', 30, 1, '', ['-output_ts_offset', '1.5']],
  // Frames of 1/60, 1/30 and 1/24 s in turn.
  'vfr.mp4': ['60', 90, 2.75, ",settb=1/90000,setpts='floor(N/3)*8250+gte(mod(N\\,3)\\,1)*1500+gte(mod(N\\,3)\\,2)*3000'",
    ['-fps_mode', 'passthrough', '-video_track_timescale', '90000']],
};

let dir;
let harness;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-frames-'));
  await Promise.all(Object.entries(CLIPS).map(([name, [rate, frames, seconds, extra, options]]) => run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `color=gray:size=${WIDTH}x${HEIGHT}:rate=${rate},format=yuv420p,${BLOCKS}${extra}`,
    '-f', 'lavfi', '-t', String(seconds), '-i', 'sine=frequency=330:sample_rate=48000',
    '-frames:v', String(frames),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '12', '-g', '15', '-pix_fmt', 'yuv420p', ...options,
    '-c:a', 'aac', '-b:a', '64k', path.join(dir, name),
  ])));
  harness = await startElementPage({ title: 'avseg frames', mediaRoot: dir });
});
after(async () => {
  await harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** ffprobe's own account: every frame's start in seconds, in presentation order. */
async function probe(name) {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=time_base:packet=pts', '-of', 'json', path.join(dir, name)]);
  const p = JSON.parse(stdout);
  const [num, den] = p.streams[0].time_base.split('/').map(Number);
  return p.packets.map((x) => (x.pts * num) / den).sort((a, b) => a - b);
}

const load = (t, name) => harness.openMedia(t, name);

/**
 * Runs each action (['seek', n], ['step', delta] or ['look']) in the page, waits until the frame it
 * asked for is presented, and returns what the element says and what the picture shows.
 */
function act(page, actions) {
  return page.evaluate(async ([actions, width, height, bits]) => {
    const el = document.querySelector('avseg-editor');
    const video = el.shadowRoot.querySelector('video');
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const drawn = () => {
      ctx.drawImage(video, 0, 0, width, height);
      const row = ctx.getImageData(0, height >> 1, width, 1).data;
      let n = 0;
      for (let b = 0; b < bits; b++) if (row[Math.floor(((b + 0.5) * width) / bits) * 4] > 128) n |= 1 << b;
      return n;
    };
    const results = [];
    for (const [op, arg] of actions) {
      // The element's own frame callback was asked for before this one, so it runs first.
      const presented = new Promise((resolve) => video.requestVideoFrameCallback(() => resolve(true)));
      const seeked = new Promise((resolve) => video.addEventListener('seeked', () => resolve(true), { once: true }));
      if (op === 'look') {
        results.push({ op, frame: el.frame, drawn: drawn(), time: el.currentTime });
        continue;
      }
      if (op === 'seek') el.seekFrame(arg);
      else el.stepFrame(arg);
      const settled = await Promise.race([
        Promise.all([presented, seeked]),
        new Promise((resolve) => setTimeout(() => resolve(false), 10000)),
      ]);
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      results.push({ op, arg, settled: Boolean(settled), frame: el.frame, drawn: drawn(), time: el.currentTime });
    }
    return results;
  }, [actions, WIDTH, HEIGHT, BITS]);
}

/** The actions whose result is not frame `expected(i)` both in the element and in the picture. */
function wrong(results, expected) {
  return results.map((r, i) => ({ ...r, expected: expected(i) }))
    .filter((r) => r.frame !== r.expected || r.drawn !== r.expected || !r.settled);
}

for (const name of Object.keys(CLIPS)) {
  test(`${name}: every frame is reached by seekFrame and by stepping, and \`frame\` is the number in the picture`, async (t) => {
    const truth = await probe(name);
    const page = await load(t, name);
    const { count, times } = await page.evaluate(() => document.querySelector('avseg-editor').frames);
    assert.equal(count, truth.length, 'as many frames as ffprobe reads');
    for (let i = 0; i < count; i++) assert.ok(Math.abs(times[i] - truth[i]) < 1e-9, `frame ${i} starts at ffprobe's ${truth[i]}, not ${times[i]}`);
    if (name === 'vfr.mp4') {
      const durations = new Set(truth.slice(1).map((s, i) => Math.round((s - truth[i]) * 1e6)));
      assert.ok(durations.size >= 3, `uneven frame durations: ${[...durations]} µs`);
    }

    // Every frame by seekFrame, in an order that jumps forwards and backwards across key frames.
    const stride = [7, 11, 13].find((p) => count % p !== 0);   // a prime not dividing count visits every frame
    const order = Array.from({ length: count }, (_, i) => (i * stride) % count);
    const seeks = await act(page, order.map((n) => ['seek', n]));
    assert.deepEqual(wrong(seeks, (i) => order[i]), [], 'seekFrame(n) shows and reports frame n');

    // Stepping through the whole clip, one frame each time, then back.
    await act(page, [['seek', 0]]);
    const forward = await act(page, Array.from({ length: count - 1 }, () => ['step', 1]));
    assert.deepEqual(wrong(forward, (i) => i + 1), [], 'stepFrame(1) advances exactly one frame');
    const back = await act(page, Array.from({ length: 10 }, () => ['step', -1]));
    assert.deepEqual(wrong(back, (i) => count - 2 - i), [], 'stepFrame(-1) goes back exactly one frame');

    // Past the last frame: the last one.
    const [end] = await act(page, [['seek', count + 3]]);
    assert.deepEqual([end.frame, end.drawn], [count - 1, count - 1], `the last frame, at ${end.time} s`);
    assert.ok(end.time > times[count - 1] && end.time < times[count], `inside the last frame: ${end.time} s`);

    // Steps asked for faster than frames are drawn each count one frame.
    await act(page, [['seek', 0]]);
    const rapid = await page.evaluate(() => new Promise((resolve) => {
      const el = document.querySelector('avseg-editor');
      for (let i = 0; i < 5; i++) el.stepFrame(1);
      const timer = setTimeout(() => resolve(el.frame), 10000);
      el.addEventListener('framechange', () => { if (el.frame === 5) { clearTimeout(timer); resolve(5); } });
    }));
    assert.equal(rapid, 5, 'five quick steps from frame 0');
    assert.equal((await act(page, [['look']]))[0].drawn, 5);

    // A segment on frame boundaries, stored in 48 kHz samples, says which frames it covers.
    const segments = await page.evaluate(() => {
      const el = document.querySelector('avseg-editor');
      const track = el.addTrack('Dog', 'Dog #1');
      const wrongFrames = [];
      for (let i = 0; i + 3 <= el.frames.count; i += 3) {
        const id = el.addSegment(track, el.frames.times[i], el.frames.times[i + 3]);
        const seg = el.value.segments.find((s) => s.id === id);
        if (seg.startFrame !== i || seg.endFrame !== i + 3) wrongFrames.push({ frames: [i, i + 3], got: [seg.startFrame, seg.endFrame], start: seg.startTime, end: seg.endTime });
      }
      return { wrongFrames, rate: el.value.timebase.rate };
    });
    assert.equal(segments.rate, 48000);
    assert.deepEqual(segments.wrongFrames, [], '[startFrame, endFrame) of each segment');
  });
}

test('the filmstrip of a variable-rate MP4 shows each slot\'s own frame', async (t) => {
  const page = await load(t, 'vfr.mp4');
  // Frames 12 to 17 (1/60, 1/30 and 1/24 s long), many thumbnails within each.
  await page.evaluate(() => {
    const { times } = document.querySelector('avseg-editor').frames;
    document.querySelector('avseg-editor').zoomTo(times[12], times[18]);
  });
  const read = () => page.evaluate((bits) => {
    const el = document.querySelector('avseg-editor');
    const canvas = el.shadowRoot.querySelector('.filmstrip');
    const thumb = Math.max(16, Math.round(canvas.height * (160 / 90)));
    const { start, end } = el.view;
    const row = canvas.getContext('2d').getImageData(0, Math.floor(canvas.height / 2), canvas.width, 1).data;
    const slots = [];
    for (let x = 0; x + thumb <= canvas.width; x += thumb) {
      let n = 0;
      for (let b = 0; b < bits; b++) if (row[Math.floor(x + ((b + 0.5) * thumb) / bits) * 4 + 1] > 128) n |= 1 << b;
      slots.push({ expected: el.frameAt(start + ((x + thumb / 2) / canvas.width) * (end - start)), shown: n });
    }
    return slots;
  }, BITS);
  let slots = [];
  for (const deadline = Date.now() + 15000; Date.now() < deadline; await page.waitForTimeout(200)) {
    slots = await read();
    if (slots.length && slots.every((s) => s.shown === s.expected)) break;
  }
  assert.ok(new Set(slots.map((s) => s.expected)).size >= 5, JSON.stringify(slots));
  assert.deepEqual(slots.map((s) => s.shown), slots.map((s) => s.expected));
});
