// SPDX-License-Identifier: MIT
// Comparison documents (doc/comparison-format.md) as training and listening-test data: pairwise
// preferences as JSON Lines (prompt, chosen, rejected, strength, each side's segment-level
// reasons), MOS per system and criterion and CMOS per system pair as CSV (pure; scripts/export).
import { csvCell, segmentLabel } from './exports.js';
import { mosTable, tQuantile } from './preference-stats.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const byTime = (a, b) => a.start - b.start || a.end - b.end;

/**
 * A clip's segments as the reasons of a judgement, in time order: the track, the span in seconds
 * and as exact positions at the timebase's rate (a video's frames too), a one-line label (its
 * text, else its answers, else its tag, as exports.js labels segments) and the fields.
 */
export function segmentReasons(annotation, config) {
  if (!isObject(annotation) || !Array.isArray(annotation.segments)) return [];
  const rate = annotation.timebase?.rate;
  const tracks = new Map((annotation.tracks ?? []).map((t) => [t.id, t]));
  return [...annotation.segments].sort(byTime).map((s) => {
    const t = tracks.get(s.track);
    return {
      track: { category: t?.category ?? null, tag: t?.tag ?? null },
      start: rate ? s.start / rate : s.startTime ?? null,
      end: rate ? s.end / rate : s.endTime ?? null,
      startPosition: s.start,
      endPosition: s.end,
      rate: rate ?? null,
      ...(s.startFrame !== undefined ? { startFrame: s.startFrame, endFrame: s.endFrame } : {}),
      label: segmentLabel(s, config, t?.tag ?? ''),
      fields: s.fields ?? {},
    };
  });
}

/**
 * The pairs of one comparison document in manifest order: [{i, j, winner: i|j|null (a tie),
 * strength}] — one for a preference (|cmos|), k(k-1)/2 for a ranking of k (the rank difference).
 * An unanswered judgement gives none.
 */
export function judgedPairs(doc) {
  const j = doc?.judgement;
  if (j?.type === 'preference') {
    if (!Number.isInteger(j.cmos)) return [];
    return [{ i: 0, j: 1, winner: j.cmos > 0 ? 1 : j.cmos < 0 ? 0 : null, strength: Math.abs(j.cmos) }];
  }
  if (j?.type === 'ranking' && Array.isArray(j.ranks)) {
    const pairs = [];
    for (let a = 0; a < j.ranks.length; a++) {
      for (let b = a + 1; b < j.ranks.length; b++) {
        const ra = j.ranks[a];
        const rb = j.ranks[b];
        if (!Number.isInteger(ra) || !Number.isInteger(rb)) continue;
        pairs.push({ i: a, j: b, winner: ra < rb ? a : rb < ra ? b : null, strength: Math.abs(ra - rb) });
      }
    }
    return pairs;
  }
  return [];
}

/**
 * Pairwise preferences of comparison documents ([{doc, worker?}]), the records reward-model
 * training reads. Ties are left out unless `ties`; then they are written with `tie: true`,
 * strength 0, the clips in manifest order.
 */
export function preferencePairs(answers, { ties = false, config } = {}) {
  const out = [];
  for (const { doc, worker } of answers) {
    const side = (m) => ({ system: doc.clips[m].system, source: doc.clips[m].source ?? null });
    const reasons = doc.clips.map((c) => segmentReasons(c.annotation, config));
    for (const p of judgedPairs(doc)) {
      if (p.winner === null && !ties) continue;
      const chosen = p.winner ?? p.i;
      const rejected = chosen === p.i ? p.j : p.i;
      out.push({
        prompt: doc.prompt ?? null,
        chosen: side(chosen),
        rejected: side(rejected),
        strength: p.strength,
        tie: p.winner === null,
        // The host's worker id, as the report counts annotators (in Ground Truth the document's own is a per-browser id).
        annotator: worker ?? doc.annotator ?? null,
        documentAnnotator: doc.annotator ?? null,
        taskId: doc.taskId ?? null,
        reasons: { chosen: reasons[chosen], rejected: reasons[rejected] },
        judgementReason: doc.judgement.reason ?? null,
      });
    }
  }
  return out;
}

/** The preference records as JSON Lines. */
export function toPreferencesJsonl(answers, options) {
  // U+2028/U+2029 are valid raw in JSON, but line splitters (Python's str.splitlines) break a record at them.
  return preferencePairs(answers, options).map((p) => `${JSON.stringify(p).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}\n`).join('');
}

const csv = (rows) => rows.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
const rounded = (v) => (v === null || v === undefined ? null : Math.round(v * 1e6) / 1e6);

/**
 * MOS per system and criterion (P1's mosTable: mean, 95% t interval), as CSV rows
 * `system,criterion,n,mean,ci95_low,ci95_high`; the interval is empty for a single rating.
 * With a config, each criterion's scale is checked.
 */
export function mosRows(answers, { config } = {}) {
  const ratings = [];
  for (const { doc } of answers) {
    for (const clip of doc.clips) {
      for (const [criterion, value] of Object.entries(clip.ratings ?? {})) {
        if (value !== null && value !== undefined) ratings.push({ system: clip.system, criterion, value });
      }
    }
  }
  if (!ratings.length) return [];
  const criteria = config?.comparison?.criteria;
  const scales = Array.isArray(criteria) ? Object.fromEntries(criteria.map((c) => [c.name, c.scale])) : undefined;
  return mosTable(ratings, scales ? { scales } : {});
}

export function toMosCsv(answers, options) {
  const rows = mosRows(answers, options).map((r) => [r.system, r.criterion, r.n, rounded(r.mean), rounded(r.ci95?.[0]), rounded(r.ci95?.[1])]);
  return csv([['system', 'criterion', 'n', 'mean', 'ci95_low', 'ci95_high'], ...rows]);
}

/**
 * CMOS per system pair from the preference documents: for the pair in alphabetical order
 * (system_a < system_b) the CMOS of system_b relative to system_a, its mean, 95% t interval,
 * n, and system_b's wins, the ties and its losses.
 */
export function cmosRows(answers) {
  const pairs = new Map();
  for (const { doc } of answers) {
    const j = doc.judgement;
    if (j?.type !== 'preference' || !Number.isInteger(j.cmos) || doc.clips.length !== 2) continue;
    const [x, y] = doc.clips.map((c) => c.system);
    const [a, b] = x < y ? [x, y] : [y, x];
    const value = a === x ? j.cmos : -j.cmos;
    const key = JSON.stringify([a, b]);
    if (!pairs.has(key)) pairs.set(key, { a, b, values: [] });
    pairs.get(key).values.push(value);
  }
  return [...pairs.values()].sort((p, q) => (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : p.b > q.b ? 1 : 0)).map(({ a, b, values }) => {
    const n = values.length;
    const mean = values.reduce((s, v) => s + v, 0) / n;
    const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
    const half = n > 1 ? tQuantile(0.975, n - 1) * sd / Math.sqrt(n) : null;
    return {
      systemA: a, systemB: b, n, mean, ci95: half === null ? null : [mean - half, mean + half],
      wins: values.filter((v) => v > 0).length, ties: values.filter((v) => v === 0).length, losses: values.filter((v) => v < 0).length,
    };
  });
}

export function toCmosCsv(answers) {
  const rows = cmosRows(answers).map((r) => [r.systemA, r.systemB, r.n, rounded(r.mean), rounded(r.ci95?.[0]), rounded(r.ci95?.[1]), r.wins, r.ties, r.losses]);
  return csv([['system_a', 'system_b', 'n', 'mean', 'ci95_low', 'ci95_high', 'wins', 'ties', 'losses'], ...rows]);
}

/** The comparison export formats of scripts/export: file name and writer. */
export const COMPARISON_EXPORTS = {
  preferences: { file: 'preferences.jsonl', write: toPreferencesJsonl },
  mos: { file: 'mos.csv', write: toMosCsv },
  cmos: { file: 'cmos.csv', write: toCmosCsv },
};
