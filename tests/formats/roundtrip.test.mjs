// SPDX-License-Identifier: MIT
// Every export, and a round trip through each format that can be read back: the same tracks,
// times within the format's precision, the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPORTS, clock, toCsv, toJsonl, toRttm } from '../../web/src/exports.js';
import { IMPORTS, ImportError, fromAudacity } from '../../scripts/lib/imports.mjs';

const R = 48000;
const config = { categories: [{ name: 'speaker', tags: ['Customer', 'Representative'] }], segmentFields: [{ name: 'transcription', type: 'text' }, { name: 'emotion', type: 'choice', options: ['Sad'] }] };
const doc = {
  format: 'avseg.annotation', version: 1, timebase: { rate: R, frames: R * 10 }, media: { url: 's3://b/call.mp3' },
  tracks: [{ id: 't1', category: 'speaker', tag: 'Customer' }, { id: 't2', category: 'speaker', tag: 'Representative' }],
  segments: [
    { id: 's1', track: 't1', start: 12345, end: 67891, fields: { transcription: 'Hello, "quoted" & <tagged>', emotion: 'Sad' } },
    { id: 's2', track: 't2', start: 96000, end: 150001, fields: { transcription: 'Of course.\nSecond line' } },
    { id: 's3', track: 't1', start: 200000, end: 260000, fields: { transcription: 'Tab\there, comma, "quote"' } },
  ],
  classifications: { speech: 'Speech' },
};

const segmentsOf = (d) => d.segments.map((s) => {
  const t = d.tracks.find((x) => x.id === s.track);
  return { tag: t.tag, start: s.start, end: s.end, text: s.fields.text ?? s.fields.transcription ?? '' };
}).sort((a, b) => a.start - b.start);

/** Same tags and text; boundaries within `precision` seconds. */
function assertSame(back, precision, { text = (t) => t } = {}) {
  const a = segmentsOf(doc);
  const b = segmentsOf(back);
  assert.equal(b.length, a.length);
  a.forEach((s, i) => {
    assert.equal(b[i].tag, s.tag);
    assert.equal(b[i].text, text(s.text));
    assert.ok(Math.abs(b[i].start - s.start) / R <= precision + 1e-12, `start ${b[i].start} vs ${s.start}`);
    assert.ok(Math.abs(b[i].end - s.end) / R <= precision + 1e-12, `end ${b[i].end} vs ${s.end}`);
  });
}

test('WebVTT: voices become tracks, times to the millisecond', () => {
  const text = EXPORTS.vtt.write(doc, config);
  assert.match(text, /^WEBVTT\n\n00:00:00\.257 --> 00:00:01\.414\n<v Customer>Hello, "quoted" &amp; &lt;tagged&gt;\n/);
  assertSame(IMPORTS.vtt(text, { rate: R }), 0.0005);
});

test('Audacity labels: one file per track, times to the microsecond', () => {
  const text = EXPORTS.audacity.write(doc, config, { track: 't1' });
  assert.equal(text.split('\n')[0], '0.257188\t1.414396\tHello, "quoted" & <tagged>');
  const back = fromAudacity(text, { rate: R, tag: 'Customer' });
  const mine = segmentsOf(doc).filter((s) => s.tag === 'Customer');
  const theirs = segmentsOf(back);
  assert.deepEqual(theirs.map((s) => s.text), mine.map((s) => s.text.replace(/\t/g, ' ')));
  theirs.forEach((s, i) => assert.ok(Math.abs(s.start - mine[i].start) / R <= 0.0000005 + 1e-12));
});

test('Praat TextGrid: a tier per track, gaps as empty intervals, times as printed', () => {
  const text = EXPORTS.textgrid.write(doc, config);
  assert.match(text, /name = "speaker: Customer"/);
  assert.match(text, /intervals: size = 5/);   // gap, s1, gap, s3, tail
  assertSame(IMPORTS.textgrid(text, { rate: R }), 1e-9);
});

test('ELAN EAF: tiers, time slots in ms, a controlled vocabulary from the config', () => {
  const text = EXPORTS.eaf.write(doc, config);
  assert.match(text, /<CONTROLLED_VOCABULARY CV_ID="speaker-tags">/);
  assert.match(text, /<CVE_VALUE LANG_REF="und">Representative<\/CVE_VALUE>/);
  assertSame(IMPORTS.eaf(text, { rate: R }), 0.0005);
});

test('SRT, RTTM, CSV and JSONL carry the segments with their times', () => {
  const srt = EXPORTS.srt.write(doc, config);
  assert.match(srt, /^1\n00:00:00,257 --> 00:00:01,414\nCustomer: Hello/);
  assert.equal(toRttm(doc, { fileId: 'call 1' }).split('\n')[1], 'SPEAKER call_1 1 2.000000 1.125021 <NA> <NA> Representative <NA> <NA>');
  const csv = toCsv(doc, config).split('\r\n');
  assert.equal(csv[0], 'media,category,tag,start,end,start_position,end_position,rate,transcription,emotion');
  assert.equal(csv[3], 's3://b/call.mp3,speaker,Customer,4.166666666666667,5.416666666666667,200000,260000,48000,"Tab\there, comma, ""quote""",');
  const lines = toJsonl(doc).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.type), ['segment', 'segment', 'segment', 'item']);
  assert.equal(lines[0].startPosition, 12345);
  assert.equal(lines[0].start, 12345 / R);
  assert.deepEqual(lines[3].classifications, { speech: 'Speech' });
  assert.equal(clock(3725.0004, true), '01:02:05,000');
});

test('a file that is not in the format says where and why', () => {
  assert.throws(() => fromAudacity('0.5\tabc\tlabel\n'), (e) => e instanceof ImportError && /line 1: expected "start<TAB>end<TAB>label"/.test(e.message));
  assert.throws(() => IMPORTS.textgrid('hello'), /not a TextGrid/);
  assert.throws(() => IMPORTS.vtt('not webvtt'), /not valid WebVTT/);
  assert.throws(() => IMPORTS.eaf('<nope/>'), /not an EAF file/);
});

test('a TextGrid in Praat\'s short form reads the same', () => {
  const short = 'File type = "ooTextFile"\nObject class = "TextGrid"\n\n0\n2.3\n<exists>\n1\n"IntervalTier"\n"speaker: A ""quoted"" [1]"\n0\n2.3\n2\n0\n1\n"hi"\n1\n2.3\n""\n';
  const back = IMPORTS.textgrid(short, { rate: 1000 });
  assert.deepEqual(back.tracks, [{ id: 't1', category: 'speaker', tag: 'A "quoted" [1]' }]);
  assert.deepEqual(back.segments.map((s) => [s.start, s.end, s.fields.text]), [[0, 1000, 'hi']]);
  assert.equal(back.timebase.frames, 2300);
});
