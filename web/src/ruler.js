// SPDX-License-Identifier: MIT
// The time ruler above the waveform: ticks and labels for the view (the math is layout.js's).
import { rulerTicks } from './layout.js';

/** Draws the ruler for `view` (seconds) on its canvas; blank while the duration is unknown. */
export function drawRuler(canvas, view, duration) {
  const ctx = canvas.getContext('2d');
  const dpr = window.devicePixelRatio || 1;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!(duration > 0)) return;
  const { ticks } = rulerTicks(view, canvas.width, 90 * dpr);
  ctx.strokeStyle = '#8a96a8';
  ctx.fillStyle = '#4a5566';
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  ctx.beginPath();
  for (const tick of ticks) {
    const x = Math.round(tick.x) + 0.5;
    const len = tick.major ? canvas.height * 0.45 : canvas.height * 0.2;
    ctx.moveTo(x, canvas.height);
    ctx.lineTo(x, canvas.height - len);
    if (tick.major) ctx.fillText(tick.label, x + 3 * dpr, 2 * dpr);
  }
  ctx.stroke();
}
