// SPDX-License-Identifier: MIT
// The browser's motion scan (web/src/motion-scan.js) in headless Chromium: a video made by ffmpeg at
// test time with cuts, a frozen and a skipped frame at known frames (tests/fixtures/make-motion-video.sh)
// is stepped through frame by frame by a hidden <video>, its small grey pictures go to the worker,
// and the worker's MotionAnalyzer finds the cuts and jerks at exactly those frames, as avseg-cli's
// native path (FFmpeg + swscale) does on the same file, with nearly the same motion curve.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { root, startElementPage } from './harness.mjs';

const run = promisify(execFile);
const CUTS = [30, 55, 90, 118];
const JERKS = [138, 169];
// 29.97 fps: frame starts that are not whole microseconds, which Chromium reports rounded.
// One key frame for the whole clip: each seek decodes from it, slower and slower.
const CLIPS = { 'motion-25.mp4': ['25'], 'motion-29.97.mp4': ['30000/1001'], 'motion-25-one-key.mp4': ['25', '-g', '250', '-sc_threshold', '0'] };

let tmp, env;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-motion-scan-'));
  await Promise.all(Object.entries(CLIPS).map(([name, [rate, ...options]]) => run(path.join(root, 'tests/fixtures/make-motion-video.sh'), [rate, path.join(tmp, name), ...options])));
  // Cut short in transfer: the index first (faststart), only the first half of the frames' data.
  const cut = path.join(tmp, 'motion-cut-short.mp4');
  await run(path.join(root, 'tests/fixtures/make-motion-video.sh'), ['25', cut, '-movflags', '+faststart']);
  await truncate(cut, Math.round((await stat(cut)).size / 2));
  env = await startElementPage({ title: 'avseg motion scan', mediaRoot: tmp });
});

after(async () => {
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** In a page: a CoreClient loads `name`; once its frame index is there a MotionScan sends every frame. */
async function scanInPage(t, name, playback, pauseAt = Infinity) {
  const page = await env.open(t, { width: 800, height: 600 });
  return page.evaluate(async ({ assets, media, playback, pauseAt }) => {
    const { CoreClient } = await import(`${assets}/core-client.js`);
    const { MotionScan } = await import(`${assets}/motion-scan.js`);
    const { videoIndex } = await import(`${assets}/time-base.js`);
    let framesMsg, readyMsg, motion;
    const progress = [];
    const done = new Promise((resolve, reject) => {
      const client = new CoreClient((msg) => {
        if (msg.type === 'frames') framesMsg = msg;
        if (msg.type === 'ready') readyMsg = msg;
        if (msg.type === 'error' && msg.fatal) reject(new Error(msg.message));
        if (msg.type === 'analysis' && msg.kind === 'motion' && msg.final) resolve(msg);
        if (msg.type === 'ready' || msg.type === 'frames') {
          if (!framesMsg || !readyMsg) return;
          const { times } = videoIndex(framesMsg);
          const scan = new MotionScan({
            src: media,
            times,
            playback,
            sink: {
              pushMotionFrames: (frames) => client.motionFrames(1, frames),
              finishMotion: () => client.motionFrames(1, { done: true }),
            },
          });
          scan.on('progress', (p) => {
            progress.push(p.done);
            if (p.done >= pauseAt && !window.paused) {
              window.paused = true;
              scan.stop();
              setTimeout(() => scan.start(), 100);
            }
          });
          window.scan = scan;
          scan.on('error', (e) => reject(new Error(e.message)));
          window.scanStarted = performance.now();
          scan.start();
        }
      }, () => {});
      client.load(1, media);
    });
    motion = await done;
    return {
      ms: performance.now() - window.scanStarted,
      frames: motion.frames,
      cuts: motion.cuts,
      jerks: motion.jerks,
      motion: Array.from(motion.motion),
      progress,
      played: window.scan.played,
      paused: Boolean(window.paused),
    };
  }, { assets: env.servers.assets.url('').replace(/\/$/, ''), media: env.servers.media.url(`/${name}`), playback, pauseAt });
}

// 'auto' seeks to every frame of the first two clips (a key frame every 12: quicker than playing
// them) unless the machine is so busy that playing is quicker, and of the one-key clip until its
// seeks get slower than playing (how soon depends on the machine: here, near its end; the frames
// taken while playing are printed); 'always' plays the clip and seeks only to the frames playing skipped.
// The second is stopped after 64 frames and started again.
const RUNS = [['motion-25.mp4', 'auto'], ['motion-29.97.mp4', 'auto', 64], ['motion-25.mp4', 'always'], ['motion-25-one-key.mp4', 'auto']];

for (const [name, playback, pauseAt] of RUNS) {
  test(`${name}, ${playback === 'auto' ? 'seeking while that is quicker' : 'playing'}${pauseAt ? ', stopped and started again' : ''}: the frames the browser shows give the cuts and jerks at exactly their frames, as the native path does`, async (t) => {
    const native = JSON.parse((await run(path.join(root, 'build/avseg-cli'), ['motion', path.join(tmp, name)])).stdout);
    assert.deepEqual(native.cuts, CUTS, 'native cuts');
    const browser = await scanInPage(t, name, playback, pauseAt);
    t.diagnostic(`${browser.frames} frames scanned in ${Math.round(browser.ms)} ms`);
    assert.equal(browser.frames, 218);
    assert.equal(browser.paused, Boolean(pauseAt));
    assert.equal(browser.progress.at(-1), 218);
    assert.deepEqual(browser.cuts, CUTS);
    assert.deepEqual(browser.jerks, JERKS);
    assert.deepEqual(browser.jerks, native.jerks);
    // The two paths draw and scale differently (the browser's RGB and mipmaps, swscale's Y plane
    // and area average), not much.
    const diffs = browser.motion.map((m, i) => Math.abs(m - native.motion[i]));
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    t.diagnostic(`motion curves: mean difference ${mean.toFixed(5)}, largest ${Math.max(...diffs).toFixed(5)}`);
    assert.ok(mean < 0.003, `the motion curves agree (mean difference ${mean})`);
    t.diagnostic(`${browser.played} frames taken while playing`);
    if (playback === 'always') assert.ok(browser.played > 100, `played, not sought (${browser.played} frames taken while playing)`);
  });
}

test('a video that cannot be shown stops the scan with an error naming the frame; nothing is sent', async (t) => {
  const page = await env.open(t, { width: 800, height: 600 });
  const result = await page.evaluate(async ({ assets, media }) => {
    const { MotionScan } = await import(`${assets}/motion-scan.js`);
    const sent = [];
    const scan = new MotionScan({ src: media, times: [0, 0.04, 0.08], sink: { pushMotionFrames: (f) => sent.push(f), finishMotion: () => sent.push('finish') } });
    const errors = [];
    scan.on('error', (e) => errors.push(e));
    return { ok: await scan.start(), errors, sent: sent.length, progress: scan.progress };
  }, { assets: env.servers.assets.url('').replace(/\/$/, ''), media: env.servers.media.url('/missing.mp4') });
  assert.equal(result.ok, false);
  assert.deepEqual(result.errors, [{ frame: 0, message: 'frame 0 of the video could not be shown for the motion scan' }]);
  assert.equal(result.sent, 0);
  assert.deepEqual(result.progress, { done: 0, total: 2 });
});

test('a video cut short: playing into the missing data stops the scan at the same frame as seeking does, within seconds', async (t) => {
  const page = await env.open(t, { width: 800, height: 600 });
  const runs = await page.evaluate(async ({ assets, media }) => {
    const { CoreClient } = await import(`${assets}/core-client.js`);
    const { MotionScan } = await import(`${assets}/motion-scan.js`);
    const { videoIndex } = await import(`${assets}/time-base.js`);
    const { times } = await new Promise((resolve, reject) => {
      const client = new CoreClient((msg) => {
        if (msg.type === 'frames') resolve(videoIndex(msg));
        if (msg.type === 'error' && msg.fatal) reject(new Error(msg.message));
      }, () => {});
      client.load(1, media);
    });
    const out = {};
    for (const playback of ['never', 'always']) {
      const started = performance.now();
      const scan = new MotionScan({ src: media, times, playback, sink: { pushMotionFrames() {}, finishMotion() {} } });
      const errors = [];
      scan.on('error', (e) => errors.push(e));
      const ok = await scan.start();
      out[playback] = { ok, errors, ms: performance.now() - started, played: scan.played, total: times.length - 1 };
      scan.dispose();
    }
    return out;
  }, { assets: env.servers.assets.url('').replace(/\/$/, ''), media: env.servers.media.url('/motion-cut-short.mp4') });
  for (const [mode, r] of Object.entries(runs)) t.diagnostic(`${mode}: ${JSON.stringify(r.errors)} after ${Math.round(r.ms)} ms, ${r.played} frames taken while playing, ${r.total} frames indexed`);
  const frame = runs.never.errors[0]?.frame;
  assert.ok(frame >= 16 && frame < runs.never.total, `seeking stops where the data ends (frame ${frame} of ${runs.never.total})`);
  for (const r of Object.values(runs)) {
    assert.equal(r.ok, false);
    assert.deepEqual(r.errors, [{ frame, message: `frame ${frame} of the video could not be shown for the motion scan` }]);
  }
  assert.ok(runs.always.played > 0, 'the second scan played');
  // A seek after the error met while playing waits for nothing: the video is loaded again.
  assert.ok(runs.always.ms < 5000, `said within seconds (${Math.round(runs.always.ms)} ms)`);
});
