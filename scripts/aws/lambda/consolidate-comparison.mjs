// SPDX-License-Identifier: MIT
// Consolidating several annotators' comparison documents (doc/comparison-format.md) for one task:
// the majority judgement with Fleiss' kappa over the annotators' judgements, each criterion's
// ratings with Krippendorff's alpha (the clips are the units), and each clip's marks consolidated
// as single clips' are. The statistics are P1's (web/src/preference-stats.js), passed in.
import { consolidate, median } from './consolidate.mjs';

/** The value of a statistic, whichever way the function gives it (a number, or {kappa} / {alpha}). */
const figure = (v, key) => {
  const x = typeof v === 'number' ? v : v?.[key] ?? v?.value;
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
};

/**
 * Checks one annotator's comparison document against the task's clips; returns a message or ''.
 * @param {object} doc
 * @param {number} clipCount the clips of the first readable answer (all must match)
 */
export function comparisonProblem(doc, clipCount) {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return 'the comparison is not a JSON object';
  if (doc.format !== 'avseg-comparison') return `the comparison's "format" is ${JSON.stringify(doc.format)}, not "avseg-comparison"`;
  if (doc.version !== 1) return `the comparison's version is ${JSON.stringify(doc.version)}: this Lambda reads version 1`;
  if (!Array.isArray(doc.clips) || doc.clips.length < 2 || doc.clips.length > 4) return 'the comparison needs 2 to 4 clips';
  if (clipCount !== undefined && doc.clips.length !== clipCount) return `the comparison has ${doc.clips.length} clips where the task's other answers have ${clipCount}`;
  const j = doc.judgement;
  if (j?.type === 'preference') {
    if (doc.clips.length !== 2) return 'a preference judges 2 clips';
    if (!Number.isInteger(j.cmos) || j.cmos < -3 || j.cmos > 3) return `the preference's cmos is ${JSON.stringify(j.cmos)}: a whole number from -3 to 3`;
    // Sides that disagree mean the sign was mapped wrongly somewhere: which clip won is unknown.
    const preferred = j.cmos === 0 ? null : j.cmos > 0 ? 1 : 0;
    if (j.preferred !== undefined && j.preferred !== preferred) return `the preference's "preferred" ${JSON.stringify(j.preferred)} contradicts its cmos ${j.cmos}`;
    const order = Array.isArray(doc.order) ? doc.order : null;
    if (order && j.shownCmos !== undefined && j.shownCmos !== null && j.shownCmos !== (order[0] === 0 ? j.cmos : -j.cmos)) {
      return `the preference's "shownCmos" ${JSON.stringify(j.shownCmos)} contradicts its cmos ${j.cmos} with the order [${order}]`;
    }
  } else if (j?.type === 'ranking') {
    if (!Array.isArray(j.ranks) || j.ranks.length !== doc.clips.length || !j.ranks.every((r) => Number.isInteger(r) && r >= 1 && r <= doc.clips.length)) {
      return `the ranking's ranks must give each of the ${doc.clips.length} clips a rank from 1`;
    }
  } else return 'the comparison has no judgement (a preference or a ranking)';
  return '';
}

/** Which of two clips a judgement prefers, as a category: 0 the first, 1 a tie, 2 the second. */
const pairCategory = (doc, a, b) => {
  if (doc.judgement.type === 'preference') return doc.judgement.cmos < 0 ? 0 : doc.judgement.cmos === 0 ? 1 : 2;
  const [ra, rb] = [doc.judgement.ranks[a], doc.judgement.ranks[b]];
  return ra < rb ? 0 : ra === rb ? 1 : 2;
};

/**
 * @param {{workerId: string, comparison: object, clipDocuments: object[]}[]} answers each annotator's
 *   comparison document (checked by comparisonProblem) and each clip's annotation document as the core read it
 * @param {{fleissKappa: Function, krippendorffAlpha: Function}} stats web/src/preference-stats.js
 * @returns {{consensus: object, agreement: object}}
 */
export function consolidateComparison(answers, stats) {
  const first = answers[0].comparison;
  const k = first.clips.length;
  const n = answers.length;
  // Every pair of clips is an item judged by each annotator: first better, tie, second better.
  const pairs = [];
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) pairs.push([a, b]);
  const pairCounts = pairs.map(([a, b]) => {
    const counts = [0, 0, 0];
    for (const { comparison } of answers) counts[pairCategory(comparison, a, b)]++;
    return counts;
  });
  const kappa = n > 1 ? figure(stats.fleissKappa(pairCounts), 'kappa') : null;

  let judgement;
  if (first.judgement.type === 'preference' && answers.every((x) => x.comparison.judgement.type === 'preference')) {
    const votes = pairCounts[0];
    const winner = votes.findIndex((v) => v * 2 > n);
    judgement = {
      type: 'preference',
      // The majority's side: 0 = the first manifest clip, 1 = the second, null for a tie or no majority.
      preferred: winner === 0 ? 0 : winner === 2 ? 1 : null,
      tie: winner === 1,
      majority: winner >= 0,
      votes: { first: votes[0], tie: votes[1], second: votes[2] },
      cmos: median(answers.map((x) => x.comparison.judgement.cmos)),
    };
  } else {
    // Rankings (a preference counts as the ranking it implies): clips by mean rank, equal means tied.
    const ranksOf = (c) => (c.judgement.type === 'ranking' ? c.judgement.ranks : [c.judgement.cmos < 0 ? 1 : c.judgement.cmos === 0 ? 1 : 2, c.judgement.cmos > 0 ? 1 : c.judgement.cmos === 0 ? 1 : 2]);
    const meanRanks = Array.from({ length: k }, (_, i) => answers.reduce((s, x) => s + ranksOf(x.comparison)[i], 0) / n);
    const ranks = meanRanks.map((m) => 1 + meanRanks.filter((o) => o < m - 1e-9).length);
    judgement = {
      type: 'ranking', ranks, meanRanks,
      pairs: pairs.map(([a, b], i) => {
        const winner = pairCounts[i].findIndex((v) => v * 2 > n);
        return { clips: [a, b], votes: { first: pairCounts[i][0], tie: pairCounts[i][1], second: pairCounts[i][2] }, preferred: winner === 0 ? a : winner === 2 ? b : null, majority: winner >= 0 };
      }),
    };
  }

  // Ratings: per criterion, the clips are the units and the annotators the raters.
  const criteria = [...new Set(answers.flatMap((x) => x.comparison.clips.flatMap((c) => Object.keys(c.ratings ?? {}))))];
  const ratingOf = (x, clip, name) => {
    const v = x.comparison.clips[clip].ratings?.[name];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const alpha = {};
  for (const name of criteria) {
    const units = Array.from({ length: k }, (_, clip) => answers.map((x) => ratingOf(x, clip, name)));
    alpha[name] = n > 1 ? figure(stats.krippendorffAlpha(units, 'interval'), 'alpha') : null;
  }

  const clips = first.clips.map((c, clip) => {
    const ratings = {};
    for (const name of criteria) {
      const values = answers.map((x) => ratingOf(x, clip, name)).filter((v) => v !== null);
      if (values.length) ratings[name] = { median: median(values), mean: values.reduce((s, v) => s + v, 0) / values.length, n: values.length };
    }
    const documents = answers.map((x) => ({ workerId: x.workerId, document: x.clipDocuments[clip] })).filter((d) => d.document);
    const marks = documents.length ? consolidate(documents) : { consensus: null, agreement: { workers: 0 } };
    return { system: c.system, source: c.source, ratings, consensus: marks.consensus, agreement: marks.agreement };
  });

  return {
    consensus: { format: 'avseg-comparison-consensus', version: 1, prompt: first.prompt ?? null, taskId: first.taskId ?? null, judgement, clips },
    agreement: { workers: n, fleissKappa: kappa, krippendorffAlpha: alpha },
  };
}
