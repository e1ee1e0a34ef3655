// SPDX-License-Identifier: MIT
// Draws the track lanes under the waveform: one row per track, the segments visible in the
// view as boxes. Only what is on screen is drawn, so thousands of segments cost nothing off screen.

export const LANE_HEIGHT = 28;

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {{tracks: {id: string, category: string, tag: string}[], spans: Float64Array,
 *          spanIds: string[], selected: string|null, view: {start: number, end: number},
 *          rate: number, dpr: number, preview?: {row: number, start: number, end: number, id?: string} | null}} state
 */
export function drawLanes(ctx, { tracks, spans, spanIds, selected, view, rate, dpr, preview = null }) {
  const { width, height } = ctx.canvas;
  const lane = LANE_HEIGHT * dpr;
  ctx.clearRect(0, 0, width, height);
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  tracks.forEach((track, i) => {
    ctx.fillStyle = i % 2 ? '#f4f6f9' : '#fbfcfd';
    ctx.fillRect(0, i * lane, width, lane);
  });
  const framesPerPx = ((view.end - view.start) * rate) / width;
  const startFrame = view.start * rate;
  const boxes = [];
  for (let i = 0; i * 3 < spans.length; i++) {
    // A segment being dragged is drawn where the drag would put it.
    if (preview?.id && spanIds[i] === preview.id) continue;
    boxes.push([spans[i * 3], spans[i * 3 + 1], spans[i * 3 + 2], spanIds[i]]);
  }
  if (preview) boxes.push([preview.start, preview.end, preview.row, preview.id ?? selected]);
  for (const [start, end, row, id] of boxes) {
    if (row < 0) continue;
    const x0 = (start - startFrame) / framesPerPx;
    const x1 = (end - startFrame) / framesPerPx;
    const y = row * lane + 3 * dpr;
    const h = lane - 6 * dpr;
    const isSelected = id === selected;
    ctx.fillStyle = isSelected ? 'rgba(217,72,15,0.30)' : 'rgba(47,111,179,0.25)';
    ctx.fillRect(x0, y, Math.max(x1 - x0, 1), h);
    ctx.strokeStyle = isSelected ? '#d9480f' : '#2f6fb3';
    // Selection is shown by a thicker, dashed outline too, not by colour alone.
    ctx.lineWidth = (isSelected ? 2.5 : 1) * dpr;
    ctx.setLineDash(isSelected ? [4 * dpr, 2 * dpr] : []);
    ctx.strokeRect(x0, y, Math.max(x1 - x0, 1), h);
  }
  ctx.setLineDash([]);
  ctx.fillStyle = '#1d2633';
  tracks.forEach((track, i) => {
    // fillText draws the label as text: config strings are never parsed as markup.
    ctx.fillText(`${track.category}: ${track.tag}`, 6 * dpr, i * lane + lane / 2);
  });
}

/** The track row under a y offset (CSS px) in the lanes canvas, or -1. */
export function rowAt(y, trackCount) {
  const row = Math.floor(y / LANE_HEIGHT);
  return row >= 0 && row < trackCount ? row : -1;
}

/** Snaps frame f to the nearest target within maxFrames, else returns f. */
export function snap(f, targets, maxFrames) {
  let best = f;
  let distance = maxFrames;
  for (const t of targets) {
    const d = Math.abs(t - f);
    if (d <= distance) {
      best = t;
      distance = d;
    }
  }
  return best;
}
