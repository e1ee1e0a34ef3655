// SPDX-License-Identifier: MIT
// The comparison document v1 (web/src/comparison-doc.js): manifest lines read or refused by name,
// the document built field by field from the panel's shown order into manifest order (the CMOS sign
// corrected, ranks mapped), and the problems that block submitting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderSeed, shuffledOrder } from '../../web/src/blind-order.js';
import {
  ComparisonError, annotationProblems, buildComparison, parseComparisonManifestLine, validateComparison,
} from '../../web/src/comparison-doc.js';

const config = {
  categories: [{ name: 'issue', tags: ['mispronunciation', 'unnatural pause'] }],
  segmentFields: [{ name: 'note', type: 'text', label: 'Note', required: true }],
  classifications: [{ name: 'usable', type: 'boolean', label: 'Usable', required: true }],
  comparison: {
    criteria: [{ name: 'naturalness', label: 'Naturalness', scale: [1, 5], required: true }, { name: 'prosody', scale: [1, 5] }],
    judgement: 'auto', reason: 'required', blind: true,
  },
};

/** An annotation document of one clip: a segment on the mispronunciation track, answered. */
const annotation = (url, { note = 'says "transfur"', usable = true, segments = true } = {}) => ({
  format: 'avseg.annotation', version: 1, taskId: 'utt-1',
  media: { url, duration: 2, sampleRate: 48000, channels: 1 }, timebase: { rate: 48000, frames: 96000 },
  tracks: [{ id: 't1', category: 'issue', tag: 'mispronunciation', allowOverlap: true, minLength: 0 }],
  segments: segments ? [{ id: 's1', track: 't1', start: 24000, end: 48000, startTime: 0.5, endTime: 1, fields: note === null ? {} : { note } }] : [],
  classifications: usable === null ? {} : { usable },
});

const line = { prompt: 'Please hold.', id: 'utt-1', clips: [{ 'source-ref': 's3://b/a.wav', system: 'tts-a' }, { 'source-ref': 's3://b/b.wav', system: 'tts-b', 'peaks-ref': 's3://b/b.dat' }] };

test('a comparison manifest line is read into prompt, task id and clips in manifest order', () => {
  assert.deepEqual(parseComparisonManifestLine(JSON.stringify(line)), {
    prompt: 'Please hold.', taskId: 'utt-1',
    clips: [{ source: 's3://b/a.wav', system: 'tts-a', peaks: null }, { source: 's3://b/b.wav', system: 'tts-b', peaks: 's3://b/b.dat' }],
  });
  const four = { clips: ['a', 'b', 'c', 'd'].map((s) => ({ 'source-ref': `${s}.mp4`, system: s })), id: 42 };
  const parsed = parseComparisonManifestLine(four);
  assert.equal(parsed.prompt, null, 'no prompt is null');
  assert.equal(parsed.taskId, '42');
  assert.deepEqual(parsed.clips.map((c) => c.system), ['a', 'b', 'c', 'd']);
});

test('a malformed comparison line is refused naming the key and what is wrong', () => {
  const clip = (system, ref = `${system}.wav`) => ({ 'source-ref': ref, system });
  const cases = [
    ['{"clips": [', '', /^line: is not valid JSON/],
    ['[1]', '', /must be a JSON object, got an array/],
    [{ 'source-ref': 'a.wav' }, 'clips', /clips: is required: a comparison line lists its 2 to 4 clips/],
    [{ clips: 'a.wav' }, 'clips', /must be an array of clips/],
    [{ clips: [clip('a')] }, 'clips', /clips: a comparison needs 2 to 4 clips, this line has 1$/],
    [{ clips: ['a', 'b', 'c', 'd', 'e'].map((s) => clip(s)) }, 'clips', /this line has 5$/],
    [{ clips: [clip('a'), 'b.wav'] }, 'clips[1]', /clips\[1\]: must be an object with "source-ref" and "system", got "b.wav"/],
    [{ clips: [clip('a'), { system: 'b' }] }, 'clips[1].source-ref', /clips\[1\]\.source-ref: is required \(the clip's media\)/],
    [{ clips: [clip('a'), clip('b', ' ')] }, 'clips[1].source-ref', /must be a non-empty string, got " "/],
    [{ clips: [clip('a'), { 'source-ref': 'b.wav' }] }, 'clips[1].system', /clips\[1\]\.system: is required \(the system that made the clip\)/],
    [{ clips: [clip('a'), clip('')] }, 'clips[1].system', /must be a non-empty string, got ""/],
    [{ clips: [clip('tts-a'), clip('tts-b'), clip('tts-a', 'c.wav')] }, 'clips[2].system', /clips\[2\]\.system: "tts-a" appears twice \(clips\[0\] too; systems must be distinct\)/],
    [{ clips: [clip('a'), { ...clip('b'), 'peaks-ref': 3 }] }, 'clips[1].peaks-ref', /must be a non-empty string when given, got 3/],
    [{ clips: [clip('a'), clip('b')], prompt: 5 }, 'prompt', /prompt: must be text or null, got 5/],
    [{ clips: [clip('a'), clip('b')], id: '' }, 'id', /id: must be a non-empty string, got ""/],
    [{ clips: [clip('a'), clip('b')], 'source-ref': 'a.wav' }, 'source-ref', /source-ref: a comparison line gives its media in "clips"; a top-level "source-ref" would make Ground Truth take the line as one media item/],
  ];
  for (const [input, path, message] of cases) {
    assert.throws(() => parseComparisonManifestLine(input), (err) => {
      assert.ok(err instanceof ComparisonError, JSON.stringify(input));
      assert.equal(err.path, path, JSON.stringify(input));
      assert.match(err.message, message);
      return true;
    });
  }
});

/** What <avseg-compare> hands over: clips in manifest order, the panel's value by shown position. */
const build = (order, panel, more = {}) => buildComparison({
  prompt: 'Please hold.', taskId: 'utt-1', annotator: 'ann-1', blind: true, seed: '8729b0678f9a4f44', order,
  clips: [
    { system: 'tts-a', source: 's3://b/a.wav', annotation: annotation('s3://b/a.wav'), heardMs: 12345.4 },
    { system: 'tts-b', source: 's3://b/b.wav', annotation: annotation('s3://b/b.wav'), heardMs: 10210 },
  ],
  panel,
  timings: { openedAt: '2026-11-30T02:00:00.000Z', submittedAt: '2026-11-30T02:03:10.000Z', switches: 14, loops: 2 },
  ...more,
});

test('the document holds every field in manifest order, the shown labels and the timings', () => {
  const panel = { ratings: [{ naturalness: 2, prosody: null }, { naturalness: 4, prosody: 3 }], judgement: { type: 'preference', shownCmos: 2, reason: 'B mispronounces "transfer"' } };
  const doc = build([1, 0], panel);
  assert.deepEqual(Object.keys(doc), ['format', 'version', 'prompt', 'taskId', 'annotator', 'blind', 'seed', 'order', 'clips', 'judgement', 'timings']);
  assert.equal(doc.format, 'avseg-comparison');
  assert.equal(doc.version, 1);
  assert.equal(doc.prompt, 'Please hold.');
  assert.equal(doc.taskId, 'utt-1');
  assert.equal(doc.annotator, 'ann-1');
  assert.equal(doc.blind, true);
  assert.equal(doc.seed, '8729b0678f9a4f44');
  assert.deepEqual(doc.order, [1, 0]);
  // Shown A is manifest clip 1 (tts-b), shown B is clip 0 (tts-a).
  assert.deepEqual(doc.clips.map((c) => [c.system, c.source, c.shownAs]), [['tts-a', 's3://b/a.wav', 'B'], ['tts-b', 's3://b/b.wav', 'A']]);
  assert.deepEqual(doc.clips[0].ratings, { naturalness: 4, prosody: 3 }, 'shown B\'s ratings are clip 0\'s');
  assert.deepEqual(doc.clips[1].ratings, { naturalness: 2 }, 'unanswered criteria are left out');
  assert.equal(doc.clips[0].heardMs, 12345);
  assert.equal(doc.clips[0].annotation.segments[0].start, 24000, 'the clip\'s annotation with exact positions');
  assert.equal(doc.clips[1].annotation.media.url, 's3://b/b.wav');
  assert.deepEqual(doc.judgement, { type: 'preference', cmos: -2, shownCmos: 2, preferred: 0, reason: 'B mispronounces "transfer"' });
  assert.deepEqual(doc.timings, { openedAt: '2026-11-30T02:00:00.000Z', submittedAt: '2026-11-30T02:03:10.000Z', switches: 14, loops: 2 });
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc, 'plain JSON');
});

test('the CMOS sign is corrected from the shown order to manifest order', () => {
  const pref = (shownCmos) => ({ ratings: [], judgement: { type: 'preference', shownCmos, reason: null } });
  for (const shownCmos of [-3, -2, -1, 0, 1, 2, 3]) {
    const same = build([0, 1], pref(shownCmos)).judgement;
    assert.equal(same.cmos, shownCmos, 'shown in manifest order: unchanged');
    assert.equal(same.shownCmos, shownCmos);
    const swapped = build([1, 0], pref(shownCmos)).judgement;
    assert.ok(Object.is(swapped.cmos, shownCmos === 0 ? 0 : -shownCmos), 'shown swapped: the sign flips (and 0 stays +0)');
    assert.equal(swapped.shownCmos, shownCmos);
    const better = shownCmos === 0 ? null : shownCmos > 0 ? 1 : 0;
    assert.equal(same.preferred, better);
    assert.equal(swapped.preferred, better === null ? null : 1 - better);
    assert.equal('reason' in swapped, false, 'no reason given: none written');
  }
});

test('a ranking with ties is mapped from shown positions to manifest order', async () => {
  const seed = await orderSeed('worker-7', 'task-0001');
  const order = shuffledOrder(4, seed);
  assert.deepEqual(order, [3, 2, 0, 1]);
  const clips = ['a', 'b', 'c', 'd'].map((s) => ({ system: `tts-${s}`, source: `${s}.wav`, annotation: annotation(`${s}.wav`) }));
  // Shown A (clip 3) best, B (clip 2) and D (clip 1) tied second, C (clip 0) last.
  const panel = { ratings: [{ naturalness: 5 }, { naturalness: 3 }, { naturalness: 1 }, { naturalness: 3 }], judgement: { type: 'ranking', shownRanks: [1, 2, 3, 2], reason: 'C clips the end' } };
  const doc = buildComparison({ prompt: null, taskId: 'task-0001', annotator: 'worker-7', seed, order, clips, panel, timings: {} });
  assert.deepEqual(doc.judgement, { type: 'ranking', ranks: [3, 2, 2, 1], reason: 'C clips the end' });
  assert.deepEqual(doc.clips.map((c) => c.shownAs), ['C', 'D', 'B', 'A']);
  assert.deepEqual(doc.clips.map((c) => c.ratings.naturalness), [1, 3, 3, 5]);
  assert.deepEqual(doc.timings, { openedAt: null, submittedAt: null, switches: 0, loops: 0 });
  assert.deepEqual(validateComparison(doc, { ...config, comparison: { ...config.comparison, criteria: [config.comparison.criteria[0]] } }), []);
});

test('a parsed manifest line with annotations per clip builds the same document', () => {
  const parsed = parseComparisonManifestLine(line);
  const panel = { ratings: [{ naturalness: 3 }, { naturalness: 4 }], judgement: { type: 'preference', shownCmos: -1, reason: 'x' } };
  const fromLine = buildComparison({
    line: parsed, annotator: 'ann-1', seed: '8729b0678f9a4f44', order: [1, 0], panel,
    annotations: [annotation('s3://b/a.wav'), annotation('s3://b/b.wav')], heardMs: [12345.4, 10210],
    timings: { openedAt: '2026-11-30T02:00:00.000Z', submittedAt: '2026-11-30T02:03:10.000Z', switches: 14, loops: 2 },
  });
  assert.deepEqual(fromLine, build([1, 0], panel));
});

test('nothing set yet is a null judgement; an order that is not a permutation is refused', () => {
  assert.equal(build([0, 1], null).judgement, null);
  assert.equal(build([0, 1], { ratings: [], judgement: { type: 'preference', shownCmos: null, reason: null } }).judgement, null);
  const reasonOnly = build([0, 1], { ratings: [], judgement: { type: 'preference', shownCmos: null, reason: 'hmm' } }).judgement;
  assert.deepEqual(reasonOnly, { type: 'preference', cmos: null, shownCmos: null, preferred: null, reason: 'hmm' }, 'a reason alone is kept');
  for (const order of [[0, 0], [0], [1, 2], null]) assert.throws(() => build(order, null), /order: must list each manifest index 0 to 1 once/);
  assert.throws(() => buildComparison({ clips: [{ system: 'a' }], order: [0] }), /clips: a comparison has 2 to 4 clips, got 1/);
});

test('a complete document has no problems; each missing answer is named by its manifest-order path', () => {
  const full = { ratings: [{ naturalness: 2 }, { naturalness: 4 }], judgement: { type: 'preference', shownCmos: 2, reason: 'clearer' } };
  assert.deepEqual(validateComparison(build([1, 0], full), config), []);

  const empty = build([1, 0], { ratings: [{}, { naturalness: 9 }], judgement: null }, {});
  empty.clips[1].annotation = annotation('s3://b/b.wav', { note: '  ', usable: null });
  empty.clips[0].ratings.pitch = 3;
  assert.deepEqual(validateComparison(empty, config), [
    { path: 'clips[0].ratings.naturalness', message: 'Naturalness: must be a whole number from 1 to 5, got 9 (clip B)' },
    { path: 'clips[0].ratings.pitch', message: '"pitch" is not a criterion of the label config' },
    { path: 'clips[1].ratings.naturalness', message: 'Naturalness: a rating from 1 to 5 is required (clip A)' },
    { path: 'clips[1].annotation.segments[0].fields.note', message: 'Note is required (segment s1 at 0.50 s) (clip A)' },
    { path: 'clips[1].annotation.classifications.usable', message: 'Usable is required (clip A)' },
    { path: 'judgement', message: 'the overall judgement is required: a preference between the clips (-3 to +3)' },
  ]);

  const noCmos = build([0, 1], { ratings: [{ naturalness: 2 }, { naturalness: 4 }], judgement: { type: 'preference', shownCmos: null, reason: ' ' } });
  assert.deepEqual(validateComparison(noCmos, config), [
    { path: 'judgement.cmos', message: 'how much better or worse B is than A is required (-3 to +3)' },
    { path: 'judgement.reason', message: 'a reason for the judgement is required' },
  ]);
  assert.deepEqual(validateComparison(noCmos, { ...config, comparison: { ...config.comparison, reason: 'optional' } }).map((p) => p.path), ['judgement.cmos']);
});

test('a ranking is checked for a rank per clip, its range and a best clip; the judgement type against the config', () => {
  const clips = ['a', 'b', 'c'].map((s) => ({ system: s, source: `${s}.wav`, annotation: annotation(`${s}.wav`) }));
  const cfg = { comparison: { reason: 'optional' } };
  const doc = (shownRanks) => buildComparison({ clips, order: [2, 0, 1], panel: { ratings: [], judgement: { type: 'ranking', shownRanks, reason: null } } });
  assert.deepEqual(validateComparison(doc([1, 1, 1]), cfg), [], 'all tied is a ranking');
  assert.deepEqual(validateComparison(doc([1, null, 2]), cfg), [{ path: 'judgement.ranks[0]', message: 'a rank from 1 to 3 is required (clip B)' }]);
  assert.deepEqual(validateComparison(doc([1, 4, 2]), cfg), [{ path: 'judgement.ranks[0]', message: 'must be a whole number from 1 to 3, got 4 (clip B)' }]);
  assert.deepEqual(validateComparison(doc([2, 2, 3]), cfg), [{ path: 'judgement.ranks', message: 'the best clip is ranked 1 (clips that are equally good share a rank)' }]);
  assert.deepEqual(validateComparison(doc([1, 2, 3]), { comparison: { judgement: 'preference' } }),
    [{ path: 'judgement.type', message: 'must be "preference" for 3 clips with this label config, got "ranking"' }]);
  // Two clips may be ranked when the config says so.
  const two = build([0, 1], { ratings: [{ naturalness: 1 }, { naturalness: 1 }], judgement: { type: 'ranking', shownRanks: [1, 1], reason: 'same' } });
  assert.deepEqual(validateComparison(two, { ...config, comparison: { ...config.comparison, judgement: 'ranking' } }), []);
});

test('a document made elsewhere is checked for its format, order and a CMOS that disagrees with its shown value', () => {
  const good = build([1, 0], { ratings: [{ naturalness: 2 }, { naturalness: 4 }], judgement: { type: 'preference', shownCmos: 2, reason: 'r' } });
  assert.deepEqual(validateComparison({ ...good, format: 'avseg.annotation', version: 2 }, config).map((p) => p.path), ['format', 'version']);
  assert.deepEqual(validateComparison({ ...good, order: [0, 0] }, config), [{ path: 'order', message: 'must list each manifest index 0 to 1 once, got [0,0]' }]);
  assert.deepEqual(validateComparison({ ...good, judgement: { ...good.judgement, cmos: 2 } }, config), [
    { path: 'judgement.shownCmos', message: 'is 2, but cmos 2 with the order [1,0] means -2' },
    { path: 'judgement.preferred', message: 'is 0, but cmos 2 means 1' },
  ]);
  assert.deepEqual(validateComparison({ ...good, judgement: { ...good.judgement, cmos: 4 } }, config), [{ path: 'judgement.cmos', message: 'must be a whole number from -3 to 3, got 4' }]);
  assert.deepEqual(validateComparison(null, config), [{ path: '', message: 'a comparison document must be an object, got null' }]);
});

test('a clip\'s own problems come from its editor when given, else from the config\'s required answers', () => {
  const doc = build([0, 1], { ratings: [{ naturalness: 2 }, { naturalness: 4 }], judgement: { type: 'preference', shownCmos: 1, reason: 'r' } });
  doc.clips[0].annotation = annotation('a.wav', { segments: false });
  assert.deepEqual(validateComparison(doc, { ...config, minSegments: 1 }), [{ path: 'clips[0].annotation.segments', message: 'at least 1 segment is needed, there are 0 (clip A)' }]);
  const fromEditors = [[{ message: 'the segment must be at least 0.1 s long', segment: 's1' }], []];
  assert.deepEqual(validateComparison(doc, config, { clipProblems: fromEditors }), [{ path: 'clips[0].annotation', message: 'the segment must be at least 0.1 s long (clip A)' }]);
  doc.clips[1].annotation = null;
  assert.deepEqual(validateComparison(doc, config).map((p) => [p.path, p.message]), [['clips[1].annotation', 'the clip\'s annotations are missing (clip B)']]);
  assert.deepEqual(annotationProblems(annotation('a.wav'), { segmentFields: [{ name: 'note', required: true, categories: ['other'] }] }), [], 'a field limited to other categories is not asked');
});
