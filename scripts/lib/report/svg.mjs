// SPDX-License-Identifier: MIT
// The report's plots as inline SVG strings: a dot-and-whisker plot, a heat map and a bar chart.
// Each is an accessible image (role="img", a <title> and a <desc>) with its axis labelled; every
// piece of text goes through esc(), so a hostile system name stays text.

export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const CHAR = 6.6; // px per character of the 12px sans-serif labels, for the label column's width
const ROW = 26;
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
export const short = (s, max = 28) => (String(s).length > max ? `${String(s).slice(0, max - 1)}\u2026` : String(s));

let ids = 0;
const frame = (width, height, title, desc, body) => {
  const id = `plot-${++ids}`;
  return `<svg class="plot" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d">`
    + `<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>${body}</svg>`;
};

/** Tick values over [lo, hi], about `count` of them, at round steps. */
function ticks(lo, hi, count = 5) {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function axis(x, lo, hi, top, bottom, label, width) {
  const parts = ticks(lo, hi).map((v) => `<line class="grid" x1="${x(v)}" x2="${x(v)}" y1="${top}" y2="${bottom}"/><text class="tick" x="${x(v)}" y="${bottom + 14}" text-anchor="middle">${esc(+v.toFixed(3))}</text>`);
  return `${parts.join('')}<text class="axis-label" x="${(x(lo) + x(hi)) / 2}" y="${bottom + 32}" text-anchor="middle">${esc(label)}</text>`
    + `<line class="axis" x1="${x(lo)}" x2="${Math.min(x(hi), width)}" y1="${bottom}" y2="${bottom}"/>`;
}

/**
 * Horizontal dot-and-whisker plot.
 * @param {{label: string, full?: string, value: number, lo?: number, hi?: number}[]} rows (label shortened to fit, full in the tooltip)
 * @param {{title: string, desc: string, axisLabel: string, domain?: [number, number], reference?: number}} o
 */
export function dotWhisker(rows, { title, desc, axisLabel, domain, reference }) {
  const vals = rows.flatMap((r) => [r.value, r.lo, r.hi]).filter(Number.isFinite);
  let [lo, hi] = domain ?? [Math.min(...vals, reference ?? Infinity), Math.max(...vals, reference ?? -Infinity)];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (!domain) {
    const pad = (hi - lo || 1) * 0.08;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const left = Math.min(220, 16 + CHAR * Math.max(4, ...rows.map((r) => short(r.label).length)));
  const width = left + 420;
  const top = 10;
  const bottom = top + rows.length * ROW + 6;
  // Clamped to the plot: a whisker running past a fixed domain ends without its cap.
  const x = (v) => +(left + ((Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo || 1)) * (width - left - 20)).toFixed(1);
  const cap = (v, y) => (v >= lo && v <= hi ? `<line class="whisker" x1="${x(v)}" x2="${x(v)}" y1="${y - 5}" y2="${y + 5}"/>` : '');
  const body = rows.map((r, i) => {
    const y = top + i * ROW + ROW / 2;
    const whisker = Number.isFinite(r.lo) && Number.isFinite(r.hi) ? `<line class="whisker" x1="${x(r.lo)}" x2="${x(r.hi)}" y1="${y}" y2="${y}"/>${cap(r.lo, y)}${cap(r.hi, y)}` : '';
    const dot = Number.isFinite(r.value) ? `<circle class="dot" cx="${x(r.value)}" cy="${y}" r="4.5"/>` : '';
    const ci = Number.isFinite(r.lo) && Number.isFinite(r.hi) ? ` (95% CI ${fmt(r.lo)} to ${fmt(r.hi)})` : '';
    return `<g class="row"><title>${esc(`\u2068${r.full ?? r.label}\u2069: ${fmt(r.value)}${ci}`)}</title><text class="label" x="${left - 8}" y="${y + 4}" text-anchor="end">${esc(short(r.label))}</text>${whisker}${dot}</g>`;
  }).join('');
  const ref = Number.isFinite(reference) ? `<line class="reference" x1="${x(reference)}" x2="${x(reference)}" y1="${top}" y2="${bottom}"/>` : '';
  return frame(width, bottom + 40, title, desc, axis(x, lo, hi, top, bottom, axisLabel, width) + ref + body);
}

/**
 * Horizontal bars from a baseline (0, or `reference`).
 * @param {{label: string, value: number|null}[]} rows
 */
export function bars(rows, { title, desc, axisLabel, domain, reference }) {
  const [lo, hi] = domain;
  const left = Math.min(260, 16 + CHAR * Math.max(4, ...rows.map((r) => short(r.label, 34).length)));
  const width = left + 400;
  const top = 10;
  const bottom = top + rows.length * ROW + 6;
  const x = (v) => +(left + ((Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo)) * (width - left - 20)).toFixed(1);
  const base = reference ?? Math.max(lo, Math.min(hi, 0));
  const body = rows.map((r, i) => {
    const y = top + i * ROW + 4;
    const bar = Number.isFinite(r.value)
      ? `<rect class="${r.value >= base ? 'bar' : 'bar negative'}" x="${Math.min(x(base), x(r.value))}" y="${y}" width="${Math.max(1, Math.abs(x(r.value) - x(base)))}" height="${ROW - 8}"/>`
      : `<text class="na" x="${x(base) + 4}" y="${y + 13}">n/a</text>`;
    return `<g class="row"><title>${esc(`${r.label}: ${fmt(r.value, 3)}`)}</title><text class="label" x="${left - 8}" y="${y + 13}" text-anchor="end">${esc(short(r.label, 34))}</text>${bar}</g>`;
  }).join('');
  const ref = `<line class="reference" x1="${x(base)}" x2="${x(base)}" y1="${top}" y2="${bottom}"/>`;
  return frame(width, bottom + 40, title, desc, axis(x, lo, hi, top, bottom, axisLabel, width) + body + ref);
}

/** Blue for 1, white for 0.5, red for 0: the fill of a win-rate cell. */
export function heat(rate) {
  if (!Number.isFinite(rate)) return '#eeeeee';
  const t = Math.max(0, Math.min(1, rate));
  const [from, to, k] = t >= 0.5 ? [[255, 255, 255], [33, 102, 172], (t - 0.5) * 2] : [[255, 255, 255], [178, 24, 43], (0.5 - t) * 2];
  return `#${from.map((c, i) => Math.round(c + (to[i] - c) * k).toString(16).padStart(2, '0')).join('')}`;
}

/** Win-rate heat map: the row system's share of wins against the column system. */
export function heatMap(systems, rate, n, { title, desc }) {
  const cell = 54;
  const left = Math.min(220, 16 + CHAR * Math.max(4, ...systems.map((s) => short(s).length)));
  // Column names run up and right at 45 degrees: room above and to the right for their length.
  const slant = Math.ceil(0.72 * CHAR * Math.max(4, ...systems.map((s) => short(s, 20).length)));
  const top = 16 + slant;
  const width = left + cell * systems.length + slant + 10;
  const height = top + cell * systems.length + 10;
  const head = systems.map((s, j) => {
    const cx = left + j * cell + cell / 2;
    return `<text class="label" transform="translate(${cx + 4} ${top - 6}) rotate(-45)">${esc(short(s, 20))}<title>${esc(s)}</title></text>`;
  }).join('');
  const body = systems.map((a, i) => `<text class="label" x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(short(a))}<title>${esc(a)}</title></text>`
    + systems.map((b, j) => {
      const r = rate[i][j];
      const tip = i === j ? `${a} against itself` : `${a} against ${b}: ${Number.isFinite(r) ? `${(100 * r).toFixed(0)}% of ${n[i][j]}` : 'never compared'}`;
      return `<g class="cell"><title>${esc(tip)}</title><rect x="${left + j * cell}" y="${top + i * cell}" width="${cell - 2}" height="${cell - 2}" fill="${i === j ? '#dddddd' : heat(r)}"/>`
        + `<text class="cell-text" x="${left + j * cell + cell / 2 - 1}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle">${i === j ? '\u2013' : Number.isFinite(r) ? `${(100 * r).toFixed(0)}%` : 'n/a'}</text></g>`;
    }).join('')).join('');
  return frame(width, height, title, desc, head + body);
}
