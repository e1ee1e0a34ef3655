// SPDX-License-Identifier: MIT
// An earlier answer put back into <avseg-compare> (pure): whether a comparison document v1 is one
// of the clips shown and one the config can show, and the panel's value (shown positions) from it.
import { COMPARISON_FORMAT, COMPARISON_VERSION, ComparisonError, SEED_PATTERN, preferenceDisagreements } from './comparison-doc.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v) => (v === undefined ? 'nothing' : JSON.stringify(v));
const refuseAt = (path, reason) => { throw new ComparisonError(path, `${reason} (the answer was not restored)`); };

/**
 * Checks that `doc` answers these clips ([{system, sources: [names it may give as source]}],
 * manifest order) under `settings` (comparisonSettings of the config); returns {seed, order}.
 * Throws a ComparisonError naming the key that differs.
 */
export function checkRestorable(doc, { clips, settings }) {
  if (!isObject(doc)) refuseAt('', `an answer to restore is a comparison document (an object), got ${show(doc)}`);
  if (doc.format !== COMPARISON_FORMAT) refuseAt('format', `must be "${COMPARISON_FORMAT}", got ${show(doc.format)}`);
  if (doc.version !== COMPARISON_VERSION) refuseAt('version', `must be ${COMPARISON_VERSION}, got ${show(doc.version)}`);
  const n = clips.length;
  if (!Array.isArray(doc.clips) || doc.clips.length !== n) {
    refuseAt('clips', `the answer has ${Array.isArray(doc.clips) ? doc.clips.length : 'no'} clips, the comparison shown has ${n}`);
  }
  for (const [m, clip] of clips.entries()) {
    const got = doc.clips[m];
    if (!isObject(got)) refuseAt(`clips[${m}]`, `must be an object, got ${show(got)}`);
    if (got.system !== clip.system) refuseAt(`clips[${m}].system`, `is ${show(got.system)}, the clip shown is from "${clip.system}"`);
    if (!clip.sources.includes(got.source)) refuseAt(`clips[${m}].source`, `is ${show(got.source)}, the clip shown is ${show(clip.sources[0])}`);
    if (got.annotation != null && !isObject(got.annotation)) refuseAt(`clips[${m}].annotation`, `must be an annotation document, got ${show(got.annotation)}`);
    if (got.ratings != null && !isObject(got.ratings)) refuseAt(`clips[${m}].ratings`, `must be an object, got ${show(got.ratings)}`);
    for (const [name, value] of Object.entries(got.ratings ?? {})) {
      const criterion = settings.criteria.find((c) => c.name === name);
      if (!criterion) refuseAt(`clips[${m}].ratings.${name}`, 'is not a criterion of the label config');
      const [lo, hi] = criterion.scale ?? [1, 5];
      if (value !== null && !(Number.isInteger(value) && value >= lo && value <= hi)) refuseAt(`clips[${m}].ratings.${name}`, `must be an integer ${lo} to ${hi}, got ${show(value)}`);
    }
  }
  const { order, seed } = doc;
  if (!Array.isArray(order) || order.length !== n || [...order].sort((a, b) => a - b).some((v, i) => v !== i)) {
    refuseAt('order', `must list each manifest index 0 to ${n - 1} once, got ${show(order)}`);
  }
  if (typeof seed !== 'string' || !SEED_PATTERN.test(seed)) refuseAt('seed', `must be 1 to 16 hex digits, got ${show(seed)}`);
  const j = doc.judgement;
  if (j != null) {
    if (!isObject(j)) refuseAt('judgement', `must be an object or null, got ${show(j)}`);
    if (j.type !== settings.judgement) refuseAt('judgement.type', `is ${show(j.type)}, this comparison asks for a ${settings.judgement}`);
    if (j.type === 'preference') {
      for (const key of ['cmos', 'shownCmos']) {
        if (j[key] != null && !(Number.isInteger(j[key]) && Math.abs(j[key]) <= 3)) refuseAt(`judgement.${key}`, `must be an integer -3 to 3, got ${show(j[key])}`);
      }
      // The panel shows shownCmos: one that disagrees with cmos would be resubmitted flipped.
      const disagreement = preferenceDisagreements(j, order)[0];
      if (disagreement) refuseAt(disagreement.path, disagreement.message);
    } else if (j.ranks != null && !(Array.isArray(j.ranks) && j.ranks.length === n && j.ranks.every((r) => r === null || (Number.isInteger(r) && r >= 1 && r <= n)))) {
      refuseAt('judgement.ranks', `must give each of the ${n} clips a rank 1 to ${n} (or null), got ${show(j.ranks)}`);
    }
    if (j.reason != null && typeof j.reason !== 'string') refuseAt('judgement.reason', `must be text, got ${show(j.reason)}`);
  }
  return { seed, order: order.slice() };
}

/** The panel's value (ComparePanel.restore: by shown position) from a checked document shown in `order`. */
export function panelValueOf(doc, order) {
  const j = doc.judgement ?? null;
  const ratings = order.map((m) => ({ ...(doc.clips[m].ratings ?? {}) }));
  const reason = typeof j?.reason === 'string' ? j.reason : null;
  if (j?.type === 'ranking') return { ratings, judgement: { type: 'ranking', shownRanks: order.map((m) => j.ranks?.[m] ?? null), reason } };
  // shownCmos is shown B against shown A; without it, cmos (clips[1] against clips[0]) turned to the shown order.
  const cmos = j?.cmos ?? null;
  const shownCmos = j?.shownCmos ?? (cmos === null ? null : order[0] === 0 || cmos === 0 ? cmos : -cmos);
  return { ratings, judgement: { type: j?.type ?? 'preference', shownCmos, reason } };
}
