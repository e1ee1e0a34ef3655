// SPDX-License-Identifier: MIT
// Comparison exports (web/src/comparison-exports.js): preference pairs in the reward-model shape
// with each side's segment-level reasons, a ranking expanded to k(k-1)/2 pairs with ties out unless
// asked, MOS per system and criterion and CMOS per system pair against hand-computed figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildComparison } from '../../web/src/comparison-doc.js';
import { cmosRows, judgedPairs, mosRows, preferencePairs, segmentReasons, toCmosCsv, toMosCsv, toPreferencesJsonl } from '../../web/src/comparison-exports.js';

const config = {
  categories: [{ name: 'issue', tags: ['mispronunciation', 'motion artefact'] }],
  segmentFields: [{ name: 'note', type: 'text' }, { name: 'severity', type: 'rating', max: 3 }],
  comparison: { criteria: [{ name: 'naturalness', scale: [1, 5] }, { name: 'prosody', scale: [1, 5] }] },
};

const audio = (url, segments) => ({
  format: 'avseg.annotation', version: 1, media: { url }, timebase: { rate: 48000, frames: 480000 },
  tracks: [{ id: 't1', category: 'issue', tag: 'mispronunciation' }],
  segments: segments.map(([start, end, fields], k) => ({ id: `s${k + 1}`, track: 't1', start, end, startTime: start / 48000, endTime: end / 48000, fields })),
  classifications: {},
});

/** A two-clip preference as <avseg-compare> builds it; shown order [1, 0]. */
function preference(shownCmos, { systems = ['tts-a', 'tts-b'], order = [1, 0], annotator = 'ann-1', ratings = [{}, {}], taskId = 'utt-1' } = {}) {
  return buildComparison({
    prompt: 'Please hold.', taskId, annotator, seed: 'ab', order,
    clips: [
      { system: systems[0], source: `s3://b/${systems[0]}.wav`, annotation: audio('a.wav', [[72000, 24000 + 72000, { note: 'late "t"', severity: 2 }], [24000, 48000, { note: 'transfur' }]]) },
      { system: systems[1], source: `s3://b/${systems[1]}.wav`, annotation: audio('b.wav', []) },
    ],
    panel: { ratings, judgement: { type: 'preference', shownCmos, reason: 'A slurs' } },
  });
}

test('a preference is one pair: the better clip chosen, |CMOS| its strength, each side\'s segments as reasons', () => {
  // Shown B (manifest clip 0, tts-a) is much worse than shown A (clip 1, tts-b).
  const doc = preference(-3);
  assert.equal(doc.judgement.cmos, 3, 'clips[1] (tts-b, shown A) is much better than clips[0]');
  const [pair, ...rest] = preferencePairs([{ doc, worker: 'w-1' }], { config });
  assert.equal(rest.length, 0);
  assert.deepEqual(Object.keys(pair), ['prompt', 'chosen', 'rejected', 'strength', 'tie', 'annotator', 'documentAnnotator', 'taskId', 'reasons', 'judgementReason']);
  assert.equal(pair.prompt, 'Please hold.');
  assert.deepEqual(pair.chosen, { system: 'tts-b', source: 's3://b/tts-b.wav' });
  assert.deepEqual(pair.rejected, { system: 'tts-a', source: 's3://b/tts-a.wav' });
  assert.equal(pair.strength, 3);
  assert.equal(pair.tie, false);
  assert.equal(pair.annotator, 'w-1', 'the host\'s worker id, as the report counts annotators');
  assert.equal(pair.documentAnnotator, 'ann-1', 'the document\'s own annotator kept beside it');
  assert.equal(pair.taskId, 'utt-1');
  assert.equal(pair.judgementReason, 'A slurs');
  assert.deepEqual(pair.reasons.chosen, []);
  assert.deepEqual(pair.reasons.rejected, [
    { track: { category: 'issue', tag: 'mispronunciation' }, start: 0.5, end: 1, startPosition: 24000, endPosition: 48000, rate: 48000, label: 'transfur', fields: { note: 'transfur' } },
    { track: { category: 'issue', tag: 'mispronunciation' }, start: 1.5, end: 2, startPosition: 72000, endPosition: 96000, rate: 48000, label: 'late "t"', fields: { note: 'late "t"', severity: 2 } },
  ], 'in time order, seconds and exact positions');
  const line = toPreferencesJsonl([{ doc, worker: 'w-1' }], { config });
  assert.equal(line, `${JSON.stringify(pair)}\n`);
  assert.equal(preferencePairs([{ doc: { ...doc, annotator: null }, worker: 'w-1' }])[0].annotator, 'w-1');
  assert.equal(preferencePairs([{ doc }])[0].annotator, 'ann-1', 'without a worker id, the document\'s');
});

test('the same judgement shown in the other order gives the same pair', () => {
  const a = preferencePairs([{ doc: preference(-3, { order: [1, 0] }) }]);
  const b = preferencePairs([{ doc: preference(3, { order: [0, 1] }) }]);
  assert.deepEqual(a, b);
});

test('a tie is left out unless asked for, then written in manifest order with strength 0', () => {
  const doc = preference(0);
  assert.deepEqual(preferencePairs([{ doc }]), []);
  const [tie] = preferencePairs([{ doc }], { ties: true });
  assert.equal(tie.tie, true);
  assert.equal(tie.strength, 0);
  assert.deepEqual([tie.chosen.system, tie.rejected.system], ['tts-a', 'tts-b']);
  const unanswered = { ...doc, judgement: null };
  assert.deepEqual(preferencePairs([{ doc: unanswered }], { ties: true }), [], 'no judgement, no pair');
});

test('a ranking of k clips expands to k(k-1)/2 pairs, the rank difference the strength, ties out unless asked', () => {
  const clips = ['a', 'b', 'c', 'd'].map((s) => ({ system: s, source: `${s}.mp4`, annotation: audio(`${s}.mp4`, []) }));
  // Manifest ranks [3, 2, 2, 1] (shown order [3, 2, 0, 1]).
  const doc = buildComparison({ order: [3, 2, 0, 1], clips, panel: { ratings: [], judgement: { type: 'ranking', shownRanks: [1, 2, 3, 2], reason: null } } });
  assert.deepEqual(doc.judgement.ranks, [3, 2, 2, 1]);
  assert.deepEqual(judgedPairs(doc), [
    { i: 0, j: 1, winner: 1, strength: 1 }, { i: 0, j: 2, winner: 2, strength: 1 }, { i: 0, j: 3, winner: 3, strength: 2 },
    { i: 1, j: 2, winner: null, strength: 0 }, { i: 1, j: 3, winner: 3, strength: 1 }, { i: 2, j: 3, winner: 3, strength: 1 },
  ]);
  const pairs = preferencePairs([{ doc }]);
  assert.equal(pairs.length, 5, '6 pairs of 4, the tie left out');
  assert.deepEqual(pairs.map((p) => `${p.chosen.system}>${p.rejected.system}:${p.strength}`), ['b>a:1', 'c>a:1', 'd>a:2', 'd>b:1', 'd>c:1']);
  assert.ok(pairs.every((p) => p.judgementReason === null && p.prompt === null));
  const withTies = preferencePairs([{ doc }], { ties: true });
  assert.equal(withTies.length, 6);
  assert.deepEqual(withTies.filter((p) => p.tie).map((p) => [p.chosen.system, p.rejected.system, p.strength]), [['b', 'c', 0]]);
});

test('a video clip\'s reasons carry its frames beside the exact positions', () => {
  const video = {
    format: 'avseg.annotation', version: 1, media: { url: 'v.mp4', frames: 250 }, timebase: { rate: 48000, frames: 480000 },
    tracks: [{ id: 't1', category: 'issue', tag: 'motion artefact' }],
    segments: [{ id: 's1', track: 't1', start: 48000, end: 67200, startFrame: 25, endFrame: 35, fields: {} }], classifications: {},
  };
  assert.deepEqual(segmentReasons(video, config), [{ track: { category: 'issue', tag: 'motion artefact' }, start: 1, end: 1.4, startPosition: 48000, endPosition: 67200, rate: 48000, startFrame: 25, endFrame: 35, label: 'motion artefact', fields: {} }]);
  assert.deepEqual(segmentReasons(null), []);
});

test('MOS per system and criterion: mean and 95% t interval as hand-computed', () => {
  const answers = [[4, 2], [5, 3], [3, 4]].map(([a, b], k) => ({ doc: preference(1, { annotator: `ann-${k}`, order: [0, 1], ratings: [{ naturalness: a, prosody: 4 }, { naturalness: b }] }) }));
  const rows = mosRows(answers, { config });
  assert.deepEqual(rows.map((r) => [r.system, r.criterion, r.n, r.mean]), [['tts-a', 'naturalness', 3, 4], ['tts-a', 'prosody', 3, 4], ['tts-b', 'naturalness', 3, 3]]);
  // sd 1, t(0.975, 2) = 4.302653, half-width 4.302653 / sqrt(3) = 2.484138.
  assert.ok(Math.abs(rows[0].ci95[0] - 1.515862) < 1e-5 && Math.abs(rows[0].ci95[1] - 6.484138) < 1e-5);
  assert.deepEqual(rows[1].ci95, [4, 4], 'no spread, no width');
  assert.equal(toMosCsv(answers, { config }), [
    'system,criterion,n,mean,ci95_low,ci95_high',
    'tts-a,naturalness,3,4,1.515862,6.484138',
    'tts-a,prosody,3,4,4,4',
    'tts-b,naturalness,3,3,0.515862,5.484138',
  ].map((l) => `${l}\r\n`).join(''));
  const one = toMosCsv([answers[0]]);
  assert.match(one, /\r\ntts-a,naturalness,1,4,,\r\n/, 'a single rating has no interval');
  assert.throws(() => mosRows([{ doc: preference(1, { ratings: [{ naturalness: 9 }, {}] }) }], { config }), /out of the scale 1\.\.5/);
  assert.equal(toMosCsv([]), 'system,criterion,n,mean,ci95_low,ci95_high\r\n');
});

test('CMOS per system pair: oriented alphabetically, mean, interval, wins, ties and losses', () => {
  const answers = [
    preference(-2, { systems: ['tts-b', 'tts-a'], order: [0, 1] }), // tts-a (clips[1]) -2 against tts-b: tts-b +2 over tts-a
    preference(1, { systems: ['tts-a', 'tts-b'], order: [0, 1] }), // tts-b +1 over tts-a
    preference(0, { systems: ['tts-a', 'tts-b'], order: [1, 0] }), // tie
    preference(3, { systems: ['tts-c', 'tts-a'], order: [1, 0] }), // shown B = clips[0] (tts-c) +3 over tts-a: cmos -3, tts-c +3 over tts-a
  ].map((doc) => ({ doc }));
  const rows = cmosRows(answers);
  assert.deepEqual(rows.map((r) => [r.systemA, r.systemB, r.n, r.mean, r.wins, r.ties, r.losses]), [
    ['tts-a', 'tts-b', 3, 1, 2, 1, 0],
    ['tts-a', 'tts-c', 1, 3, 1, 0, 0],
  ]);
  // values 2, 1, 0: sd 1, half-width 2.484138.
  assert.ok(Math.abs(rows[0].ci95[0] + 1.484138) < 1e-5 && Math.abs(rows[0].ci95[1] - 3.484138) < 1e-5);
  assert.equal(toCmosCsv(answers), [
    'system_a,system_b,n,mean,ci95_low,ci95_high,wins,ties,losses',
    'tts-a,tts-b,3,1,-1.484138,3.484138,2,1,0',
    'tts-a,tts-c,1,3,,,1,0,0',
  ].map((l) => `${l}\r\n`).join(''));
});

test('system names a spreadsheet would run as formulas are neutralised in the CSV', () => {
  const answers = [{ doc: preference(1, { systems: ['=HYPERLINK("x")', 'plain, name'], order: [0, 1], ratings: [{ naturalness: 3 }, { naturalness: 4 }] }) }];
  const csv = toMosCsv(answers);
  assert.ok(csv.includes('"\'=HYPERLINK(""x"")",naturalness,1,3,,'));
  assert.ok(csv.includes('"plain, name",naturalness,1,4,,'));
  assert.ok(toCmosCsv(answers).includes('"\'=HYPERLINK(""x"")","plain, name",1,1,'));
});
