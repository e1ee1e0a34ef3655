// SPDX-License-Identifier: MIT
// The importers on what the tools themselves write: TextGrids saved by Praat in each of its
// formats and encodings, ELAN documents valid against the published EAF schema, WebVTT as
// YouTube and other captioning tools write it; and bad times and points, which are reported
// with where and why and never imported unless asked for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import webvtt from 'webvtt-parser';
import { IMPORTS, ImportError } from '../../scripts/lib/imports.mjs';
import { EAF_27, EAF_30, EAF_UNPLACEABLE } from './eaf-documents.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const schema = path.join(root, 'tests/formats/EAFv3.0.xsd'); // ELAN's published EAF 3.0 schema
let dir;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-imports-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** [category, tag, start, end, text] of every segment, in the document's order. */
const rows = (doc) => doc.segments.map((s) => {
  const t = doc.tracks.find((x) => x.id === s.track);
  return [t.category, t.tag, s.start, s.end, s.fields.text ?? ''];
});
const byTime = (a, b) => a[2] - b[2] || a[3] - b[3] || `${a[1]}`.localeCompare(`${b[1]}`);
const warningsOf = (fn) => {
  const warnings = [];
  const doc = fn((w) => warnings.push(w));
  return { doc, warnings };
};
/** The ImportError fn throws: it must be one, and nothing else. */
function refusal(fn) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ImportError, `expected an ImportError, got ${err?.stack}`);
    return err;
  }
  assert.fail('expected the import to be refused');
}

// ---------------------------------------------------------------- Praat TextGrid

const WORDS = 'he said ""hi"" to ʃə'; // as written in a Praat script: "" for a quote
async function praat(script) {
  const file = path.join(dir, `script-${Math.random().toString(36).slice(2)}.praat`);
  await writeFile(file, script);
  await run('praat', ['--run', file]);
}

const swap16 = (bytes) => {
  const out = Buffer.from(bytes);
  for (let i = 0; i + 1 < out.length; i += 2) [out[i], out[i + 1]] = [out[i + 1], out[i]];
  return out;
};

test('TextGrids that Praat saves are read in every format and encoding it writes', async () => {
  const grid = (name) => path.join(dir, name);
  await praat(`Create TextGrid: 0, 3, "words phones", "phones"
Insert boundary: 1, 0.5
Insert boundary: 1, 1.25
Insert boundary: 1, 2
Set interval text: 1, 2, "${WORDS}"
Set interval text: 1, 4, "line one" + newline$ + "007"
Insert point: 2, 0.7, "p"
Insert point: 2, 2.1, "ə"
Text writing preferences: "UTF-8"
Save as text file: "${grid('long-utf8.TextGrid')}"
Save as short text file: "${grid('short-utf8.TextGrid')}"
Text writing preferences: "UTF-16"
Save as text file: "${grid('long-utf16.TextGrid')}"
Save as short text file: "${grid('short-utf16.TextGrid')}"
Text writing preferences: "try ASCII, then UTF-16"
Save as text file: "${grid('long-auto.TextGrid')}"
`);
  const utf16 = await readFile(grid('long-utf16.TextGrid'));
  assert.deepEqual([...utf16.subarray(0, 4)], [0xfe, 0xff, 0, 0x46], 'Praat writes UTF-16 big-endian with a byte order mark');
  assert.deepEqual(await readFile(grid('long-auto.TextGrid')), utf16, 'IPA labels make Praat choose UTF-16');
  const files = {
    'long UTF-8': await readFile(grid('long-utf8.TextGrid')),
    'short UTF-8': await readFile(grid('short-utf8.TextGrid')),
    'long UTF-16BE with BOM': utf16,
    'short UTF-16BE with BOM': await readFile(grid('short-utf16.TextGrid')),
    'long UTF-16BE without BOM': utf16.subarray(2),
    'long UTF-16LE with BOM': swap16(utf16),
    'long UTF-16LE without BOM': swap16(utf16.subarray(2)),
    'long UTF-8 as a string': (await readFile(grid('long-utf8.TextGrid'))).toString('utf8'),
  };
  const words = [
    ['tier', 'words', 500, 1250, 'he said "hi" to ʃə'],
    ['tier', 'words', 2000, 3000, 'line one\n007'],
  ];
  const points = [['tier', 'phones', 700, 750, 'p'], ['tier', 'phones', 2100, 2150, 'ə']];
  for (const [name, file] of Object.entries(files)) {
    // Points are refused by default, each named; imported at a chosen length; or skipped and reported.
    const err = refusal(() => IMPORTS.textgrid(file, { rate: 1000 }));
    assert.match(err.message, /2 points \(labels without duration\) cannot be segments: tier 2 "phones", point 1 \(line \d+\): a point at 0\.7 s "p"; tier 2 "phones", point 2 \(line \d+\): a point at 2\.1 s "ə"/, name);
    assert.match(err.message, /Nothing was imported: pointDuration \(--point-duration SECONDS\)/, name);
    const doc = IMPORTS.textgrid(file, { rate: 1000, pointDuration: 0.05 });
    assert.deepEqual(rows(doc), [...words, ...points].sort(byTime), name);
    assert.equal(doc.timebase.frames, 3000, name);
    const { doc: skipped, warnings } = warningsOf((onWarning) => IMPORTS.textgrid(file, { rate: 1000, skipInvalid: true, onWarning }));
    assert.deepEqual(rows(skipped), words, name);
    assert.deepEqual(skipped.tracks.map((t) => t.tag), ['words', 'phones'], name);
    assert.deepEqual(warnings.filter((w) => w.startsWith('skipped tier')).map((w) => w.replace(/ \(line \d+\)/, '')), ['skipped tier 2 "phones", point 1: a point at 0.7 s "p"', 'skipped tier 2 "phones", point 2: a point at 2.1 s "ə"'], name);
  }
  // scripts/import reads Praat's UTF-16 file from disk the same way.
  const { stdout } = await run(process.execPath, [path.join(root, 'scripts/import'), 'textgrid', grid('long-utf16.TextGrid'), '--rate', '1000', '--point-duration', '0.05']);
  assert.deepEqual(JSON.parse(stdout), IMPORTS.textgrid(utf16, { rate: 1000, pointDuration: 0.05 }));
});

test('a TextGrid Praat saves as ASCII or ISO Latin-1 reads with its labels intact', async () => {
  const grid = (name) => path.join(dir, name);
  await praat(`Create TextGrid: 0, 2, "Ada", ""
Set tier name: 1, "speaker: Ada"
Insert boundary: 1, 0.25
Set interval text: 1, 1, "café"
Text writing preferences: "try ISO Latin-1, then UTF-16"
Save as text file: "${grid('latin1.TextGrid')}"
Set interval text: 1, 1, "plain"
Text writing preferences: "try ASCII, then UTF-16"
Save as short text file: "${grid('ascii.TextGrid')}"
`);
  const latin1 = await readFile(grid('latin1.TextGrid'));
  assert.ok(latin1.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9])), 'Praat wrote "café" in one byte per letter');
  const { doc, warnings } = warningsOf((onWarning) => IMPORTS.textgrid(latin1, { rate: 1000, onWarning }));
  assert.deepEqual(rows(doc), [['speaker', 'Ada', 0, 250, 'café']]);
  assert.match(warnings.join('\n'), /not UTF-8: read as ISO Latin-1/);
  assert.deepEqual(rows(IMPORTS.textgrid(await readFile(grid('ascii.TextGrid')), { rate: 1000 })), [['speaker', 'Ada', 0, 250, 'plain']]);
});

// Praat's own reading, interval by interval and point by point, with each label written to a file.
const PRAAT_DUMP = `form Dump
  sentence File x.TextGrid
  sentence Out out
endform
Text writing preferences: "UTF-8"
createFolder: out$
Read from file: file$
writeInfoLine: ""
tiers = Get number of tiers
for t to tiers
  name$ = Get tier name: t
  writeFile: out$ + "/name-" + string$(t), name$
  isInterval = Is interval tier: t
  if isInterval
    n = Get number of intervals: t
    for i to n
      a = Get start time of interval: t, i
      b = Get end time of interval: t, i
      label$ = Get label of interval: t, i
      writeFile: out$ + "/" + string$(t) + "-" + string$(i), label$
      appendInfoLine: t, " ", i, " ", fixed$(a, 17), " ", fixed$(b, 17)
    endfor
  else
    n = Get number of points: t
    for i to n
      a = Get time of point: t, i
      label$ = Get label of point: t, i
      writeFile: out$ + "/" + string$(t) + "-" + string$(i), label$
      appendInfoLine: t, " ", i, " ", fixed$(a, 17), " point"
    endfor
  endif
endfor
`;

test('every interval and point Praat itself reads from its own TextGrids is imported, label for label, in each format, encoding and line break', async () => {
  const grid = (name) => path.join(dir, `edge-${name}`);
  await praat(`long$ = ""
for i to 3000
  long$ = long$ + "abcdéfgh" + string$(i mod 10)
endfor
Create TextGrid: 0, 5, "a b c", "c"
Insert boundary: 1, 0.00001
Insert boundary: 1, 0.1
Insert boundary: 1, 1.5
Insert boundary: 1, 1.7
Insert boundary: 1, 2.123456789012345
Insert boundary: 1, 4.99999
Set interval text: 1, 1, "tiny"
Set interval text: 1, 2, " "
Set interval text: 1, 3, long$
Set interval text: 1, 5, "a quote "" then"+newline$+newline$+"! not a comment [1]"
Set interval text: 1, 7, "last"
Set tier name: 2, "name with ""quotes"", ! and [x]"
Insert boundary: 2, 3
Set interval text: 2, 1, "x"
Insert point: 3, 0, "at zero"
Insert point: 3, 2.5, ""
Insert point: 3, 5, "at the end"
Text writing preferences: "UTF-8"
Save as text file: "${grid('long-utf8')}"
Save as short text file: "${grid('short-utf8')}"
Text writing preferences: "try ISO Latin-1, then UTF-16"
Save as short text file: "${grid('short-latin1')}"
Text writing preferences: "UTF-16"
Save as text file: "${grid('long-utf16')}"
Save as short text file: "${grid('short-utf16')}"
`);
  // The same file with Windows' and old Macs' line breaks, which Praat reads as LF (labels included).
  const utf8 = await readFile(grid('long-utf8'), 'utf8');
  await writeFile(grid('long-utf8-crlf'), utf8.replace(/\n/g, '\r\n'));
  await writeFile(grid('long-utf8-cr'), utf8.replace(/\n/g, '\r'));
  const script = path.join(dir, 'dump.praat');
  await writeFile(script, PRAAT_DUMP);
  const rate = 1000000;
  const pointDuration = 0.001;
  for (const form of ['long-utf8', 'short-utf8', 'short-latin1', 'long-utf16', 'short-utf16', 'long-utf8-crlf', 'long-utf8-cr']) {
    const out = path.join(dir, `dump-${form}`);
    const { stdout } = await run('praat', ['--run', script, grid(form), out]);
    const expected = [];
    for (const line of stdout.trim().split('\n')) {
      const [t, i, a, b] = line.split(' ');
      const text = await readFile(path.join(out, `${t}-${i}`), 'utf8');
      const tag = await readFile(path.join(out, `name-${t}`), 'utf8');
      if (b !== 'point' && text === '') continue; // Praat's empty interval: a gap
      const start = Math.round(Number(a) * rate);
      const end = b === 'point' ? Math.min(start + pointDuration * rate, 5 * rate) : Math.round(Number(b) * rate);
      // A point at the very end becomes the segment that ends there.
      expected.push(['tier', tag, end === start ? start - pointDuration * rate : start, end, text]);
    }
    const doc = IMPORTS.textgrid(await readFile(grid(form)), { rate, pointDuration });
    assert.equal(expected.length, 9, form);
    assert.deepEqual(rows(doc).sort(byTime), expected.sort(byTime), form);
  }
});

test('a TextGrid\'s bad times are each reported with tier, index and line, and nothing is imported', () => {
  const grid = (intervals) => `File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0
xmax = 10
tiers? <exists>
size = 1
item []:
    item [1]:
        class = "IntervalTier"
        name = "words"
        xmin = 0
        xmax = 10
        intervals: size = ${intervals.length}
${intervals.map(([a, b, t], i) => `        intervals [${i + 1}]:\n            xmin = ${a}\n            xmax = ${b}\n            text = "${t}"`).join('\n')}
`;
  const text = grid([[0, 1, 'ok'], ['0x10', 2, 'hex'], [2, 'NaN', 'nan'], [-1, 3, 'negative'], [5, 4, 'reversed'], [6, 7, 'fine']]);
  const err = refusal(() => IMPORTS.textgrid(text, { rate: 1000 }));
  assert.match(err.message, /^4 records have bad or missing times: /);
  assert.deepEqual(err.problems, [
    { where: 'tier 1 "words", interval 2 (line 20)', why: 'xmin "0x10" is not a decimal number of seconds' },
    { where: 'tier 1 "words", interval 3 (line 24)', why: 'xmax "NaN" is not a decimal number of seconds' },
    { where: 'tier 1 "words", interval 4 (line 28)', why: 'it starts at -1 s, before the media' },
    { where: 'tier 1 "words", interval 5 (line 32)', why: 'it ends (4 s) before it starts (5 s)' },
  ]);
  const { doc, warnings } = warningsOf((onWarning) => IMPORTS.textgrid(text, { rate: 1000, skipInvalid: true, onWarning }));
  assert.deepEqual(rows(doc), [['tier', 'words', 0, 1000, 'ok'], ['tier', 'words', 6000, 7000, 'fine']]);
  assert.equal(warnings.filter((w) => w.startsWith('skipped tier 1')).length, 4);
  assert.ok(warnings.includes('skipped 4 of 6 records'));
});

// ---------------------------------------------------------------- ELAN EAF

async function assertSchemaValid(name, text) {
  const file = path.join(dir, `${name}.eaf`);
  await writeFile(file, text);
  const { stderr } = await run('xmllint', ['--noout', '--schema', schema, file]);
  assert.match(stderr, /validates$/m, `${name} is valid EAF 3.0`);
}

test('ELAN documents with unaligned time slots and reference annotations read as ELAN shows them', async () => {
  for (const [name, eaf] of Object.entries({ EAF_30, EAF_27 })) {
    await assertSchemaValid(name, eaf.text);
    const doc = IMPORTS.eaf(eaf.text, { rate: 1000 });
    assert.deepEqual(rows(doc).sort(byTime), eaf.expected.sort(byTime), name);
    assert.deepEqual(IMPORTS.eaf(Buffer.from(eaf.text), { rate: 1000 }), doc, `${name} as bytes`);
  }
  assert.deepEqual(IMPORTS.eaf(EAF_30.text, { rate: 1000 }).tracks.map((t) => `${t.category}/${t.tag}`), EAF_30.tracks);
});

test('Node\'s EAF reader keeps annotation text exactly as written', () => {
  const doc = IMPORTS.eaf(EAF_30.text, { rate: 1000 });
  const texts = doc.segments.map((s) => s.fields.text);
  assert.ok(texts.includes('  007 & <b> \u2603\n'), 'leading and trailing whitespace, references decoded, a number stays text');
  assert.ok(texts.includes('007'), '"007" is not read as the number 7');
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(EAF_30.text.replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le')]);
  assert.deepEqual(IMPORTS.eaf(utf16, { rate: 1000 }), doc, 'UTF-16 with a byte order mark');
  const crlf = EAF_30.text.replace(/\n/g, '\r\n');
  assert.deepEqual(IMPORTS.eaf(crlf, { rate: 1000 }), doc, 'CRLF line ends read as XML says: LF');
});

test('what ELAN cannot place either is named, tier and annotation, and nothing is imported unless asked', async () => {
  await assertSchemaValid('unplaceable', EAF_UNPLACEABLE.text);
  const err = refusal(() => IMPORTS.eaf(EAF_UNPLACEABLE.text, { rate: 1000 }));
  assert.deepEqual(err.problems.map((p) => p.where), EAF_UNPLACEABLE.unplaceable);
  assert.match(err.message, /tier "top", annotation a1: cannot be placed: time slot ts2 has no TIME_VALUE and tier "top" has no parent tier/);
  assert.match(err.message, /tier "child", annotation a3: cannot be placed: time slot ts4 has no TIME_VALUE and no time slot with a usable time after it/);
  assert.match(err.message, /annotation a4: cannot be placed: its PREVIOUS_ANNOTATION links go round in a circle/);
  const { doc, warnings } = warningsOf((onWarning) => IMPORTS.eaf(EAF_UNPLACEABLE.text, { rate: 1000, skipInvalid: true, onWarning }));
  assert.deepEqual(rows(doc), [['utterance', 'top', 100, 900, 'fine']]);
  assert.equal(warnings.filter((w) => /^skipped tier ".*", annotation a\d: cannot be placed/.test(w)).length, 4);
});

test('an EAF time slot\'s bad time is reported for each annotation that uses it', () => {
  const slots = { ts1: '100', ts2: '-5', ts3: '0x10', ts4: 'NaN', ts5: '900', ts6: '300' };
  const annotations = [['a1', 'ts1', 'ts5', 'fine'], ['a2', 'ts1', 'ts2', 'negative'], ['a3', 'ts3', 'ts5', 'hex'], ['a4', 'ts1', 'ts4', 'nan'], ['a5', 'ts5', 'ts6', 'reversed'], ['a6', 'ts1', 'ts9', 'missing']];
  const text = `<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="" DATE="2026-11-29T12:00:00+00:00" FORMAT="3.0" VERSION="3.0">
<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>
<TIME_ORDER>${Object.entries(slots).map(([id, v]) => `<TIME_SLOT TIME_SLOT_ID="${id}" TIME_VALUE="${v}"/>`).join('')}</TIME_ORDER>
<TIER LINGUISTIC_TYPE_REF="utterance" TIER_ID="top">${annotations.map(([id, a, b, v]) => `<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="${id}" TIME_SLOT_REF1="${a}" TIME_SLOT_REF2="${b}"><ANNOTATION_VALUE>${v}</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>`).join('\n')}</TIER>
<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="utterance" TIME_ALIGNABLE="true"/>
</ANNOTATION_DOCUMENT>`;
  const err = refusal(() => IMPORTS.eaf(text, { rate: 1000 }));
  assert.deepEqual(err.problems, [
    { where: 'tier "top", annotation a2', why: 'cannot be placed: time slot ts2: its TIME_VALUE -5 is negative' },
    { where: 'tier "top", annotation a3', why: 'cannot be placed: time slot ts3: its TIME_VALUE "0x10" is not a number of milliseconds' },
    { where: 'tier "top", annotation a4', why: 'cannot be placed: time slot ts4: its TIME_VALUE "NaN" is not a number of milliseconds' },
    { where: 'tier "top", annotation a5', why: 'it ends (0.3 s) before it starts (0.9 s)' },
    { where: 'tier "top", annotation a6', why: 'cannot be placed: it refers to the time slot "ts9", which TIME_ORDER does not have' },
  ]);
  const { doc } = warningsOf((onWarning) => IMPORTS.eaf(text, { rate: 1000, skipInvalid: true, onWarning }));
  assert.deepEqual(rows(doc), [['utterance', 'top', 100, 900, 'fine']]);
});

// ---------------------------------------------------------------- WebVTT

const YOUTUBE = `WEBVTT
Kind: captions
Language: en

00:00:00.160 --> 00:00:02.990 align:start position:0%
 
so<00:00:00.400><c> today</c><00:00:00.800><c> we're</c>

00:00:02.990 --> 00:00:05.500 align:start position:0%
going to talk about <00:00:03.300><c>captions</c>
`;

test('WebVTT as YouTube writes it (Kind: and Language: after WEBVTT) reads as browsers play it', () => {
  const { doc, warnings } = warningsOf((onWarning) => IMPORTS.vtt(Buffer.from(YOUTUBE), { rate: 1000, onWarning }));
  assert.deepEqual(rows(doc), [
    ['speaker', 'Speaker', 160, 2990, ' \nso today we\'re'],
    ['speaker', 'Speaker', 2990, 5500, 'going to talk about captions'],
  ]);
  assert.deepEqual(warnings, [
    'line 2: the header line "Kind: captions" is not WebVTT syntax (YouTube writes it): ignored, as browsers do',
    'line 3: the header line "Language: en" is not WebVTT syntax (YouTube writes it): ignored, as browsers do',
  ]);
});

test('the common shapes of real WebVTT files read the same cues, what a validator flags as warnings', () => {
  const cues = [['speaker', 'Speaker', 1000, 2500, 'one'], ['speaker', 'Ann', 62000, 3723004, 'two & <three>\nfour']];
  const plain = 'WEBVTT\n\n00:01.000 --> 00:02.500\none\n\n01:02.000 --> 01:02:03.004\n<v Ann>two &amp; &lt;three&gt;\nfour</v>\n';
  const shapes = {
    plain,
    'no blank line at the end': plain.trimEnd(),
    CRLF: plain.replace(/\n/g, '\r\n'),
    'a byte order mark (bytes)': Buffer.from(`\uFEFF${plain}`),
    'a byte order mark (string)': `\uFEFF${plain}`,
    'a title after WEBVTT': plain.replace('WEBVTT', 'WEBVTT - captions by hand'),
    'NOTE, STYLE and REGION blocks': plain.replace('WEBVTT\n\n', 'WEBVTT\n\nREGION\nid:fred\nwidth:40%\n\nSTYLE\n::cue { color: yellow }\n\nNOTE a comment\nover two lines\n\n'),
    'cue ids and settings': plain.replace('00:01.000 --> 00:02.500', 'intro\n00:01.000 --> 00:02.500 line:0 position:20% size:60% align:start').replace('01:02.000 -->', '2\n01:02.000 -->'),
    'a cue right after the one before': plain.replace('one\n\n', 'one\n'),
  };
  for (const [name, file] of Object.entries(shapes)) {
    const { doc, warnings } = warningsOf((onWarning) => IMPORTS.vtt(file, { rate: 1000, onWarning }));
    assert.deepEqual(rows(doc), cues, name);
    if (name === 'a cue right after the one before') assert.deepEqual(warnings, ['line 5: a cue timing with no blank line before it'], name);
    else assert.deepEqual(warnings, [], name);
  }
  // Where the W3C's validating parser finds nothing to flag, it reads the same cues.
  const w3c = new webvtt.WebVTTParser().parse(plain, 'metadata');
  assert.deepEqual(w3c.errors, []);
  assert.deepEqual(w3c.cues.map((c) => [c.startTime * 1000, c.endTime * 1000]), cues.map((c) => [c[2], c[3]]));
});

test('WebVTT cues out of order or overlapping are all imported as browsers keep them, only the cue that goes back in time flagged', () => {
  const text = 'WEBVTT\n\n00:05.000 --> 00:06.000\nlate\n\n00:01.000 --> 00:08.000\nlong\n\n00:02.000 --> 00:03.000\n<v Bob>inner & a < b</v>\n\n00:03.000 --> 00:04.000\n   \n';
  const { doc, warnings } = warningsOf((onWarning) => IMPORTS.vtt(text, { rate: 1000, onWarning }));
  assert.deepEqual(rows(doc), [
    ['speaker', 'Speaker', 1000, 8000, 'long'],
    ['speaker', 'Bob', 2000, 3000, 'inner & a '],
    ['speaker', 'Speaker', 3000, 4000, '   '],
    ['speaker', 'Speaker', 5000, 6000, 'late'],
  ]);
  // As the W3C validator: the cue at 1 s starts before the one above it; the later ones do not.
  assert.deepEqual(warnings, ['line 6: the cue starts before the one above it']);
  assert.deepEqual(new webvtt.WebVTTParser().parse(text, 'metadata').errors.filter((e) => /previous cue/.test(e.message)).map((e) => e.line), [6]);
});

test('a SubRip file given as WebVTT is refused saying so, and SubRip\'s comma in a cue timing is named', () => {
  const srt = '1\r\n00:00:01,000 --> 00:00:02,000\r\nHello\r\n\r\n2\r\n00:00:02,500 --> 00:00:03,000\r\nWorld\r\n';
  assert.match(refusal(() => IMPORTS.vtt(srt, { rate: 1000 })).message, /^not valid WebVTT: a WebVTT file begins with "WEBVTT", this one with .*: it looks like SubRip \(\.srt\), which is not imported; as WebVTT it needs a first line "WEBVTT" and a full stop before the milliseconds$/);
  const err = refusal(() => IMPORTS.vtt(`WEBVTT\n\n${srt}`, { rate: 1000 }));
  assert.deepEqual(err.problems.map((p) => p.why), [1, 2].map((n) => `its start "00:00:0${n === 1 ? '1' : '2'},${n === 1 ? '000' : '500'}" is not a timestamp (a WebVTT timestamp is mm:ss.ttt or hh:mm:ss.ttt, with a full stop where SubRip (.srt) has a comma)`));
});

test('WebVTT cues with bad times are reported with their line, and nothing is imported unless asked', () => {
  const text = 'WEBVTT\n\n00:01.000 --> 00:02.000\nfine\n\n00:05.000 --> 00:04.000\nreversed\n\nc3\n0x10:00.000 --> 00:06.000\nhex\n\n-00:01.000 --> 00:02.000\nnegative\n\n00:07.000 --> NaN\nnan\n\n00:08.000 --> 00:08.000\npoint\n';
  const err = refusal(() => IMPORTS.vtt(text, { rate: 1000 }));
  assert.deepEqual(err.problems, [
    { where: 'line 6', why: 'it ends (4 s) before it starts (5 s)' },
    { where: 'line 10 (cue "c3")', why: 'its start "0x10:00.000" is not a timestamp (a WebVTT timestamp is mm:ss.ttt or hh:mm:ss.ttt)' },
    { where: 'line 13', why: 'its start "-00:01.000" is negative' },
    { where: 'line 16', why: 'its end "NaN" is not a timestamp (a WebVTT timestamp is mm:ss.ttt or hh:mm:ss.ttt)' },
    { where: 'line 19', why: 'a point at 8 s "point"' },
  ]);
  const { doc, warnings } = warningsOf((onWarning) => IMPORTS.vtt(text, { rate: 1000, skipInvalid: true, onWarning }));
  assert.deepEqual(rows(doc), [['speaker', 'Speaker', 1000, 2000, 'fine']]);
  assert.deepEqual(warnings.slice(-1), ['skipped 5 of 6 records']);
});

// ---------------------------------------------------------------- Audacity

test('Audacity labels with bad times are each reported with line and why, and nothing is imported unless asked', () => {
  const text = '0.5\t1.0\tfine\n-1.5\t2\tnegative\n4\t3\treversed\nNaN\t5\tnan\n0x10\t17\thex\n6\tInfinity\tinfinite\n7\t8\tlast\n';
  const err = refusal(() => IMPORTS.audacity(text, { rate: 1000 }));
  assert.deepEqual(err.problems, [
    { where: 'line 2', why: 'it starts at -1.5 s, before the media' },
    { where: 'line 3', why: 'it ends (3 s) before it starts (4 s)' },
    { where: 'line 4', why: 'expected "start<TAB>end<TAB>label" in seconds: start "NaN" is not a decimal number of seconds' },
    { where: 'line 5', why: 'expected "start<TAB>end<TAB>label" in seconds: start "0x10" is not a decimal number of seconds' },
    { where: 'line 6', why: 'expected "start<TAB>end<TAB>label" in seconds: end "Infinity" is not a decimal number of seconds' },
  ]);
  assert.match(err.message, /Nothing was imported: skipInvalid \(--skip-invalid\) imports the rest/);
  const { doc, warnings } = warningsOf((onWarning) => IMPORTS.audacity(text, { rate: 1000, skipInvalid: true, onWarning }));
  assert.deepEqual(rows(doc), [['speaker', 'Speaker', 500, 1000, 'fine'], ['speaker', 'Speaker', 7000, 8000, 'last']]);
  assert.deepEqual(warnings, [...err.problems.map((p) => `skipped ${p.where}: ${p.why}`), 'skipped 5 of 7 records']);
});

test('Audacity point labels are never zero-length segments: refused by name, or given the length asked for', () => {
  const text = '0.5\t1.0\tspan\n2.000000\t2.000000\tclick\n\\\t300\t3000\n';
  const err = refusal(() => IMPORTS.audacity(text, { rate: 1000 }));
  assert.deepEqual(err.problems, [{ where: 'line 2', why: 'a point at 2 s "click"' }]);
  assert.deepEqual(rows(IMPORTS.audacity(text, { rate: 1000, pointDuration: 0.25 })), [['speaker', 'Speaker', 500, 1000, 'span'], ['speaker', 'Speaker', 2000, 2250, 'click']]);
  refusal(() => IMPORTS.audacity(text, { rate: 1000, pointDuration: 0 }));
  refusal(() => IMPORTS.audacity(text, { rate: 1000, pointDuration: NaN }));
  for (const rate of [NaN, 0, -48000, 44100.5, '48000']) assert.match(refusal(() => IMPORTS.audacity(text, { rate })).message, /^rate: .* is not a whole number of samples per second/);
});

// ---------------------------------------------------------------- scripts/import

const cli = (args) => run(process.execPath, [path.join(root, 'scripts/import'), ...args]);

test('scripts/import reads bytes in any encoding and reports, skips or lengthens as told', async () => {
  const file = path.join(dir, 'cli.txt');
  await writeFile(file, '0.5\t1.0\tfine\n3\t2\treversed\n4\t4\tclick\n');
  await assert.rejects(cli(['audacity', file]), (e) => e.code === 1 && /import: .*cli\.txt: 1 record has bad or missing times: line 2: it ends \(2 s\) before it starts \(3 s\)\. 1 point .*line 3: a point at 4 s "click"/.test(e.stderr) && e.stdout === '');
  const skipped = await cli(['audacity', file, '--skip-invalid', '--rate', '1000']);
  assert.deepEqual(rows(JSON.parse(skipped.stdout)), [['speaker', 'Speaker', 500, 1000, 'fine']]);
  assert.match(skipped.stderr, /cli\.txt: skipped line 2: it ends \(2 s\) before it starts \(3 s\)\n.*cli\.txt: skipped line 3: a point at 4 s "click"\n.*skipped 2 of 3 records/);
  const lengthened = await cli(['audacity', file, '--skip-invalid', '--point-duration', '0.5', '--rate', '1000']);
  assert.deepEqual(rows(JSON.parse(lengthened.stdout)), [['speaker', 'Speaker', 500, 1000, 'fine'], ['speaker', 'Speaker', 4000, 4500, 'click']]);
  const vtt = path.join(dir, 'youtube.vtt');
  await writeFile(vtt, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(YOUTUBE.replace(/\n/g, '\r\n'), 'utf16le')]));
  const read = await cli(['vtt', vtt, '--rate', '1000']);
  assert.equal(JSON.parse(read.stdout).segments.length, 2);
  assert.match(read.stderr, /WebVTT must be UTF-8: this file is UTF-16LE/);
});

test('scripts/import refuses a rate or point duration that is not a number, saying which and why', async () => {
  const file = path.join(dir, 'rate.txt');
  await writeFile(file, '0.5\t1.0\tfine\n');
  for (const [option, value] of [['--rate', 'abc'], ['--rate', '0x10'], ['--rate', '-48000'], ['--rate', '44100.5'], ['--rate', 'NaN'], ['--point-duration', 'abc'], ['--point-duration', '-1'], ['--point-duration', '0x10']]) {
    await assert.rejects(cli(['audacity', file, `${option}=${value}`]), (e) => e.code === 2 && e.stderr.startsWith(`import: ${option} "${value}": not a `) && e.stdout === '', `${option} ${value}`);
  }
  const help = await cli(['--help']);
  assert.match(help.stdout, /--point-duration SECONDS/);
  assert.match(help.stdout, /--skip-invalid/);
});
