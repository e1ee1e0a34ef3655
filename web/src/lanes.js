// SPDX-License-Identifier: MIT
// Draws the track lanes under the waveform: one row per track, the segments visible in the
// view as boxes. Only what is on screen is drawn, so thousands of segments cost nothing off screen.

export const LANE_HEIGHT = 28;

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {{tracks: {id: string, category: string, tag: string}[], spans: Float64Array,
 *          selectedIndex: number, selectedRows: Set<number>, view: {start: number, end: number},
 *          rate: number, dpr: number, preview?: {row: number, start: number, end: number, index?: number} | null}} state
 * spans holds [start, end, row] per segment (frames); selectedIndex is the selected one's index
 * in it (-1: none on screen); preview.index is the dragged one's (drawn where the drag puts it).
 */
export function drawLanes(ctx, { tracks, spans, selectedIndex, selectedRows, view, rate, dpr, preview = null }) {
  const { width, height } = ctx.canvas;
  const lane = LANE_HEIGHT * dpr;
  ctx.clearRect(0, 0, width, height);
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  tracks.forEach((track, i) => {
    ctx.fillStyle = selectedRows.has(i) ? '#e6eef8' : i % 2 ? '#f4f6f9' : '#fbfcfd';
    ctx.fillRect(0, i * lane, width, lane);
    if (selectedRows.has(i)) {
      ctx.fillStyle = '#2f6fb3';
      ctx.fillRect(0, i * lane, 3 * dpr, lane);
    }
  });
  const framesPerPx = ((view.end - view.start) * rate) / width;
  const startFrame = view.start * rate;
  const box = (start, end, row, isSelected) => {
    if (row < 0) return;
    const x0 = (start - startFrame) / framesPerPx;
    const x1 = (end - startFrame) / framesPerPx;
    const y = row * lane + 3 * dpr;
    const h = lane - 6 * dpr;
    ctx.fillStyle = isSelected ? 'rgba(217,72,15,0.30)' : 'rgba(47,111,179,0.25)';
    ctx.fillRect(x0, y, Math.max(x1 - x0, 1), h);
    ctx.strokeStyle = isSelected ? '#d9480f' : '#2f6fb3';
    // Selection is shown by a thicker, dashed outline too, not by colour alone.
    ctx.lineWidth = (isSelected ? 2.5 : 1) * dpr;
    ctx.setLineDash(isSelected ? [4 * dpr, 2 * dpr] : []);
    ctx.strokeRect(x0, y, Math.max(x1 - x0, 1), h);
  };
  const dragged = preview?.index ?? -1;
  for (let i = 0; i * 3 < spans.length; i++) {
    if (i !== dragged && i !== selectedIndex) box(spans[i * 3], spans[i * 3 + 1], spans[i * 3 + 2], false);
  }
  // The selected segment last, on top of its neighbours.
  if (selectedIndex >= 0 && selectedIndex !== dragged) box(spans[selectedIndex * 3], spans[selectedIndex * 3 + 1], spans[selectedIndex * 3 + 2], true);
  if (preview) box(preview.start, preview.end, preview.row, dragged < 0 || dragged === selectedIndex);
  ctx.setLineDash([]);
  ctx.fillStyle = '#1d2633';
  tracks.forEach((track, i) => {
    // fillText draws the label as text: config strings are never parsed as markup.
    ctx.fillText(`${selectedRows.has(i) ? '▸ ' : ''}${track.category}: ${track.tag}`, 6 * dpr, i * lane + lane / 2);
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
