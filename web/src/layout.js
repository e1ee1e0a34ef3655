// SPDX-License-Identifier: MIT
// Pure view and ruler math for <avseg-editor>: no DOM, tested on its own.

/** Fewest device pixels a single sample may span at the deepest zoom. */
export const MAX_PIXELS_PER_SAMPLE = 64;

/** The narrowest span (s) the view may show at this width. */
export function minSpan(widthPx, sampleRate) {
  if (!(sampleRate > 0) || !(widthPx > 0)) return 1e-3;
  return widthPx / MAX_PIXELS_PER_SAMPLE / sampleRate;
}

/** Keeps a view inside [0, duration] and at least minimum wide, preserving its centre where it can. */
export function clampView(view, duration, minimum) {
  const full = Math.max(duration, minimum);
  const wanted = view.end - view.start;
  let span = Number.isFinite(wanted) ? Math.min(Math.max(wanted, minimum), full) : full;
  let start = view.start;
  if (!Number.isFinite(start)) start = 0;
  if (start + span > full) start = full - span;
  if (start < 0) start = 0;
  return { start, end: start + span };
}

/** Zooms by factor (>1 zooms in) keeping the time under `anchor` fixed on screen. */
export function zoomAround(view, factor, anchor, duration, minimum) {
  const span = view.end - view.start;
  const next = span / factor;
  const ratio = span > 0 ? (anchor - view.start) / span : 0.5;
  return clampView({ start: anchor - ratio * next, end: anchor - ratio * next + next }, duration, minimum);
}

export function scrollView(view, seconds, duration, minimum) {
  return clampView({ start: view.start + seconds, end: view.end + seconds }, duration, minimum);
}

export function timeToX(t, view, widthPx) {
  return ((t - view.start) / (view.end - view.start)) * widthPx;
}

export function xToTime(x, view, widthPx) {
  return view.start + (x / widthPx) * (view.end - view.start);
}

const STEPS = [
  1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 18000, 36000,
];

/** Ruler ticks: the smallest step that keeps labels at least minLabelPx apart; minor ticks at a fifth of it. */
export function rulerTicks(view, widthPx, minLabelPx = 90) {
  const span = view.end - view.start;
  if (!(span > 0) || !(widthPx > 0)) return { step: 0, ticks: [] };
  const perPx = span / widthPx;
  const step = STEPS.find((s) => s / perPx >= minLabelPx) ?? STEPS[STEPS.length - 1];
  const minor = step / 5;
  const ticks = [];
  const first = Math.ceil(view.start / minor - 1e-9);
  for (let i = first; i * minor <= view.end + 1e-12 && ticks.length < 2000; i++) {
    const t = i * minor;
    const major = Math.abs(t / step - Math.round(t / step)) < 1e-6;
    ticks.push({ t, x: timeToX(t, view, widthPx), major, label: major ? formatTime(t, decimalsFor(step)) : '' });
  }
  return { step, ticks };
}

export function decimalsFor(step) {
  if (step >= 1) return 0;
  return Math.min(5, Math.ceil(-Math.log10(step) - 1e-9));
}

/** h:mm:ss.fff (hours only when needed); never rounds up past the true value's displayed precision. */
export function formatTime(seconds, decimals = 3) {
  const sign = seconds < 0 ? '-' : '';
  const scale = 10 ** decimals;
  const total = Math.floor(Math.abs(seconds) * scale + 1e-6);
  const frac = total % scale;
  const whole = Math.floor(total / scale);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const ss = String(s).padStart(2, '0');
  const fracText = decimals > 0 ? '.' + String(frac).padStart(decimals, '0') : '';
  return h > 0
    ? `${sign}${h}:${String(m).padStart(2, '0')}:${ss}${fracText}`
    : `${sign}${m}:${ss}${fracText}`;
}

/** Scrollbar thumb geometry for a view within the whole duration. */
export function thumb(view, duration, trackPx, minThumbPx = 16) {
  if (!(duration > 0)) return { left: 0, width: trackPx };
  const width = Math.max(minThumbPx, (trackPx * (view.end - view.start)) / duration);
  const travel = trackPx - width;
  const maxStart = duration - (view.end - view.start);
  const left = maxStart > 0 ? (travel * view.start) / maxStart : 0;
  return { left, width };
}

/** Parses h:mm:ss.fff, m:ss.fff or plain seconds; NaN when it isn't a time. */
export function parseTime(text) {
  const m = /^\s*(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?)\s*$/.exec(String(text));
  if (!m) return NaN;
  const parts = [m[1], m[2], m[3]].filter((p) => p !== undefined);
  let seconds = 0;
  for (const p of parts) seconds = seconds * 60 + Number(p);
  if (parts.length > 1 && Number(parts.at(-1)) >= 60) return NaN;
  return seconds;
}
