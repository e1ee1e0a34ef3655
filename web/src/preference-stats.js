// SPDX-License-Identifier: MIT
// Statistics of comparison judgements: Bradley-Terry scores, win rates, agreement (Fleiss' kappa,
// Krippendorff's alpha), order bias, MOS tables and per-task majorities. Pure and deterministic:
// no DOM, no clock, the bootstrap driven by a seeded PRNG, so the browser, the Node scripts and
// the consolidation Lambda give the same figures from the same judgements.
// Algorithms and choices: doc/comparison-format.md, "Statistics".

const fail = (message) => { throw new Error(`preference-stats: ${message}`); };

function nonEmptyArray(value, what) {
  if (!Array.isArray(value)) fail(`${what} must be an array, got ${value === null ? 'null' : typeof value}`);
  if (!value.length) fail(`${what} is empty: there is nothing to compute from`);
}

const isName = (v) => (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v));

function knownSystems(options, where) {
  if (options.systems === undefined) return null;
  nonEmptyArray(options.systems, `${where}: options.systems`);
  for (const s of options.systems) if (typeof s !== 'string' || !s) fail(`${where}: options.systems holds ${JSON.stringify(s)}, not a system name`);
  return new Set(options.systems);
}

function checkedNumber(value, what, { min = -Infinity, max = Infinity, integer = false } = {}) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    fail(`${what} must be ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` >= ${min}` : ''}${max < Infinity ? ` and <= ${max}` : ''}, got ${JSON.stringify(value)}`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Seeded PRNG: mulberry32 on a 32-bit state; a string seed is hashed with FNV-1a (32 bits).

function seedState(seed) {
  if (typeof seed === 'number' && Number.isInteger(seed)) return seed >>> 0;
  if (typeof seed === 'string') {
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    return h;
  }
  return fail(`the seed must be an integer or a string, got ${JSON.stringify(seed)}`);
}

/** A function returning uniform numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed = 1) {
  let state = seedState(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The q-quantile of sorted values, linear between order statistics (Hyndman-Fan type 7). */
function quantileSorted(sorted, q) {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

// ---------------------------------------------------------------------------------------------
// Pairwise judgements

function checkedPairs(pairs, options, where) {
  nonEmptyArray(pairs, `${where}: the judgements`);
  const known = knownSystems(options, where);
  pairs.forEach((p, i) => {
    if (!p || typeof p !== 'object') fail(`${where}: judgement ${i} is not an object {winner, loser, tie?}`);
    for (const key of ['winner', 'loser']) {
      if (typeof p[key] !== 'string' || !p[key]) fail(`${where}: judgement ${i} has no ${key} (a system name)`);
      if (known && !known.has(p[key])) fail(`${where}: judgement ${i} names an unknown system "${p[key]}" (known: ${[...known].join(', ')})`);
    }
    if (p.winner === p.loser) fail(`${where}: judgement ${i} compares "${p.winner}" with itself`);
    if (p.tie !== undefined && typeof p.tie !== 'boolean') fail(`${where}: judgement ${i} has tie ${JSON.stringify(p.tie)}, not true or false`);
  });
  const systems = known ? [...known] : [...new Set(pairs.flatMap((p) => [p.winner, p.loser]))];
  if (systems.length < 2) fail(`${where}: at least two systems are needed`);
  return systems.sort();
}

/** The judgements as system indices, for tallying many resamples fast. */
function indexed(pairs, index) {
  const winner = new Int32Array(pairs.length), loser = new Int32Array(pairs.length), tie = new Uint8Array(pairs.length);
  pairs.forEach((p, t) => { winner[t] = index.get(p.winner); loser[t] = index.get(p.loser); tie[t] = p.tie ? 1 : 0; });
  return { winner, loser, tie, length: pairs.length };
}

/** Wins matrix w[i][j] (ties half a win each) of the judgements `pick(t)` for t < count. */
function tally(judged, k, count = judged.length, pick = (t) => t) {
  const w = Array.from({ length: k }, () => new Float64Array(k));
  for (let t = 0; t < count; t++) {
    const d = pick(t);
    const i = judged.winner[d], j = judged.loser[d];
    if (judged.tie[d]) { w[i][j] += 0.5; w[j][i] += 0.5; } else w[i][j] += 1;
  }
  return w;
}

/**
 * Hunter's MM iteration for Bradley-Terry on a wins matrix (fractional wins allowed), returning
 * log-strengths centred at mean 0. `prior` adds that many virtual ties between every two systems.
 */
function fitStrengths(w, { prior, iterations, tolerance }) {
  const k = w.length;
  const wins = new Float64Array(k);
  const n = Array.from({ length: k }, () => new Float64Array(k));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      n[i][j] = w[i][j] + w[j][i] + prior;
      wins[i] += w[i][j] + prior / 2;
    }
  }
  let p = new Float64Array(k).fill(1);
  let done = 0, converged = false;
  while (done < iterations) {
    const next = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let denominator = 0;
      for (let j = 0; j < k; j++) if (j !== i && n[i][j] > 0) denominator += n[i][j] / (p[i] + p[j]);
      next[i] = wins[i] / denominator;
    }
    let logMean = 0;
    for (let i = 0; i < k; i++) logMean += Math.log(next[i]) / k;
    let change = 0;
    for (let i = 0; i < k; i++) {
      next[i] = Math.exp(Math.log(next[i]) - logMean);
      change = Math.max(change, Math.abs(Math.log(next[i]) - Math.log(p[i])));
    }
    p = next;
    done++;
    if (change < tolerance) { converged = true; break; }
  }
  return { scores: Array.from(p, Math.log), iterations: done, converged };
}

/** Without a prior the maximum-likelihood strengths exist only if every system can reach every other by "beat or tied" steps (Hunter 2004, assumption 1). */
function unreachable(w) {
  const k = w.length;
  const reach = (from, forward) => {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length) {
      const i = stack.pop();
      for (let j = 0; j < k; j++) if (!seen.has(j) && (forward ? w[i][j] : w[j][i]) > 0) { seen.add(j); stack.push(j); }
    }
    return seen.size === k;
  };
  return !(reach(0, true) && reach(0, false));
}

/**
 * Bradley-Terry scores of systems from pairwise judgements [{winner, loser, tie?}] (a tie names
 * the two systems as winner and loser and counts half a win for each).
 * Options: prior (virtual ties between every two systems, default 1; 0 = the plain maximum-likelihood
 * fit, refused when some system never wins or never loses), iterations (default 10000), tolerance
 * (largest change of a log-strength between iterations, default 1e-10), bootstrap (resamples of the
 * judgements for the intervals, default 1000; 0 = none), seed (default 1), confidence (default 0.95),
 * systems (the known names: others are refused; listed systems without judgements are scored),
 * minJudgements (default 3: a system judged fewer times gets no interval).
 * Returns {systems: [{system, score, ci, ciReason, wins, losses, ties, n}] best first (ci null with
 * ciReason saying why when there is no interval: too few judgements, or resamples without spread), iterations, converged,
 * prior, bootstrap, seed, confidence}.
 */
export function bradleyTerry(pairs, options = {}) {
  const where = 'bradleyTerry';
  const systems = checkedPairs(pairs, options, where);
  const prior = checkedNumber(options.prior ?? 1, `${where}: options.prior`, { min: 0 });
  const iterations = checkedNumber(options.iterations ?? 10000, `${where}: options.iterations`, { min: 1, integer: true });
  const tolerance = checkedNumber(options.tolerance ?? 1e-10, `${where}: options.tolerance`, { min: 0 });
  const bootstrap = checkedNumber(options.bootstrap ?? 1000, `${where}: options.bootstrap`, { min: 0, integer: true });
  const confidence = checkedNumber(options.confidence ?? 0.95, `${where}: options.confidence`, { min: 0, max: 1 });
  const minJudgements = checkedNumber(options.minJudgements ?? 3, `${where}: options.minJudgements`, { min: 1, integer: true });
  const seed = options.seed ?? 1;
  seedState(seed);
  const k = systems.length;
  const index = new Map(systems.map((s, i) => [s, i]));
  const judged = indexed(pairs, index);
  const w = tally(judged, k);
  if (prior === 0 && unreachable(w)) {
    fail(`${where}: with prior 0 the scores are infinite: some system never wins or never loses against the others (or the systems fall into groups never compared); use a prior > 0`);
  }
  const fitOptions = { prior, iterations, tolerance };
  const fit = fitStrengths(w, fitOptions);

  const samples = Array.from({ length: k }, () => new Float64Array(bootstrap));
  if (bootstrap > 0) {
    const random = seededRandom(seed);
    const draw = () => Math.floor(random() * judged.length);
    for (let b = 0; b < bootstrap; b++) {
      const resampled = tally(judged, k, judged.length, draw);
      // A resample can leave a system without a win; with prior 0 such a draw has no finite fit, so the
      // interval then uses the smallest prior that keeps it finite (documented).
      const { scores } = fitStrengths(resampled, prior === 0 && unreachable(resampled) ? { ...fitOptions, prior: 1e-3 } : fitOptions);
      for (let i = 0; i < k; i++) samples[i][b] = scores[i];
    }
  }
  const alpha = (1 - confidence) / 2;
  const rows = systems.map((system, i) => {
    let wins = 0, losses = 0, ties = 0;
    for (const p of pairs) {
      if (p.winner !== system && p.loser !== system) continue;
      if (p.tie) ties++; else if (p.winner === system) wins++; else losses++;
    }
    const sorted = samples[i].sort();
    const n = wins + losses + ties;
    // An interval of width zero would claim certainty it does not have: say why there is none instead.
    let ci = null, ciReason = null;
    if (bootstrap === 0) ciReason = 'no bootstrap resamples were drawn (bootstrap 0)';
    else if (n < minJudgements) ciReason = `only ${n} judgement${n === 1 ? '' : 's'} of this system (an interval needs at least ${minJudgements})`;
    else {
      ci = [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)];
      if (!(ci[1] - ci[0] > 1e-9)) {
        ci = null;
        ciReason = ties === n ? 'every judgement of this system is a tie, so the resamples show no spread' : 'the bootstrap resamples show no spread';
      }
    }
    return { system, score: fit.scores[i], ci, ciReason, wins, losses, ties, n };
  });
  rows.sort((a, b) => b.score - a.score || (a.system < b.system ? -1 : 1));
  return { systems: rows, iterations: fit.iterations, converged: fit.converged, prior, bootstrap, seed, confidence };
}

/**
 * Win rates between systems: matrix[i][j] = share of i's comparisons with j that i won, a tie
 * counting half (options.ties 'half', the default) or left out ('exclude'); null where never compared.
 * Returns {systems, matrix, counts (comparisons per pair, as counted), overall: [{system, rate, n}]}.
 */
export function winRates(pairs, options = {}) {
  const where = 'winRates';
  const systems = checkedPairs(pairs, options, where);
  const ties = options.ties ?? 'half';
  if (ties !== 'half' && ties !== 'exclude') fail(`${where}: options.ties must be "half" or "exclude", got ${JSON.stringify(ties)}`);
  const k = systems.length;
  const index = new Map(systems.map((s, i) => [s, i]));
  const counted = ties === 'half' ? pairs : pairs.filter((p) => !p.tie);
  const w = tally(indexed(counted, index), k);
  const counts = w.map((row, i) => Array.from(row, (v, j) => v + w[j][i]));
  const matrix = w.map((row, i) => Array.from(row, (v, j) => (i === j || !counts[i][j] ? null : v / counts[i][j])));
  const overall = systems.map((system, i) => {
    const won = w[i].reduce((a, b) => a + b, 0);
    const n = counts[i].reduce((a, b) => a + b, 0);
    return { system, rate: n ? won / n : null, n };
  });
  return { systems, matrix, counts, overall };
}

// ---------------------------------------------------------------------------------------------
// Agreement

/**
 * Fleiss' kappa (Fleiss 1971) of items [[count of raters per category]], every item rated by the
 * same number of raters (at least 2). Returns {kappa, observed (mean agreement P̄), expected (P̄e),
 * items, raters, categories: [{share, kappa}]}; kappa is null when the expected agreement is 1 (every
 * judgement in one category: agreement is then undefined, not perfect).
 */
export function fleissKappa(items) {
  const where = 'fleissKappa';
  nonEmptyArray(items, `${where}: the items`);
  let raters = null, categories = null;
  items.forEach((row, i) => {
    if (!Array.isArray(row)) fail(`${where}: item ${i} is not an array of counts per category`);
    if (categories === null) categories = row.length;
    if (row.length !== categories) fail(`${where}: item ${i} has ${row.length} categories, item 0 has ${categories}`);
    row.forEach((c, j) => checkedNumber(c, `${where}: item ${i}, category ${j} count`, { min: 0, integer: true }));
    const total = row.reduce((a, b) => a + b, 0);
    if (raters === null) raters = total;
    if (total !== raters) fail(`${where}: item ${i} was rated by ${total} raters, item 0 by ${raters}: Fleiss' kappa needs the same number for every item`);
  });
  if (categories < 2) fail(`${where}: at least two categories are needed`);
  if (raters < 2) fail(`${where}: each item needs at least two raters, got ${raters}`);
  const N = items.length, n = raters;
  const share = Array.from({ length: categories }, (_, j) => items.reduce((a, row) => a + row[j], 0) / (N * n));
  const observed = items.reduce((a, row) => a + (row.reduce((s, c) => s + c * c, 0) - n) / (n * (n - 1)), 0) / N;
  const expected = share.reduce((a, p) => a + p * p, 0);
  const kappa = expected >= 1 - 1e-15 ? null : (observed - expected) / (1 - expected);
  const perCategory = share.map((p, j) => {
    if (p <= 0 || p >= 1) return { share: p, kappa: null };
    const agreeing = items.reduce((a, row) => a + row[j] * (n - row[j]), 0);
    return { share: p, kappa: 1 - agreeing / (N * n * (n - 1) * p * (1 - p)) };
  });
  return { kappa, observed, expected, items: N, raters: n, categories: perCategory };
}

function checkedScale(scale, what) {
  if (scale !== undefined && scale !== null && !(Array.isArray(scale) && scale.length === 2 && scale.every(Number.isFinite) && scale[0] < scale[1])) {
    fail(`${what} must be [lowest, highest], got ${JSON.stringify(scale)}`);
  }
  return scale ?? null;
}

const LEVELS = ['nominal', 'ordinal', 'interval', 'ratio'];

/**
 * Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability") of units
 * [[value or null per rater]]: any number of raters per unit, null/undefined for a missing value,
 * units with fewer than 2 values left out (they are not pairable). level: 'nominal' | 'ordinal' |
 * 'interval' (default) | 'ratio'. options.scale [lo, hi] refuses values outside it.
 * Returns {alpha, observed (D_o), expected (D_e), units (pairable units), values (pairable values), level};
 * alpha is null when no unit has 2 values or every pairable value is the same (D_e = 0).
 */
export function krippendorffAlpha(units, level = 'interval', options = {}) {
  const where = 'krippendorffAlpha';
  if (!LEVELS.includes(level)) fail(`${where}: unknown level ${JSON.stringify(level)} (one of ${LEVELS.join(', ')})`);
  nonEmptyArray(units, `${where}: the units`);
  const scale = checkedScale(options.scale, `${where}: options.scale`);
  const pairable = [];
  units.forEach((unit, u) => {
    if (!Array.isArray(unit)) fail(`${where}: unit ${u} is not an array of values per rater`);
    const values = [];
    unit.forEach((v, r) => {
      if (v === null || v === undefined) return;
      const at = `${where}: unit ${u}, rater ${r}`;
      if (level === 'nominal') {
        if (!isName(v)) fail(`${at}: ${JSON.stringify(v)} is not a value (a string or a finite number)`);
      } else if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${at}: ${JSON.stringify(v)} is not a number, as the ${level} level needs`);
      if (scale && (typeof v !== 'number' || v < scale[0] || v > scale[1])) fail(`${at}: the rating ${JSON.stringify(v)} is out of the scale ${scale[0]}..${scale[1]}`);
      if (level === 'ratio' && v < 0) fail(`${at}: the ratio level needs values >= 0, got ${v}`);
      values.push(v);
    });
    if (values.length >= 2) pairable.push(values);
  });
  const distinct = [...new Set(pairable.flat())];
  if (level !== 'nominal') distinct.sort((a, b) => a - b);
  const index = new Map(distinct.map((v, i) => [v, i]));
  const V = distinct.length;
  // Coincidence matrix: each ordered pair of values in a unit counts 1/(m_u - 1).
  const o = Array.from({ length: V }, () => new Float64Array(V));
  for (const values of pairable) {
    const m = values.length;
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) if (a !== b) o[index.get(values[a])][index.get(values[b])] += 1 / (m - 1);
  }
  const nc = o.map((row) => row.reduce((a, b) => a + b, 0));
  const n = nc.reduce((a, b) => a + b, 0);
  const cumulative = [0];
  for (const c of nc) cumulative.push(cumulative.at(-1) + c);
  const delta2 = (c, k) => {
    if (c === k) return 0;
    if (level === 'nominal') return 1;
    if (level === 'interval') return (distinct[c] - distinct[k]) ** 2;
    if (level === 'ratio') return ((distinct[c] - distinct[k]) / (distinct[c] + distinct[k])) ** 2;
    const [lo, hi] = c < k ? [c, k] : [k, c];
    return (cumulative[hi + 1] - cumulative[lo] - (nc[lo] + nc[hi]) / 2) ** 2;
  };
  let observed = 0, expected = 0;
  for (let c = 0; c < V; c++) {
    for (let k = 0; k < V; k++) {
      const d = delta2(c, k);
      observed += o[c][k] * d;
      expected += nc[c] * nc[k] * d;
    }
  }
  observed = n ? observed / n : 0;
  expected = n > 1 ? expected / (n * (n - 1)) : 0;
  const alpha = expected > 0 ? 1 - observed / expected : null;
  return { alpha, observed, expected, units: pairable.length, values: n, level };
}

// ---------------------------------------------------------------------------------------------
// Order bias

/** Probabilities of 0..n successes of Binomial(n, 1/2), from the ratio of neighbouring terms in logs. */
function halfBinomial(n) {
  const logs = new Float64Array(n + 1);
  logs[0] = -n * Math.LN2;
  for (let i = 0; i < n; i++) logs[i + 1] = logs[i] + Math.log((n - i) / (i + 1));
  return Array.from(logs, Math.exp);
}

/** Two-sided exact binomial p-value of k successes in n trials at p = 1/2: the total probability of outcomes no more likely than k. */
export function binomialTwoSided(k, n) {
  checkedNumber(n, 'binomialTwoSided: n', { min: 0, integer: true });
  checkedNumber(k, 'binomialTwoSided: k', { min: 0, max: n, integer: true });
  const pmf = halfBinomial(n);
  // The relative slack counts outcomes equally likely up to rounding, as R's binom.test does.
  const limit = pmf[k] * (1 + 1e-7);
  return Math.min(1, pmf.reduce((sum, p) => (p <= limit ? sum + p : sum), 0));
}

/**
 * How often the first-shown clip won: trials [{firstShownWon: true | false | null (a tie, left out)}].
 * Returns {share (of the decided trials, null if none), n (decided), firstWon, ties, pValue (exact
 * two-sided binomial test against 1/2, null if none decided)}.
 */
export function orderBias(trials) {
  const where = 'orderBias';
  nonEmptyArray(trials, `${where}: the trials`);
  let firstWon = 0, n = 0, ties = 0;
  trials.forEach((t, i) => {
    const v = t && typeof t === 'object' ? t.firstShownWon : undefined;
    if (v === null) ties++;
    else if (typeof v === 'boolean') { n++; if (v) firstWon++; } else fail(`${where}: trial ${i} has firstShownWon ${JSON.stringify(v)}, not true, false or null (a tie)`);
  });
  return { share: n ? firstWon / n : null, n, firstWon, ties, pValue: n ? binomialTwoSided(firstWon, n) : null };
}

// ---------------------------------------------------------------------------------------------
// MOS and Student's t

// Lanczos approximation of ln Γ(x) for x > 0 (g = 7, 9 coefficients; relative error ~1e-15).
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
function logGamma(x) {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

// Continued fraction of the incomplete beta function (modified Lentz).
function betaFraction(a, b, x) {
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
function incompleteBeta(x, a, b) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with df degrees of freedom. */
export function tCdf(t, df) {
  checkedNumber(df, 'tCdf: df', { min: Number.MIN_VALUE });
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with df degrees of freedom (df > 0, not necessarily whole), by bisection on tCdf. */
export function tQuantile(p, df) {
  checkedNumber(p, 'tQuantile: p', { min: 0, max: 1 });
  checkedNumber(df, 'tQuantile: df', { min: Number.MIN_VALUE });
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0, hi = 1;
  while (tCdf(hi, df) < p) { lo = hi; hi *= 2; if (hi > 1e300) return Infinity; }
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Mean opinion scores: ratings [{system, criterion, value}] -> rows [{system, criterion, n, mean,
 * sd, ci95: [lo, hi] (mean ± t(0.975, n-1)·sd/√n; null when n < 2)}], by system then criterion.
 * Options: scale [lo, hi] for every criterion, or scales {criterion: [lo, hi]} (a rating outside is
 * refused; a criterion missing from scales is refused too), systems (the known names), confidence
 * (default 0.95; the field keeps its name ci95).
 */
export function mosTable(ratings, options = {}) {
  const where = 'mosTable';
  nonEmptyArray(ratings, `${where}: the ratings`);
  const known = knownSystems(options, where);
  const confidence = checkedNumber(options.confidence ?? 0.95, `${where}: options.confidence`, { min: 0, max: 1 });
  checkedScale(options.scale, `${where}: options.scale`);
  if (options.scales !== undefined && (!options.scales || typeof options.scales !== 'object')) fail(`${where}: options.scales must be {criterion: [lowest, highest]}`);
  for (const [name, s] of Object.entries(options.scales ?? {})) checkedScale(s, `${where}: options.scales["${name}"]`);
  const scaleOf = (criterion) => {
    if (options.scales) {
      if (!Object.hasOwn(options.scales, criterion)) fail(`${where}: the criterion "${criterion}" is not one of options.scales (${Object.keys(options.scales).join(', ')})`);
      return options.scales[criterion];
    }
    return options.scale ?? null;
  };
  const groups = new Map();
  ratings.forEach((r, i) => {
    if (!r || typeof r !== 'object') fail(`${where}: rating ${i} is not an object {system, criterion, value}`);
    if (typeof r.system !== 'string' || !r.system) fail(`${where}: rating ${i} has no system`);
    if (known && !known.has(r.system)) fail(`${where}: rating ${i} names an unknown system "${r.system}" (known: ${[...known].join(', ')})`);
    if (typeof r.criterion !== 'string' || !r.criterion) fail(`${where}: rating ${i} has no criterion`);
    if (typeof r.value !== 'number' || !Number.isFinite(r.value)) fail(`${where}: rating ${i} (${r.system}, ${r.criterion}) has the value ${JSON.stringify(r.value)}, not a number`);
    const scale = scaleOf(r.criterion);
    if (scale && (r.value < scale[0] || r.value > scale[1])) fail(`${where}: rating ${i} (${r.system}, ${r.criterion}) is ${r.value}, out of the scale ${scale[0]}..${scale[1]}`);
    const key = JSON.stringify([r.system, r.criterion]);
    if (!groups.has(key)) groups.set(key, { system: r.system, criterion: r.criterion, values: [] });
    groups.get(key).values.push(r.value);
  });
  const rows = [...groups.values()].map(({ system, criterion, values }) => {
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : null;
    const half = n > 1 ? tQuantile(1 - (1 - confidence) / 2, n - 1) * sd / Math.sqrt(n) : null;
    return { system, criterion, n, mean, sd, ci95: half === null ? null : [mean - half, mean + half] };
  });
  return rows.sort((a, b) => (a.system < b.system ? -1 : a.system > b.system ? 1 : a.criterion < b.criterion ? -1 : a.criterion > b.criterion ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Majority per task

/**
 * The majority judgement per task: judgements [{task, value}] (value a category: a system name,
 * 'tie', a CMOS step...). Returns [{task, value (null when several values share the top count),
 * share (of the top count), n, counts: {value: count}, tied: [values sharing the top count]}] in
 * the order tasks first appear.
 */
export function majority(judgements) {
  const where = 'majority';
  nonEmptyArray(judgements, `${where}: the judgements`);
  const tasks = new Map();
  judgements.forEach((j, i) => {
    if (!j || typeof j !== 'object') fail(`${where}: judgement ${i} is not an object {task, value}`);
    if (!isName(j.task)) fail(`${where}: judgement ${i} has no task (a string or number id)`);
    if (!isName(j.value) && typeof j.value !== 'boolean') fail(`${where}: judgement ${i} (task ${JSON.stringify(j.task)}) has the value ${JSON.stringify(j.value)}, not a category`);
    if (!tasks.has(j.task)) tasks.set(j.task, new Map());
    const counts = tasks.get(j.task);
    counts.set(j.value, (counts.get(j.value) ?? 0) + 1);
  });
  return [...tasks].map(([task, counts]) => {
    const n = [...counts.values()].reduce((a, b) => a + b, 0);
    const top = Math.max(...counts.values());
    const tied = [...counts].filter(([, c]) => c === top).map(([v]) => v);
    return { task, value: tied.length === 1 ? tied[0] : null, share: top / n, n, counts: Object.fromEntries(counts), tied };
  });
}
