// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameAt, mediaPositions, nextFrameBoundary, timelineRate, toFrameBoundary, videoIndex, withFrames } from '../../web/src/time-base.js';

// 25 fps in a 1/1000 time base, four frames: 0, 40, 80, 120 ms, ending at 160 ms.
const video = videoIndex({
  frames: [0, 40, 80, 120, 160], keyFrames: [0],
  video: { timeBaseNum: 1, timeBaseDen: 1000, width: 64, height: 48, codec: 'h264' },
});

test('the frame index has each frame start in seconds, the count and a tolerance', () => {
  assert.deepEqual([...video.times], [0, 0.04, 0.08, 0.12, 0.16]);
  assert.equal(video.count, 4);
  assert.equal(video.tolerance, 0.5e-3);
  assert.equal(video.codec, 'h264');
});

test('the timeline counts audio samples, else a silent video\'s time base ticks, else milliseconds', () => {
  assert.equal(timelineRate(48000, video), 48000);
  assert.equal(timelineRate(0, video), 1000);
  assert.equal(timelineRate(0, { ...video, timeBaseNum: 1001, timeBaseDen: 30000 }), 30000 / 1001);
  assert.equal(timelineRate(0, null), 1000);
  assert.equal(mediaPositions(1.25, 48000), 60000);
  assert.equal(mediaPositions(0.16, 1000), 160);
});

test('a time is in the frame shown then; a time a rounding short of a start is that frame', () => {
  assert.equal(frameAt(null, 0.05), -1);
  assert.equal(frameAt(video, 0), 0);
  assert.equal(frameAt(video, 0.079999), 2);
  assert.equal(frameAt(video, 0.079), 1);
  assert.equal(frameAt(video, 0.159), 3);
});

test('times move to the nearest frame boundary for a video, and stay for audio', () => {
  assert.equal(toFrameBoundary(null, 0.0123), 0.0123);
  assert.equal(toFrameBoundary(video, 0.0123), 0);
  assert.equal(toFrameBoundary(video, 0.021), 0.04);
  assert.equal(toFrameBoundary(video, 0.02), 0, 'halfway goes to the earlier boundary');
  assert.equal(toFrameBoundary(video, -1), 0);
});

test('the next frame boundary from a position, either way, stops at the ends', () => {
  const rate = 48000;
  assert.equal(nextFrameBoundary(video, 0.04 * rate, rate, 1), 0.08 * rate);
  assert.equal(nextFrameBoundary(video, 0.04 * rate, rate, -1), 0);
  // From inside a frame, back goes to its own start.
  assert.equal(nextFrameBoundary(video, 0.05 * rate, rate, -1), 0.04 * rate);
  assert.equal(nextFrameBoundary(video, 0.05 * rate, rate, 1), 0.08 * rate);
  assert.equal(nextFrameBoundary(video, 0, rate, -1), 0);
  assert.equal(nextFrameBoundary(video, 0.16 * rate, rate, 1), 0.16 * rate);
});

test('a video document says the frames each segment covers; audio documents are left alone', () => {
  const doc = { segments: [{ startTime: 0.04, endTime: 0.1 }, { startTime: 0.0399999, endTime: 0.16 }] };
  assert.deepEqual(withFrames(structuredClone(doc), video).segments.map((s) => [s.startFrame, s.endFrame]), [[1, 3], [1, 4]]);
  assert.deepEqual(withFrames(structuredClone(doc), null), doc);
  assert.equal(withFrames(null, video), null);
});
