// SPDX-License-Identifier: MIT
// Pure frame-time math over a video's frame index (`times`: each frame's start in seconds, then
// the last frame's end). Browsers report a frame's time rounded (Chromium's `mediaTime` to the
// microsecond, so 1/30 s arrives as 0.033333), and annotation positions are whole samples: a time
// this close to a frame's start is taken to be that start.

/** The most a reported time may be off a frame's start and still be taken for it (seconds). */
export const MAX_TOLERANCE = 0.5e-3;

/** min(0.5 ms, a quarter of the shortest frame): well under half a frame at any rate. */
export function frameTolerance(times) {
  let shortest = Infinity;
  for (let i = 1; i < times.length; i++) {
    const d = times[i] - times[i - 1];
    if (d > 0 && d < shortest) shortest = d;
  }
  return Number.isFinite(shortest) ? Math.min(MAX_TOLERANCE, shortest / 4) : MAX_TOLERANCE;
}

/** The frame shown at `t`: the last one starting at or before it (within `tolerance`); -1 before the first. */
export function frameShownAt(times, t, tolerance) {
  const count = times.length - 1;
  if (count < 1 || !(t + tolerance >= times[0])) return -1;
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid] <= t + tolerance) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The first frame boundary at or after `t` (0 to count; count is the last frame's end). */
export function boundaryFrom(times, t, tolerance) {
  const i = frameShownAt(times, t, tolerance);
  if (i < 0) return 0;
  return t - times[i] <= tolerance ? i : i + 1;
}

/**
 * Where to seek to show frame `n` (clamped to the video's frames): just after its start, by the
 * tolerance, so past any rounding of the start yet early in the frame. Not its middle: Chromium
 * shows a frame only until its packet's duration ends, and an MP4 with B-frames at a variable
 * rate gives packets their decode-order durations, shorter than some frames are on screen.
 */
export function seekTarget(times, n, tolerance = frameTolerance(times)) {
  const count = times.length - 1;
  if (count < 1) return null;
  const frame = Math.min(Math.max(Math.round(Number(n) || 0), 0), count - 1);
  return { frame, time: times[frame] + Math.min(tolerance, (times[frame + 1] - times[frame]) / 2) };
}
