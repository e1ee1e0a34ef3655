// SPDX-License-Identifier: MIT
// The statistics of comparison judgements against known answers: published worked examples,
// examples computed by hand below step by step, exact sums done here with BigInt, and a
// Bradley-Terry likelihood maximised here by Newton's method.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bradleyTerry, winRates, fleissKappa, krippendorffAlpha, orderBias, binomialTwoSided, mosTable, majority, tQuantile, tCdf,
} from '../../web/src/preference-stats.js';

const close = (actual, expected, tolerance, what) => assert.ok(Math.abs(actual - expected) <= tolerance,
  `${what}: ${actual} is not within ${tolerance} of ${expected}`);

// The test's own generator (xorshift32), independent of the module's.
function xorshift(seed) {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296; };
}

// ---------------------------------------------------------------------------------------------
// Bradley-Terry

const TRUE = { alpha: 1.2, bravo: 0.4, charlie: 0, delta: -0.5, echo: -1.1 }; // log-strengths, mean 0
const NAMES = Object.keys(TRUE);

function synthetic(seed, count) {
  const random = xorshift(seed);
  const pairs = [];
  while (pairs.length < count) {
    const a = NAMES[Math.floor(random() * NAMES.length)], b = NAMES[Math.floor(random() * NAMES.length)];
    if (a === b) continue;
    const aWins = random() < 1 / (1 + Math.exp(TRUE[b] - TRUE[a]));
    pairs.push(aWins ? { winner: a, loser: b } : { winner: b, loser: a });
  }
  return pairs;
}

test('Bradley-Terry recovers the order and, within 0.2, the log-strengths it was generated from (six seeds)', () => {
  let covered = 0, intervals = 0;
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const fit = bradleyTerry(synthetic(seed, 3000), { bootstrap: 200, seed });
    assert.ok(fit.converged, `seed ${seed}: the MM iteration converged`);
    assert.deepEqual(fit.systems.map((s) => s.system), NAMES, `seed ${seed}: the order of the true strengths`);
    close(fit.systems.reduce((a, s) => a + s.score, 0), 0, 1e-9, `seed ${seed}: scores centred at 0`);
    for (const s of fit.systems) {
      // 3000 judgements over 10 pairs: a standard error near 0.06 per score, so 0.2 is over 3 of them.
      close(s.score, TRUE[s.system], 0.2, `seed ${seed}: ${s.system}`);
      assert.ok(s.ci[0] < s.score && s.score < s.ci[1], `seed ${seed}: ${s.system}'s interval holds its estimate`);
      intervals++;
      if (s.ci[0] <= TRUE[s.system] && TRUE[s.system] <= s.ci[1]) covered++;
    }
  }
  // 95% intervals: 28.5 of 30 expected; fewer than 24 would mean intervals far too narrow.
  assert.ok(covered >= 24, `the 95% intervals covered the true value ${covered} times of ${intervals}`);
});

/** Log-likelihood maximised by Newton's method, the last system held at 0, then centred (written here, independent of MM). */
function newtonFit(pairs, systems, prior) {
  const k = systems.length;
  const at = new Map(systems.map((s, i) => [s, i]));
  const w = systems.map(() => new Array(k).fill(0));
  for (const p of pairs) {
    const i = at.get(p.winner), j = at.get(p.loser);
    if (p.tie) { w[i][j] += 0.5; w[j][i] += 0.5; } else w[i][j] += 1;
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) w[i][j] += prior / 2;
  const beta = new Array(k).fill(0);
  for (let step = 0; step < 100; step++) {
    const m = k - 1;
    const g = new Array(m).fill(0);
    const H = Array.from({ length: m }, () => new Array(m).fill(0));
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        if (i === j) continue;
        const n = w[i][j] + w[j][i];
        const pi = 1 / (1 + Math.exp(beta[j] - beta[i]));
        if (i < m) {
          g[i] += w[i][j] - n * pi;
          H[i][i] -= n * pi * (1 - pi);
          if (j < m) H[i][j] += n * pi * (1 - pi);
        }
      }
    }
    // Solve H·d = -g by Gaussian elimination with partial pivoting.
    const A = H.map((row, i) => [...row, -g[i]]);
    for (let c = 0; c < m; c++) {
      let pivot = c;
      for (let r = c + 1; r < m; r++) if (Math.abs(A[r][c]) > Math.abs(A[pivot][c])) pivot = r;
      [A[c], A[pivot]] = [A[pivot], A[c]];
      for (let r = c + 1; r < m; r++) {
        const f = A[r][c] / A[c][c];
        for (let cc = c; cc <= m; cc++) A[r][cc] -= f * A[c][cc];
      }
    }
    const d = new Array(m).fill(0);
    for (let r = m - 1; r >= 0; r--) {
      let s = A[r][m];
      for (let cc = r + 1; cc < m; cc++) s -= A[r][cc] * d[cc];
      d[r] = s / A[r][r];
    }
    for (let i = 0; i < m; i++) beta[i] += d[i];
    if (Math.max(...d.map(Math.abs)) < 1e-13) break;
  }
  const mean = beta.reduce((a, b) => a + b, 0) / k;
  return Object.fromEntries(systems.map((s, i) => [s, beta[i] - mean]));
}

test('the MM fixpoint is the maximum of the likelihood found by Newton\'s method, ties as half wins, with and without the prior', () => {
  const pairs = synthetic(11, 400);
  const random = xorshift(99);
  for (let t = 0; t < 60; t++) {
    const a = NAMES[Math.floor(random() * 5)], b = NAMES[(NAMES.indexOf(a) + 1 + Math.floor(random() * 4)) % 5];
    pairs.push({ winner: a, loser: b, tie: true });
  }
  for (const prior of [0, 1, 4]) {
    const fit = bradleyTerry(pairs, { prior, bootstrap: 0, tolerance: 1e-13 });
    const newton = newtonFit(pairs, NAMES, prior);
    for (const s of fit.systems) close(s.score, newton[s.system], 1e-8, `prior ${prior}: ${s.system}`);
    assert.equal(fit.systems.find((s) => s.system === 'alpha').ties, pairs.filter((p) => p.tie && (p.winner === 'alpha' || p.loser === 'alpha')).length);
  }
});

test('a system that never wins gets a finite, lowest score from the prior; without a prior it is refused by name of the cause', () => {
  const pairs = [
    { winner: 'a', loser: 'b' }, { winner: 'b', loser: 'a' }, { winner: 'a', loser: 'b' },
    { winner: 'a', loser: 'z' }, { winner: 'b', loser: 'z' }, { winner: 'a', loser: 'z' }, { winner: 'b', loser: 'z' },
  ];
  const fit = bradleyTerry(pairs, { seed: 7, bootstrap: 300 });
  const z = fit.systems.at(-1);
  assert.equal(z.system, 'z');
  assert.ok(Number.isFinite(z.score) && z.ci.every(Number.isFinite), 'finite score and interval');
  assert.deepEqual([z.wins, z.losses, z.ties, z.n], [0, 4, 0, 4]);
  // Prior 1 is one virtual tie per pair: z's wins W_z = 0 + 0.5 (vs a) + 0.5 (vs b) = 1, its comparisons
  // n_za = 2 + 1 = 3, n_zb = 2 + 1 = 3; at the fit W_z = Σ_j n_zj p_z / (p_z + p_j) holds.
  const p = Object.fromEntries(fit.systems.map((s) => [s.system, Math.exp(s.score)]));
  close(0 + 0.5 + 0.5, (3 * p.z) / (p.z + p.a) + (3 * p.z) / (p.z + p.b), 1e-9, 'the fixpoint equation of z');
  assert.throws(() => bradleyTerry(pairs, { prior: 0 }), /prior 0 .*never wins or never loses/);
});

test('the bootstrap is reproducible from its seed and changes with it', () => {
  const pairs = synthetic(21, 300);
  const a = bradleyTerry(pairs, { seed: 'job-1', bootstrap: 100 });
  const b = bradleyTerry(pairs, { seed: 'job-1', bootstrap: 100 });
  const c = bradleyTerry(pairs, { seed: 'job-2', bootstrap: 100 });
  assert.deepEqual(a, b);
  assert.deepEqual(a.systems.map((s) => s.score), c.systems.map((s) => s.score), 'the scores do not depend on the seed');
  assert.notDeepEqual(a.systems.map((s) => s.ci), c.systems.map((s) => s.ci));
});

test('Bradley-Terry refuses empty input, unknown systems, a self-comparison and bad options, each by name', () => {
  assert.throws(() => bradleyTerry([]), /bradleyTerry: the judgements is empty/);
  assert.throws(() => bradleyTerry(null), /must be an array/);
  assert.throws(() => bradleyTerry([{ winner: 'a', loser: 'x' }], { systems: ['a', 'b'] }), /unknown system "x"/);
  assert.throws(() => bradleyTerry([{ winner: 'a', loser: 'a' }]), /compares "a" with itself/);
  assert.throws(() => bradleyTerry([{ winner: 'a' }]), /judgement 0 has no loser/);
  assert.throws(() => bradleyTerry([{ winner: 'a', loser: 'b', tie: 'yes' }]), /tie "yes"/);
  assert.throws(() => bradleyTerry([{ winner: 'a', loser: 'b' }], { bootstrap: -1 }), /options.bootstrap/);
  assert.throws(() => bradleyTerry([{ winner: 'a', loser: 'b' }], { seed: 1.5 }), /seed must be an integer or a string/);
});

test('win rates count a tie as half a win, or leave it out, by pair and overall', () => {
  const pairs = [
    { winner: 'a', loser: 'b' }, { winner: 'a', loser: 'b' }, { winner: 'a', loser: 'b' },
    { winner: 'b', loser: 'a' }, { winner: 'b', loser: 'a', tie: true }, { winner: 'c', loser: 'a' },
  ];
  const half = winRates(pairs);
  assert.deepEqual(half.systems, ['a', 'b', 'c']);
  // a vs b: 3 wins + half a tie of 5 = 0.7; b vs a 1.5 of 5; a vs c 0 of 1; b and c never met.
  assert.deepEqual(half.matrix, [[null, 0.7, 0], [0.3, null, null], [1, null, null]]);
  assert.deepEqual(half.counts, [[0, 5, 1], [5, 0, 0], [1, 0, 0]]);
  assert.deepEqual(half.overall, [{ system: 'a', rate: 3.5 / 6, n: 6 }, { system: 'b', rate: 0.3, n: 5 }, { system: 'c', rate: 1, n: 1 }]);
  const exclude = winRates(pairs, { ties: 'exclude' });
  assert.equal(exclude.matrix[0][1], 0.75);
  assert.throws(() => winRates(pairs, { ties: 'third' }), /"half" or "exclude"/);
});

// ---------------------------------------------------------------------------------------------
// Fleiss' kappa

// Fleiss, J. L. (1971), Measuring nominal scale agreement among many raters, Psychological Bulletin
// 76(5), 378-382, Table 1: 30 patients, 6 psychiatrists each, categories depression, personality
// disorder, schizophrenia, neurosis, other (counts as transcribed in the R package quadagree,
// data_raw/fleiss1971.csv). The paper gives kappa = .430 overall and per category .245, .245,
// .520, .471, .566 (R's irr::kappam.fleiss(diagnoses) prints Kappa = 0.43 for the same data).
const FLEISS_1971 = [
  [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0], [2, 0, 4, 0, 0],
  [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6], [1, 0, 0, 5, 0], [1, 1, 0, 4, 0],
  [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1], [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0],
  [0, 2, 0, 4, 0], [1, 0, 2, 0, 3], [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0],
  [1, 0, 0, 4, 1], [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
];

test('Fleiss\' kappa of Fleiss\'s own 1971 example is .430, and his per-category kappas', () => {
  const result = fleissKappa(FLEISS_1971);
  close(result.kappa, 0.430, 0.0005, 'kappa');
  [0.245, 0.245, 0.520, 0.471, 0.566].forEach((k, j) => close(result.categories[j].kappa, k, 0.0005, `category ${j}`));
  assert.deepEqual([result.items, result.raters], [30, 6]);
});

test('Fleiss\' kappa of a small example computed by hand', () => {
  // 3 items, 3 raters, categories (A, B): [3,0], [0,3], [2,1].
  // P_i = (Σ n_ij² - n) / (n(n-1)): (9-3)/6 = 1, 1, (4+1-3)/6 = 1/3; P̄ = (7/3)/3 = 7/9.
  // p_A = 5/9, p_B = 4/9; P̄e = 25/81 + 16/81 = 41/81; kappa = (63/81 - 41/81) / (40/81) = 22/40.
  const result = fleissKappa([[3, 0], [0, 3], [2, 1]]);
  close(result.observed, 7 / 9, 1e-12, 'P̄');
  close(result.expected, 41 / 81, 1e-12, 'P̄e');
  close(result.kappa, 0.55, 1e-12, 'kappa');
  // Everyone always in one category: chance agreement is 1 and kappa undefined, not 1.
  assert.equal(fleissKappa([[3, 0], [3, 0]]).kappa, null);
});

test('Fleiss\' kappa refuses items with different numbers of raters, negative or fractional counts, empty input', () => {
  assert.throws(() => fleissKappa([[3, 0], [1, 1]]), /item 1 was rated by 2 raters, item 0 by 3/);
  assert.throws(() => fleissKappa([[3, -1]]), /count must be an integer >= 0/);
  assert.throws(() => fleissKappa([[1.5, 1.5]]), /must be an integer/);
  assert.throws(() => fleissKappa([[2, 0], [1, 1, 0]]), /item 1 has 3 categories/);
  assert.throws(() => fleissKappa([]), /the items is empty/);
  assert.throws(() => fleissKappa([[1, 0]]), /at least two raters/);
});

// ---------------------------------------------------------------------------------------------
// Krippendorff's alpha

// Krippendorff, K. (2011), Computing Krippendorff's Alpha-Reliability (Annenberg School for
// Communication, University of Pennsylvania, https://repository.upenn.edu/asc_papers/43), the
// example "C. Nominal data, any number of observers, missing data": 4 observers, 12 units, unit 12
// coded once (not pairable), alpha_nominal = 0.743; the same reliability data give alpha_ordinal =
// 0.815, alpha_interval = 0.849 and alpha_ratio = 0.797 there (also the values the Python package
// krippendorff tests against, tests/test_krippendorff.py).
const OBSERVERS = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];
const UNITS = OBSERVERS[0].map((_, u) => OBSERVERS.map((row) => row[u]));

test('Krippendorff\'s alpha of his own example with missing values: nominal .743, ordinal .815, interval .849, ratio .797', () => {
  const expected = { nominal: 0.743, ordinal: 0.815, interval: 0.849, ratio: 0.797 };
  for (const [level, alpha] of Object.entries(expected)) close(krippendorffAlpha(UNITS, level).alpha, alpha, 0.0005, level);
  const nominal = krippendorffAlpha(UNITS, 'nominal');
  assert.equal(nominal.units, 11, 'unit 12, coded once, is left out');
  assert.equal(nominal.values, 40, 'n = 40 pairable values');
});

test('Krippendorff\'s alpha of a second published example (3 coders, 15 units, many missing): nominal 0.691', () => {
  // The computational example of the Wikipedia article "Krippendorff's alpha" (its coders A, B, C),
  // alpha_nominal = 0.691 there (also in the Python package krippendorff's tests, 0.691358).
  const coders = [
    [null, null, null, null, null, 3, 4, 1, 2, 1, 1, 3, 3, null, 3],
    [1, null, 2, 1, 3, 3, 4, 3, null, null, null, null, null, null, null],
    [null, null, 2, 1, 3, 4, 4, null, 2, 1, 1, 3, 3, null, 4],
  ];
  close(krippendorffAlpha(coders[0].map((_, u) => coders.map((r) => r[u])), 'nominal').alpha, 0.691, 0.0005, 'nominal');
});

test('Krippendorff\'s alpha of a small example computed by hand, at each level, with a unit too small to pair', () => {
  // Units [1, 2], [3, 3], [5 and a missing value] (left out), [4] (left out). Values 1, 2, 3, 3: n = 4,
  // n_1 = n_2 = 1, n_3 = 2. Coincidences: o(1,2) = o(2,1) = 1, o(3,3) = 2.
  const units = [[1, 2], [3, 3], [null, 5], [4]];
  // Interval: D_o = (1·1 + 1·1)/4 = 1/2; D_e = [2·(1·1·1) + 2·(1·2·4) + 2·(1·2·1)] / (4·3) = 22/12;
  // alpha = 1 - (1/2)/(11/6) = 8/11.
  const interval = krippendorffAlpha(units, 'interval');
  close(interval.observed, 0.5, 1e-12, 'interval D_o');
  close(interval.expected, 22 / 12, 1e-12, 'interval D_e');
  close(interval.alpha, 8 / 11, 1e-12, 'interval alpha');
  assert.equal(interval.units, 2);
  // Nominal: D_o = 2/4; D_e = 2·(1·1 + 1·2 + 1·2)/12 = 10/12; alpha = 1 - 0.5·12/10 = 0.4.
  close(krippendorffAlpha(units, 'nominal').alpha, 0.4, 1e-12, 'nominal alpha');
  // Ordinal: δ²(c,k) = (Σ_{g=c..k} n_g - (n_c + n_k)/2)²: δ²(1,2) = (2-1)² = 1, δ²(1,3) = (4-1.5)² = 6.25,
  // δ²(2,3) = (3-1.5)² = 2.25; D_o = 2/4; D_e = 2·(1 + 2·6.25 + 2·2.25)/12 = 3; alpha = 1 - 0.5/3 = 5/6.
  close(krippendorffAlpha(units, 'ordinal').alpha, 5 / 6, 1e-12, 'ordinal alpha');
  // Perfect agreement is 1; no variation at all leaves alpha undefined; nothing pairable too.
  assert.equal(krippendorffAlpha([[1, 1], [2, 2, 2]], 'interval').alpha, 1);
  assert.equal(krippendorffAlpha([[3, 3], [3, 3]], 'interval').alpha, null);
  assert.equal(krippendorffAlpha([[3, null], [4]], 'interval').alpha, null);
  // Nominal takes labels too.
  close(krippendorffAlpha([['a', 'b'], ['c', 'c'], [null, 'x']], 'nominal').alpha, 0.4, 1e-12, 'nominal labels');
});

test('Krippendorff\'s alpha refuses a rating out of scale, a non-number at the interval level, an unknown level, empty input', () => {
  assert.throws(() => krippendorffAlpha([[1, 6]], 'interval', { scale: [1, 5] }), /unit 0, rater 1: the rating 6 is out of the scale 1\.\.5/);
  assert.throws(() => krippendorffAlpha([[1, 'x']], 'interval'), /"x" is not a number, as the interval level needs/);
  assert.throws(() => krippendorffAlpha([[1, Number.NaN]], 'ordinal'), /not a number/);
  assert.throws(() => krippendorffAlpha([[1, 2]], 'cardinal'), /unknown level "cardinal"/);
  assert.throws(() => krippendorffAlpha([], 'nominal'), /the units is empty/);
  assert.throws(() => krippendorffAlpha([3], 'nominal'), /unit 0 is not an array/);
});

// ---------------------------------------------------------------------------------------------
// Order bias

/** Two-sided exact binomial p-value at 1/2 by exact rational sums: P(X <= min) + P(X >= max) of k and n-k (symmetric case). */
function exactTwoSided(k, n) {
  const choose = [1n];
  for (let i = 0; i < n; i++) choose.push((choose[i] * BigInt(n - i)) / BigInt(i + 1));
  const low = Math.min(k, n - k), high = Math.max(k, n - k);
  let tail = 0n;
  for (let i = 0; i <= n; i++) if (i <= low || i >= high) tail += choose[i];
  const total = 1n << BigInt(n);
  if (tail >= total) return 1;
  return Number((tail * 10n ** 18n) / total) / 1e18;
}

test('order bias: the share won by the first-shown clip, ties left out, and the exact two-sided binomial p-value', () => {
  const trials = [
    ...Array.from({ length: 15 }, () => ({ firstShownWon: true })),
    ...Array.from({ length: 5 }, () => ({ firstShownWon: false })),
    { firstShownWon: null }, { firstShownWon: null },
  ];
  const bias = orderBias(trials);
  assert.deepEqual([bias.n, bias.firstWon, bias.ties, bias.share], [20, 15, 2, 0.75]);
  // 2·(C(20,15)+C(20,16)+...+C(20,20))/2^20 = 2·21700/1048576.
  close(bias.pValue, (2 * 21700) / 1048576, 1e-12, 'p');
  for (const [k, n] of [[0, 1], [1, 1], [3, 10], [5, 10], [6, 11], [40, 60], [12, 13], [500, 1000], [530, 1000], [0, 200]]) {
    close(binomialTwoSided(k, n), exactTwoSided(k, n), 1e-10 * Math.max(1, exactTwoSided(k, n)), `${k} of ${n}`);
  }
  assert.deepEqual(orderBias([{ firstShownWon: null }]), { share: null, n: 0, firstWon: 0, ties: 1, pValue: null });
  assert.throws(() => orderBias([]), /orderBias: the trials is empty/);
  assert.throws(() => orderBias([{ firstShownWon: 'A' }]), /trial 0 has firstShownWon "A"/);
});

// ---------------------------------------------------------------------------------------------
// MOS and Student's t

test('Student\'s t quantiles match the published table and the closed forms for 1 and 2 degrees of freedom', () => {
  // Two-sided 95% (p = 0.975), 99% (0.995) and one-sided 95% (0.95) values as printed in t tables.
  const table = [[0.975, 1, 12.706], [0.975, 2, 4.303], [0.975, 3, 3.182], [0.975, 4, 2.776], [0.975, 5, 2.571],
    [0.975, 10, 2.228], [0.975, 30, 2.042], [0.975, 120, 1.980], [0.995, 5, 4.032], [0.995, 20, 2.845], [0.95, 10, 1.812]];
  for (const [p, df, t] of table) close(tQuantile(p, df), t, 0.0005, `t(${p}, ${df})`);
  close(tQuantile(0.975, 1e7), 1.959964, 1e-6, 'the normal limit');
  for (const p of [0.6, 0.9, 0.975, 0.999]) {
    close(tQuantile(p, 1), Math.tan(Math.PI * (p - 0.5)), 1e-9 * Math.tan(Math.PI * (p - 0.5)), `Cauchy ${p}`);
    close(tQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 1e-10, `2 df ${p}`);
  }
  close(tQuantile(0.025, 4), -2.776, 0.0005, 'lower tail');
  close(tCdf(2.776445105, 4), 0.975, 1e-9, 'the CDF at its quantile');
});

test('the MOS table: mean, t-based 95% interval and n per system and criterion, computed by hand', () => {
  const ratings = [
    ...[4, 5, 3, 4, 4].map((value) => ({ system: 'tts-a', criterion: 'naturalness', value })),
    ...[2, 3].map((value) => ({ system: 'tts-b', criterion: 'naturalness', value })),
    { system: 'tts-a', criterion: 'prosody', value: 5 },
  ];
  const rows = mosTable(ratings, { scale: [1, 5] });
  assert.deepEqual(rows.map((r) => [r.system, r.criterion, r.n]), [['tts-a', 'naturalness', 5], ['tts-a', 'prosody', 1], ['tts-b', 'naturalness', 2]]);
  // tts-a: mean 4, s² = (0+1+1+0+0)/4 = 0.5, half-width t(0.975,4)·√0.5/√5 = 2.7764·0.31623 = 0.87799.
  const [a, prosody, b] = rows;
  close(a.mean, 4, 1e-12, 'mean');
  close(a.ci95[0], 4 - 0.87799, 1e-4, 'low');
  close(a.ci95[1], 4 + 0.87799, 1e-4, 'high');
  // tts-b: mean 2.5, s = √0.5, half-width t(0.975,1)·√0.5/√2 = 12.7062·0.5 = 6.3531.
  close(b.ci95[1] - b.mean, 6.3531, 1e-4, 'two ratings');
  assert.equal(prosody.ci95, null, 'one rating has no interval');
});

test('the MOS table refuses a rating out of scale, an unknown system or criterion, a missing value, empty input', () => {
  const one = (value, system = 'a', criterion = 'naturalness') => [{ system, criterion, value }];
  assert.throws(() => mosTable(one(6), { scale: [1, 5] }), /rating 0 \(a, naturalness\) is 6, out of the scale 1\.\.5/);
  assert.throws(() => mosTable(one(3, 'x'), { systems: ['a', 'b'] }), /unknown system "x"/);
  assert.throws(() => mosTable(one(3, 'a', 'speed'), { scales: { naturalness: [1, 5] } }), /criterion "speed" is not one of/);
  assert.throws(() => mosTable(one(null)), /has the value null, not a number/);
  assert.throws(() => mosTable([]), /mosTable: the ratings is empty/);
  assert.throws(() => mosTable(one(3), { scale: [5, 1] }), /options.scale must be \[lowest, highest\]/);
  assert.throws(() => mosTable(one(3), { scales: { naturalness: 5 } }), /options.scales\["naturalness"\] must be/);
  assert.equal(mosTable(one(3), { scales: { naturalness: [1, 5] } })[0].mean, 3);
});

// ---------------------------------------------------------------------------------------------
// Majority

test('the majority judgement per task, its share, and a tie at the top left undecided', () => {
  const result = majority([
    { task: 't1', value: 'tts-a' }, { task: 't1', value: 'tts-a' }, { task: 't1', value: 'tie' },
    { task: 't2', value: 'tts-a' }, { task: 't2', value: 'tts-b' },
    { task: 3, value: -2 },
  ]);
  assert.deepEqual(result, [
    { task: 't1', value: 'tts-a', share: 2 / 3, n: 3, counts: { 'tts-a': 2, tie: 1 }, tied: ['tts-a'] },
    { task: 't2', value: null, share: 0.5, n: 2, counts: { 'tts-a': 1, 'tts-b': 1 }, tied: ['tts-a', 'tts-b'] },
    { task: 3, value: -2, share: 1, n: 1, counts: { '-2': 1 }, tied: [-2] },
  ]);
  assert.throws(() => majority([]), /majority: the judgements is empty/);
  assert.throws(() => majority([{ task: 't1' }]), /judgement 0 \(task "t1"\) has the value undefined/);
  assert.throws(() => majority([{ value: 'a' }]), /judgement 0 has no task/);
});

test('Bradley-Terry gives no interval (null, with the reason) where the bootstrap cannot show spread', () => {
  const ties = Array.from({ length: 12 }, () => ({ winner: 'a', loser: 'b', tie: true }));
  for (const s of bradleyTerry(ties, { bootstrap: 200 }).systems) {
    assert.equal(s.ci, null, `${s.system}: an interval [0, 0] would claim certainty`);
    assert.match(s.ciReason, /every judgement of this system is a tie, so the resamples show no spread/);
  }
  const once = [
    ...Array.from({ length: 10 }, (_, i) => ({ winner: i % 3 ? 'a' : 'b', loser: i % 3 ? 'b' : 'a' })),
    { winner: 'c', loser: 'a' },
  ];
  const fit = bradleyTerry(once, { bootstrap: 200, seed: 3 });
  const c = fit.systems.find((s) => s.system === 'c');
  assert.equal(c.n, 1);
  assert.equal(c.ci, null);
  assert.equal(c.ciReason, 'only 1 judgement of this system (an interval needs at least 3)');
  for (const s of fit.systems.filter((x) => x.system !== 'c')) {
    assert.ok(s.ci[0] < s.ci[1], `${s.system}: ${s.ci}`);
    assert.equal(s.ciReason, null);
  }
  assert.equal(bradleyTerry(once, { bootstrap: 200, minJudgements: 1 }).systems.find((s) => s.system === 'c').ciReason, null, 'minJudgements lowers the bar');
  assert.match(bradleyTerry(once, { bootstrap: 0 }).systems[0].ciReason, /bootstrap 0/);
  assert.throws(() => bradleyTerry(once, { minJudgements: 0 }), /options\.minJudgements/);
});
