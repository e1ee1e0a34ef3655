// SPDX-License-Identifier: MIT
// Plain-text table and number formatting for the report.

export const mb = (bytes, digits = 1) => `${(bytes / 1e6).toFixed(digits)} MB`;
export const rate = (audioPerSecond) => `${audioPerSecond.toFixed(audioPerSecond < 100 ? 1 : 0)} s/s`;
export const ratio = (x) => `${x.toFixed(2)}x`;
export const ms = (x) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

/** 5025 -> "1:23:45", 12.5 -> "12.5 s", 0.04 -> "40 ms". */
export function clock(seconds) {
  if (seconds < 1) return `${+(seconds * 1000).toPrecision(3)} ms`;
  if (seconds < 60) return `${+seconds.toPrecision(3)} s`;
  const s = Math.round(seconds);
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  return hms[0] ? `${hms[0]}:${String(hms[1]).padStart(2, '0')}:${String(hms[2]).padStart(2, '0')}` : `${hms[1]}:${String(hms[2]).padStart(2, '0')}`;
}

/** Columns separated by two spaces; cells that start with a digit are right-aligned. */
export function formatTable(headers, rows) {
  const all = [headers, ...rows].map((r) => r.map(String));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const numeric = headers.map((_, i) => rows.every((r) => /^[\d.]/.test(String(r[i])) || r[i] === ''));
  const line = (r) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(all[0]), line(widths.map((w) => '-'.repeat(w))), ...all.slice(1).map(line)].map((l) => '   ' + l).join('\n');
}
