// SPDX-License-Identifier: MIT
// The annotation time base: seconds, timeline positions (audio samples, or a silent video's time
// base ticks) and video frames, converted one into another. Pure; tested in Node.
import { boundaryFrom, frameShownAt, frameTolerance } from './frame-clock.js';

/**
 * A video's frame index.
 * @typedef {object} VideoIndex
 * @property {Float64Array} times  each frame's start (seconds), then the last frame's end
 * @property {ArrayLike<number>} ticks  the same in the stream's time base
 * @property {ArrayLike<number>} keyFrames
 * @property {number} count  frames
 * @property {number} tolerance  how far a reported time may be off a frame's start (frame-clock.js)
 * @property {number} timeBaseNum
 * @property {number} timeBaseDen
 * @property {number} width
 * @property {number} height
 * @property {string} codec
 */

/** The index from the worker's `frames` message: frame starts in time base ticks, then the end. */
export function videoIndex({ frames, keyFrames, video }) {
  const times = new Float64Array(frames.length);
  for (let i = 0; i < frames.length; i++) times[i] = (frames[i] * video.timeBaseNum) / video.timeBaseDen;
  return { ...video, ticks: frames, times, keyFrames, count: frames.length - 1, tolerance: frameTolerance(times) };
}

/** Positions per second of the timeline: the audio's sample rate, or for a video without sound
 * its time base, so frame boundaries stay whole numbers; 1000 before either is known. */
export function timelineRate(sampleRate, video) {
  return sampleRate || (video ? video.timeBaseDen / video.timeBaseNum : 1000);
}

/** The media's length in timeline positions. */
export function mediaPositions(duration, rate) {
  return Math.round(duration * rate);
}

/** The index of the frame shown at `t` seconds, or -1 (no video, or before its first frame). */
export function frameAt(video, t) {
  return video ? frameShownAt(video.times, Number(t), video.tolerance) : -1;
}

/** A time moved to the nearest frame boundary of a video (segments are frame-exact); audio: unchanged. */
export function toFrameBoundary(video, t) {
  const times = video?.times;
  if (!times) return t;
  const i = frameAt(video, t);
  if (i < 0) return times[0];
  return t - times[i] <= times[i + 1] - t ? times[i] : times[i + 1];
}

/** The frame boundary after (direction 1) or before (-1) a timeline position, as a position. */
export function nextFrameBoundary(video, position, rate, direction) {
  const times = video.times;
  const i = frameAt(video, position / rate);
  const boundary = Math.min(Math.max(direction < 0 && times[i] * rate < position - 0.5 ? i : i + direction, 0), video.count);
  return Math.round(times[boundary] * rate);
}

/** Adds [startFrame, endFrame) (0-based) to a video's segments in a document; audio: unchanged. */
export function withFrames(doc, video) {
  if (!video || !doc?.segments) return doc;
  const first = (t) => boundaryFrom(video.times, t, video.tolerance);
  for (const seg of doc.segments) {
    seg.startFrame = first(seg.startTime);
    seg.endFrame = Math.min(first(seg.endTime), video.count);
  }
  return doc;
}
