// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TOLERANCE, boundaryFrom, frameShownAt, frameTolerance, seekTarget } from '../../web/src/frame-clock.js';

/** Frame times as the element computes them: ticks of a time base, then the end. */
function index(ticks, num, den) {
  return Float64Array.from(ticks, (t) => (t * num) / den);
}
const cfr = (count, ticksPerFrame, den, start = 0) => index(Array.from({ length: count + 1 }, (_, i) => start + i * ticksPerFrame), 1, den);
// Chromium's mediaTime: the frame's timestamp in whole microseconds.
const micro = (t) => Math.round(t * 1e6) / 1e6;

const RATES = {
  '24 fps (1/12288)': cfr(96, 512, 12288),
  '25 fps (1/1000)': cfr(100, 40, 1000),
  '30 fps (1/15360)': cfr(120, 512, 15360),
  '30000/1001 fps (1/30000)': cfr(120, 1001, 30000),
  '60 fps (1/15360)': cfr(240, 256, 15360),
  '30 fps from 1.5 s (1/90000)': cfr(90, 3000, 90000, 135000),
  // 1/60, 1/30 and 1/24 s in turn.
  'variable (1/90000)': index(Array.from({ length: 91 }, (_, i) => Math.floor(i / 3) * 8250 + (i % 3 >= 1) * 1500 + (i % 3 >= 2) * 3000), 1, 90000),
};

test('a frame\'s time rounded to the microsecond is that frame, at every rate', () => {
  for (const [name, times] of Object.entries(RATES)) {
    const tol = frameTolerance(times);
    for (let i = 0; i < times.length - 1; i++) {
      assert.equal(frameShownAt(times, micro(times[i]), tol), i, `${name}: frame ${i} at ${micro(times[i])}`);
      assert.equal(frameShownAt(times, (times[i] + times[i + 1]) / 2, tol), i, `${name}: the middle of frame ${i}`);
      // Just before the next frame, by more than the tolerance, is still this one.
      assert.equal(frameShownAt(times, times[i + 1] - 2 * tol, tol), i, `${name}: the end of frame ${i}`);
    }
  }
});

test('the tolerance is at most 0.5 ms and a quarter of the shortest frame', () => {
  assert.equal(frameTolerance(RATES['24 fps (1/12288)']), MAX_TOLERANCE);
  assert.equal(frameTolerance(RATES['60 fps (1/15360)']), MAX_TOLERANCE);
  const near = (a, b, what) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a}, not ${b}`);
  near(frameTolerance(cfr(10, 1, 1000)), 0.25e-3, '1000 fps');
  near(frameTolerance(Float64Array.of(0, 0.04, 0.0408, 0.08)), 0.0008 / 4, 'a 0.8 ms frame');
  assert.equal(frameTolerance(Float64Array.of(0)), MAX_TOLERANCE, 'no frames');
});

test('before the first frame, or without frames, nothing is shown; after the end, the last frame', () => {
  const times = RATES['30 fps from 1.5 s (1/90000)'];
  const tol = frameTolerance(times);
  assert.equal(frameShownAt(times, 1.4, tol), -1);
  assert.equal(frameShownAt(times, 1.5 - 1e-6, tol), 0, 'rounded below the first start');
  assert.equal(frameShownAt(times, NaN, tol), -1);
  assert.equal(frameShownAt(times, 99, tol), 89);
  assert.equal(frameShownAt(Float64Array.of(0), 0, tol), -1);
});

test('a boundary stored as whole audio samples is found again, at every rate', () => {
  for (const [name, times] of Object.entries(RATES)) {
    const tol = frameTolerance(times);
    for (let i = 0; i < times.length; i++) {
      // 29.97 fps boundaries fall between samples at 48 kHz (1001/30000 s = 1601.6 samples).
      const stored = Math.round(times[i] * 48000) / 48000;
      assert.equal(boundaryFrom(times, stored, tol), i, `${name}: boundary ${i} stored at ${stored}`);
    }
    assert.equal(boundaryFrom(times, (times[3] + times[4]) / 2, tol), 4, `${name}: inside frame 3, the next boundary`);
    assert.equal(boundaryFrom(times, times[0] - 1, tol), 0);
  }
});

test('the seek target of a frame is just after its start, clamped to the first and last frames', () => {
  for (const [name, times] of Object.entries(RATES)) {
    const tol = frameTolerance(times);
    const count = times.length - 1;
    for (let n = 0; n < count; n++) {
      const { frame, time } = seekTarget(times, n);
      assert.equal(frame, n);
      assert.ok(Math.abs(time - times[n] - tol) < 1e-12, `${name}: frame ${n} at ${time}, ${tol} s after its start`);
      assert.ok(micro(time) > times[n] && micro(time) < times[n + 1], `${name}: frame ${n} at ${time}, rounded to µs, is inside it`);
      assert.equal(frameShownAt(times, micro(time), tol), n);
    }
    assert.equal(seekTarget(times, count + 5).frame, count - 1, `${name}: past the end`);
    assert.equal(seekTarget(times, -3).frame, 0);
    assert.equal(seekTarget(times, 2.4).frame, 2);
  }
  assert.equal(seekTarget(Float64Array.of(0), 0), null);
  assert.equal(seekTarget(Float64Array.of(0, 0.0002), 0, 0.001).time, 0.0001, 'a frame shorter than twice the tolerance given: its middle');
});
