// SPDX-License-Identifier: MIT
// The report's figures from comparison documents (v1, doc/comparison-format.md). Every statistic
// comes from web/src/preference-stats.js (passed in as `stats`), so the report, the consolidation
// Lambda and the exports agree; this module only gathers the judgements into its inputs.

const ALPHA = 0.05;

/**
 * A task's identity: its id (else its prompt) with its systems in manifest order, so answers are
 * only compared clip by clip when their clips are the same systems in the same places.
 */
const taskKey = (doc) => JSON.stringify([doc.taskId !== undefined && doc.taskId !== null ? `id:${doc.taskId}` : `prompt:${doc.prompt ?? ''}`, doc.clips.map((c) => c.system)]);

/** The outcome of manifest clips i < j in a document: 'i' (i better), 'j', or 'tie'. */
function outcome(doc, i, j) {
  const jd = doc.judgement;
  if (jd.type === 'ranking') return jd.ranks[i] < jd.ranks[j] ? 'i' : jd.ranks[i] > jd.ranks[j] ? 'j' : 'tie';
  return jd.cmos < 0 ? 'i' : jd.cmos > 0 ? 'j' : 'tie';
}

const pairsOf = (n) => Array.from({ length: n }, (_, i) => Array.from({ length: n - i - 1 }, (_, k) => [i, i + 1 + k])).flat();

const finite = (x) => (Number.isFinite(x) ? x : null);

/** kappa or alpha, null when the answers are too few for it (one rater, no variance): shown as "n/a". */
function safely(fn) {
  try {
    return finite(fn());
  } catch {
    return null;
  }
}

/**
 * @param {{doc: object, worker: string}[]} answers
 * @param {object} stats the module web/src/preference-stats.js
 * @param {{bootstrap?: number, seed?: number}} [opts]
 */
export function figures(answers, stats, { bootstrap = 1000, seed = 1 } = {}) {
  const tasks = new Map();
  for (const a of answers) {
    const key = taskKey(a.doc);
    if (!tasks.has(key)) tasks.set(key, { key, taskId: a.doc.taskId ?? null, prompt: a.doc.prompt ?? null, systems: a.doc.clips.map((c) => c.system), answers: [] });
    tasks.get(key).answers.push(a);
  }
  const annotators = [...new Set(answers.map((a) => String(a.worker)))].sort();

  // Pairwise judgements, over every pair of clips of every answer (a ranking of k gives k(k-1)/2).
  const pairs = [];
  const trials = [];
  for (const { doc } of answers) {
    for (const [i, j] of pairsOf(doc.clips.length)) {
      const o = outcome(doc, i, j);
      const [a, b] = [doc.clips[i].system, doc.clips[j].system];
      pairs.push(o === 'tie' ? { winner: a, loser: b, tie: true } : o === 'i' ? { winner: a, loser: b } : { winner: b, loser: a });
    }
    // Order bias: the first-shown clip against each other clip shown with it (0.5 each without bias).
    const first = doc.order[0];
    for (let k = 1; k < doc.order.length; k++) {
      const other = doc.order[k];
      const o = first < other ? outcome(doc, first, other) : { i: 'j', j: 'i', tie: 'tie' }[outcome(doc, other, first)];
      trials.push({ firstShownWon: o === 'tie' ? null : o === 'i' });
    }
  }

  const bt = stats.bradleyTerry(pairs, { bootstrap, seed });
  const systems = [...bt.systems].sort((x, y) => y.score - x.score || String(x.system).localeCompare(String(y.system)));
  const names = systems.map((s) => s.system);
  const winRates = winMatrix(stats.winRates(pairs), names);

  // MOS: one rating per clip, criterion and annotator.
  const ratings = [];
  const criteria = new Set();
  for (const { doc, worker } of answers) {
    for (const clip of doc.clips) {
      for (const [criterion, v] of Object.entries(clip.ratings ?? {})) {
        if (!Number.isFinite(v)) continue;
        criteria.add(criterion);
        ratings.push({ system: clip.system, criterion, value: v, annotator: String(worker), taskId: doc.taskId ?? null });
      }
    }
  }
  const mos = tableRows(ratings.length ? stats.mosTable(ratings) : []).sort((x, y) => x.criterion.localeCompare(y.criterion) || names.indexOf(x.system) - names.indexOf(y.system));

  // CMOS per pair of systems, as "second relative to first" with the pair in score order.
  const cmosRatings = [];
  for (const { doc, worker } of answers) {
    if (doc.judgement.type !== 'preference' || !Number.isInteger(doc.judgement.cmos)) continue;
    const [a, b] = doc.clips.map((c) => c.system);
    const flip = names.indexOf(a) > names.indexOf(b);
    const [first, second] = flip ? [b, a] : [a, b];
    cmosRatings.push({ system: `${first}\u0000${second}`, criterion: 'cmos', value: flip ? -doc.judgement.cmos : doc.judgement.cmos, annotator: String(worker) });
  }
  const cmos = tableRows(cmosRatings.length ? stats.mosTable(cmosRatings) : []).map(({ system, criterion, ...rest }) => {
    const [first, second] = system.split('\u0000');
    return { first, second, ...rest };
  }).sort((x, y) => names.indexOf(x.first) - names.indexOf(y.first) || names.indexOf(x.second) - names.indexOf(y.second));

  // Agreement. Fleiss' kappa: each (task, pair of clips) an item, categories [first better, second better, tie].
  const itemsOf = (task) => pairsOf(task.systems.length).map(([i, j]) => {
    const counts = [0, 0, 0];
    for (const { doc } of task.answers) counts[{ i: 0, j: 1, tie: 2 }[outcome(doc, i, j)]]++;
    return counts;
  });
  // Krippendorff's alpha: each (task, clip) a unit, one column per annotator (null when not rated).
  const unitsOf = (taskList, criterion) => taskList.flatMap((task) => task.systems.map((_, c) => annotators.map((who) => {
    const a = task.answers.find((x) => String(x.worker) === who);
    const v = a?.doc.clips[c]?.ratings?.[criterion];
    return Number.isFinite(v) ? v : null;
  })));
  const criteriaList = [...criteria].sort();
  const taskList = [...tasks.values()];
  const majorityOf = majorities(stats, taskList);
  const agreementTasks = taskList.map((task, n) => ({
    taskId: task.taskId,
    prompt: task.prompt,
    systems: task.systems,
    annotators: new Set(task.answers.map((a) => String(a.worker))).size,
    majority: majorityOf[n],
    kappa: task.answers.length > 1 ? safely(() => stats.fleissKappa(itemsOf(task)).kappa) : null,
    alpha: Object.fromEntries(criteriaList.map((c) => [c, task.answers.length > 1 ? safely(() => stats.krippendorffAlpha(unitsOf([task], c), 'interval').alpha) : null])),
  }));
  // Fleiss' kappa wants the same number of raters per item: the overall figure is over the items with the usual count.
  const allItems = taskList.flatMap(itemsOf);
  const raterCounts = allItems.map((c) => c[0] + c[1] + c[2]);
  const usual = mode(raterCounts.filter((n) => n > 1));
  const kept = allItems.filter((c) => c[0] + c[1] + c[2] === usual);
  const overall = {
    kappa: kept.length ? safely(() => stats.fleissKappa(kept).kappa) : null,
    kappaItems: kept.length,
    kappaRaters: usual ?? null,
    alpha: Object.fromEntries(criteriaList.map((c) => [c, safely(() => stats.krippendorffAlpha(unitsOf(taskList, c), 'interval').alpha)])),
  };

  const bias = stats.orderBias(trials);
  const significant = Number.isFinite(bias.pValue) && bias.pValue < ALPHA;
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const sentence = !bias.n
    ? 'No judgement had a winner between the first-shown clip and another, so the order bias cannot be measured.'
    : significant
      ? `The first-shown clip won ${pct(bias.share)} of ${bias.n} decided comparisons, significantly ${bias.share > 0.5 ? 'more' : 'less'} than half (p = ${formatP(bias.pValue)} < ${ALPHA}): the order the clips were shown in swayed the judgements.`
      : `The first-shown clip won ${pct(bias.share)} of ${bias.n} decided comparisons, not significantly different from half (p = ${formatP(bias.pValue)} \u2265 ${ALPHA}): no order bias is evident.`;

  return {
    counts: { tasks: tasks.size, annotators: annotators.length, judgements: answers.length, pairs: pairs.length },
    systems: systems.map((s) => ({ system: s.system, score: s.score, ci: s.ci, ciReason: s.ciReason ?? null, wins: s.wins, losses: s.losses, ties: s.ties, n: s.n })),
    winRates,
    criteria: criteriaList,
    mos,
    cmos,
    agreement: { tasks: agreementTasks, overall },
    orderBias: { share: bias.share, n: bias.n, pValue: bias.pValue, alpha: ALPHA, significant, sentence },
  };
}

export function formatP(p) {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

function mode(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0];
}

/** A judgement as one category for the majority: the preferred system or "tie"; a ranking as "a > b = c". */
function judgementValue(doc) {
  if (doc.judgement.type === 'preference') {
    const o = outcome(doc, 0, 1);
    return o === 'tie' ? 'tie' : doc.clips[o === 'i' ? 0 : 1].system;
  }
  const byRank = doc.clips.map((c, i) => ({ system: c.system, rank: doc.judgement.ranks[i] })).sort((a, b) => a.rank - b.rank || a.system.localeCompare(b.system));
  return byRank.map((r, i) => (i === 0 ? r.system : `${r.rank === byRank[i - 1].rank ? ' = ' : ' > '}${r.system}`)).join('');
}

function majorities(stats, taskList) {
  const rows = stats.majority(taskList.flatMap((t) => t.answers.map((a) => ({ task: t.key, value: judgementValue(a.doc) }))));
  const byTask = new Map(rows.map((r) => [r.task, r]));
  return taskList.map((t) => {
    const r = byTask.get(t.key);
    return r ? { value: r.value, share: r.share, n: r.n, tied: r.tied } : null;
  });
}

/** mosTable's rows as [{system, criterion, n, mean, ci: [lo, hi] or [null, null] (one rating)}]. */
const tableRows = (rows) => rows.map((r) => ({ system: r.system, criterion: r.criterion, n: r.n, mean: r.mean, ci: r.ci95 ?? [null, null] }));

/** winRates' result in score order: {systems, rate[i][j] (share i won against j, ties half; null: never met), n[i][j]}. */
function winMatrix(rates, names) {
  const at = names.map((s) => rates.systems.indexOf(s));
  return {
    systems: names,
    rate: at.map((i) => at.map((j) => rates.matrix[i][j])),
    n: at.map((i) => at.map((j) => (i === j ? 0 : rates.counts[i][j]))),
  };
}
