// SPDX-License-Identifier: MIT
// Random files for every importer: thousands generated from random content and then mutated
// (bytes flipped, ranges cut or repeated, bad numbers and markup spliced in). Each import either
// returns a document the annotation core accepts (every time finite, 0 <= start < end) or
// throws an ImportError with a message, never any other exception; a generated file that is
// valid imports its content exactly. The seed is printed; AVSEG_FUZZ_SEED=n repeats a run.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { IMPORTS, ImportError } from '../../scripts/lib/imports.mjs';

const SEED = Number(process.env.AVSEG_FUZZ_SEED ?? (Date.now() % 2 ** 31));
const PER_FORMAT = Number(process.env.AVSEG_FUZZ_COUNT ?? 2000);

/** mulberry32: a small seeded PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (list) => list[int(list.length)], chance: (p) => next() < p };
}

let Annotations;
before(async () => {
  const dist = new URL('../../dist/', import.meta.url);
  const { default: createAvsegModel } = await import(new URL('avseg-model.js', dist).href);
  const wasmBinary = await readFile(fileURLToPath(new URL('avseg-model.wasm', dist)));
  ({ Annotations } = await createAvsegModel({ wasmBinary }));
  console.log(`imports fuzz: seed ${SEED} (AVSEG_FUZZ_SEED=${SEED} repeats it), ${PER_FORMAT} files per format`);
});

const LABELS = ['hello', 'ʃə ɪ', '"quoted"', 'a "" b', '007', '  spaced  ', 'tab\there', 'two\nlines', '&amp; <b>', 'é ü ß', '日本語', '🙂', ''];
const BAD = ['-1', '-0.5', 'NaN', 'nan', 'Infinity', '-Infinity', '0x10', '0X1F', '1e999', '-1e999', '1e-400', '', ' ', '+', '.', '1..2', '0b11', '1_000',
  '-->', '"', '""', '<', '>', '&', '&#0;', '&#xD800;', '&bogus;', ']]>', '<![CDATA[', '\n', '\r', '\r\n', '\t', '<exists>', '<absent>', '[', ']', '!', '\uFEFF',
  '\u0000', '\uD800', '\uDFFF', '\u2028', 'ts1', 'a1', 'TIME_VALUE="', 'PREVIOUS_ANNOTATION="a1"', 'ANNOTATION_REF="a2"', 'WEBVTT', 'NOTE', 'STYLE', 'REGION',
  '00:00.000', '99:99.999', '00:00:00.000 --> 00:00:00.000', '9999999999999999999', '1e308', '4.9e-324', 'size = 99999999', 'item [1]:', '"IntervalTier"', '"TextTier"'];

const EAF_IDS = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'ts1', 'ts2', 'ts3', 'ts4', 'T0', 'T0 parts', 'T1', 'nope', ''];

// ------------------------------------------------------------ generators: [text, expected rows or null]

const secs = (r, max = 60) => Math.round(r.next() * max * 1000) / 1000;
function spans(r, n, max = 60) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const a = secs(r, max);
    out.push([a, Math.round((a + 0.001 + r.next() * 5) * 1000) / 1000, r.pick(LABELS.filter(Boolean))]);
  }
  return out;
}

function audacity(r) {
  const rows = spans(r, r.int(8)).map(([a, b, t]) => [a, b, t.replace(/[\t\n]/g, ' ')]);
  const lines = rows.flatMap(([a, b, t]) => [`${a.toFixed(6)}\t${b.toFixed(6)}\t${t}`, ...(r.chance(0.2) ? [`\\\t${r.int(9000)}.000000\t${r.int(9000)}.000000`] : [])]);
  const text = lines.map((l) => `${l}${r.chance(0.1) ? '\r' : ''}\n`).join('');
  return { text, expected: rows.map(([a, b, t]) => ['speaker', 'Speaker', a, b, t]) };
}

const tgText = (t) => `"${t.replace(/"/g, '""')}"`;
function textgrid(r) {
  const xmax = 100;
  const tiers = Array.from({ length: 1 + r.int(3) }, (_, k) => {
    const cuts = [...new Set(Array.from({ length: r.int(6) }, () => secs(r, 99)).filter((x) => x > 0))].sort((a, b) => a - b);
    const edges = [0, ...cuts, xmax];
    return {
      name: r.chance(0.5) ? `speaker: S${k}` : `tier "${k}"`,
      intervals: edges.slice(1).map((b, i) => [edges[i], b, r.chance(0.6) ? r.pick(LABELS) : '']),
    };
  });
  const long = r.chance(0.5);
  const out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', ''];
  const v = (key, value, pad) => out.push(long ? `${pad}${key} = ${value} ` : `${value}`);
  v('xmin', 0, '');
  v('xmax', xmax, '');
  out.push(long ? 'tiers? <exists> ' : '<exists>');
  v('size', tiers.length, '');
  if (long) out.push('item []: ');
  tiers.forEach((tier, i) => {
    if (long) out.push(`    item [${i + 1}]:`);
    v('class', '"IntervalTier"', '        ');
    v('name', tgText(tier.name), '        ');
    v('xmin', 0, '        ');
    v('xmax', xmax, '        ');
    if (long) out.push(`        intervals: size = ${tier.intervals.length} `);
    else out.push(String(tier.intervals.length));
    tier.intervals.forEach(([a, b, t], j) => {
      if (long) out.push(`        intervals [${j + 1}]:`);
      v('xmin', a, '            ');
      v('xmax', b, '            ');
      v('text', tgText(t), '            ');
    });
  });
  const expected = tiers.flatMap((tier) => {
    const at = tier.name.indexOf(': ');
    const [category, tag] = at > 0 ? [tier.name.slice(0, at), tier.name.slice(at + 2)] : ['tier', tier.name];
    return tier.intervals.filter(([, , t]) => t).map(([a, b, t]) => [category, tag, a, b, t]);
  });
  return { text: `${out.join('\n')}\n`, expected };
}

const xml = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
function eaf(r) {
  const slots = []; // {id, ms (null: unaligned), key: its place in TIME_ORDER}
  const slot = (ms, key = ms) => `ts${slots.push({ ms, key })}`;
  const tiers = [];
  let rows = [];
  let ids = 0;
  const annotation = (id, s1, s2, t) => `<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="${id}" TIME_SLOT_REF1="${s1}" TIME_SLOT_REF2="${s2}"><ANNOTATION_VALUE>${xml(t)}</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>`;
  for (let k = 0; k < 1 + r.int(3); k++) {
    const name = `T${k}`;
    const anns = spans(r, r.int(5), 50).map(([a, b, t]) => {
      const [ms1, ms2] = [Math.round(a * 1000), Math.round(b * 1000)];
      const [s1, s2] = [slot(ms1), slot(ms2)];
      const id = `a${++ids}`;
      rows?.push(['utterance', name, ms1 / 1000, ms2 / 1000, t]);
      return { xml: annotation(id, s1, s2, t), s1, s2, ms1, ms2 };
    });
    tiers.push(`<TIER LINGUISTIC_TYPE_REF="utterance" TIER_ID="${name}">${anns.map((x) => x.xml).join('\n')}</TIER>`);
    if (anns.length && r.chance(0.7)) {
      // A time subdivision of the first annotation into n parts, its inner slots unaligned
      // (listed between the parent's in TIME_ORDER, as ELAN writes them), and a reference to each part.
      const p = anns[0];
      const n = 2 + r.int(3);
      const bounds = [p.s1, ...Array.from({ length: n - 1 }, (_, i) => slot(null, p.ms1 + ((i + 1) * (p.ms2 - p.ms1)) / n)), p.s2];
      const step = Math.trunc((p.ms2 - p.ms1) / n);
      if (step === 0) rows = null;
      const parts = bounds.slice(1).map((s2, i) => {
        const id = `a${++ids}`;
        const [from, to] = [p.ms1 + i * step, i === n - 1 ? p.ms2 : p.ms1 + (i + 1) * step];
        rows?.push(['parts', `${name} parts`, from / 1000, to / 1000, `p${i}`], ['gloss', `${name} gloss`, from / 1000, to / 1000, `g${i}`]);
        return { id, xml: annotation(id, bounds[i], s2, `p${i}`) };
      });
      tiers.push(`<TIER LINGUISTIC_TYPE_REF="parts" PARENT_REF="${name}" TIER_ID="${name} parts">${parts.map((x) => x.xml).join('\n')}</TIER>`);
      tiers.push(`<TIER LINGUISTIC_TYPE_REF="gloss" PARENT_REF="${name} parts" TIER_ID="${name} gloss">${parts.map((x, i) => `<ANNOTATION><REF_ANNOTATION ANNOTATION_ID="a${++ids}" ANNOTATION_REF="${x.id}"><ANNOTATION_VALUE>g${i}</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION>`).join('\n')}</TIER>`);
    }
  }
  const order = slots.map((s, i) => ({ ...s, id: `ts${i + 1}` })).sort((x, y) => x.key - y.key);
  const text = `<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="" DATE="2026-01-01T00:00:00Z" FORMAT="3.0" VERSION="3.0">
<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>
<TIME_ORDER>${order.map((s) => `<TIME_SLOT TIME_SLOT_ID="${s.id}"${s.ms === null ? '' : ` TIME_VALUE="${s.ms}"`}/>`).join('\n')}</TIME_ORDER>
${tiers.join('\n')}
<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="utterance" TIME_ALIGNABLE="true"/>
<LINGUISTIC_TYPE CONSTRAINTS="Time_Subdivision" LINGUISTIC_TYPE_ID="parts" TIME_ALIGNABLE="true"/>
<LINGUISTIC_TYPE CONSTRAINTS="Symbolic_Association" LINGUISTIC_TYPE_ID="gloss" TIME_ALIGNABLE="false"/>
</ANNOTATION_DOCUMENT>
`;
  return { text, expected: rows };
}

const clock = (s, hours) => {
  const ms = Math.round(s * 1000);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const h = Math.floor(ms / 3600000);
  return `${hours || h ? `${p(h)}:` : ''}${p(Math.floor(ms / 60000) % 60)}:${p(Math.floor(ms / 1000) % 60)}.${p(ms % 1000, 3)}`;
};
function vtt(r) {
  const nl = r.chance(0.3) ? '\r\n' : '\n';
  const blocks = [['WEBVTT', ...(r.chance(0.3) ? ['Kind: captions', 'Language: en'] : [])].join(nl)];
  if (r.chance(0.3)) blocks.push(`STYLE${nl}::cue { color: lime }`);
  const expected = spans(r, r.int(6), 7200).map(([a, b, t], i) => {
    const text = t.replace(/\n/g, ' ');
    const voice = r.chance(0.5) ? `V${i % 2}` : null;
    if (r.chance(0.2)) blocks.push(`NOTE ${r.pick(LABELS).replace(/\n/g, ' ')}`);
    const id = r.chance(0.3) ? `c${i}${nl}` : '';
    const settings = r.chance(0.3) ? ' align:start position:10%' : '';
    blocks.push(`${id}${clock(a, r.chance(0.5))} --> ${clock(b, r.chance(0.5))}${settings}${nl}${voice ? `<v ${voice}>` : ''}${xml(text)}`);
    return ['speaker', voice ?? 'Speaker', a, b, text];
  });
  return { text: `${r.chance(0.2) ? '\uFEFF' : ''}${blocks.join(nl + nl)}${r.chance(0.7) ? nl : ''}`, expected };
}

// ------------------------------------------------------------ mutations

function mutate(r, input) {
  if (typeof input !== 'string') {
    const bytes = Buffer.from(input);
    const kind = r.int(4);
    if (kind === 0) for (let i = 0; i < 1 + r.int(4); i++) bytes[r.int(bytes.length)] ^= 1 << r.int(8);
    if (kind === 1) return bytes.subarray(0, r.int(bytes.length + 1));
    if (kind === 2) return Buffer.concat([bytes.subarray(0, r.int(bytes.length)), Buffer.from([0]), bytes.subarray(r.int(bytes.length))]);
    if (kind === 3) return Buffer.concat([bytes, bytes.subarray(r.int(bytes.length))]);
    return bytes;
  }
  let s = input;
  for (let k = 0; k < 1 + r.int(3); k++) {
    const at = r.int(s.length + 1);
    const to = Math.min(s.length, at + r.int(40));
    const kind = r.int(10);
    if (kind === 0) s = s.slice(0, at) + r.pick(BAD) + s.slice(at);
    else if (kind === 1) s = s.slice(0, at) + s.slice(to);
    else if (kind === 2) s = s.slice(0, to) + s.slice(at, to) + s.slice(to);
    else if (kind === 3) s = s.replace(/\d+(\.\d+)?/g, (m) => (r.chance(0.15) ? r.pick(BAD) : m));
    else if (kind === 4) s = s.slice(0, at) + String.fromCharCode(r.int(0x10000)) + s.slice(at);
    else if (kind === 5) s = s.slice(0, at);
    // Well-formed but wrong: other numbers (reversed, overlapping, past the end), EAF links
    // pointed elsewhere (loops, missing targets), slots unaligned, subdivisions made symbolic.
    else if (kind === 6) s = s.replace(/\d+(\.\d+)?/g, (m) => (r.chance(0.1) ? String(r.int(200000) / 1000) : m));
    else if (kind === 7) s = s.replace(/(TIME_SLOT_REF[12]|ANNOTATION_REF|PREVIOUS_ANNOTATION|PARENT_REF|TIME_SLOT_ID|ANNOTATION_ID)="[^"]*"/g, (m, key) => (r.chance(0.2) ? `${key}="${r.pick(EAF_IDS)}"` : m));
    else if (kind === 8) s = s.replace(/ TIME_VALUE="[^"]*"/g, (m) => (r.chance(0.3) ? '' : m));
    else s = s.replace(/<REF_ANNOTATION /g, (m) => (r.chance(0.5) ? `${m}PREVIOUS_ANNOTATION="${r.pick(EAF_IDS)}" ` : m)).replace(/Symbolic_Association|Time_Subdivision/g, (m) => (r.chance(0.5) ? 'Symbolic_Subdivision' : m));
  }
  return s;
}

/** The encodings Praat writes a TextGrid in, and those a reader meets. */
function encode(r, text) {
  const kind = r.int(5);
  if (kind === 0) return text;
  if (kind === 1) return Buffer.from(text, 'utf8');
  const le = Buffer.from(text, 'utf16le');
  const bytes = kind === 2 ? le : Buffer.from(le).swap16();
  return r.chance(0.5) ? Buffer.concat([kind === 2 ? Buffer.from([0xff, 0xfe]) : Buffer.from([0xfe, 0xff]), bytes]) : bytes;
}

// ------------------------------------------------------------ the property

function assertDocument(doc, rate, context) {
  assert.equal(doc.format, 'avseg.annotation', context);
  assert.equal(doc.timebase.rate, rate, context);
  assert.ok(Number.isSafeInteger(doc.timebase.frames) && doc.timebase.frames >= 0, context);
  const tracks = new Set();
  for (const t of doc.tracks) {
    assert.ok(typeof t.category === 'string' && t.category && typeof t.tag === 'string' && t.tag, `${context}: track ${JSON.stringify(t)}`);
    assert.ok(!tracks.has(t.id), context);
    tracks.add(t.id);
  }
  for (const s of doc.segments) {
    assert.ok(tracks.has(s.track), context);
    assert.ok(Number.isSafeInteger(s.start) && Number.isSafeInteger(s.end) && s.start >= 0 && s.start < s.end, `${context}: segment ${JSON.stringify(s)}`);
    assert.ok(!doc.timebase.frames || s.end <= doc.timebase.frames, `${context}: segment ${JSON.stringify(s)} past the end`);
  }
  const model = new Annotations();
  try {
    const loaded = model.load(JSON.stringify(doc));
    assert.ok(loaded.ok, `${context}: the core refuses the document: ${loaded.reason}`);
  } finally {
    model.delete();
  }
}

const rowsOf = (doc) => doc.segments.map((s) => {
  const t = doc.tracks.find((x) => x.id === s.track);
  return [t.category, t.tag, s.start, s.end, s.fields.text ?? ''];
});
const sorted = (rows) => rows.map((x) => JSON.stringify(x)).sort();

function campaign(format, generate, { bytes = false } = {}) {
  const r = prng(SEED ^ [...format].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  const counts = { documents: 0, refused: 0 };
  for (let n = 0; n < PER_FORMAT; n++) {
    const { text, expected } = generate(r);
    const rate = r.pick([1000, 16000, 44100, 48000]);
    const original = bytes ? encode(r, text) : text;
    if (expected && n % 4 === 0) {
      const doc = IMPORTS[format](original, { rate });
      assertDocument(doc, rate, `${format} #${n}`);
      assert.deepEqual(sorted(rowsOf(doc)), sorted(expected.map(([c, t, a, b, x]) => [c, t, Math.round(a * rate), Math.round(b * rate), x])), `${format} #${n} (seed ${SEED}) reads what was written:\n${text}`);
    }
    const input = mutate(r, r.chance(0.3) && typeof original !== 'string' ? original : text);
    const options = { rate, skipInvalid: r.chance(0.5), ...(r.chance(0.5) ? { pointDuration: r.pick([0.001, 0.1, 2]) } : {}), onWarning: () => {} };
    const context = `${format} #${n} (seed ${SEED}) on ${JSON.stringify(typeof input === 'string' ? input.slice(0, 3000) : input.toString('base64'))} with ${JSON.stringify(options)}`;
    let doc;
    try {
      doc = IMPORTS[format](input, options);
    } catch (err) {
      if (!(err instanceof ImportError)) assert.fail(`${context}: not an ImportError: ${err?.stack ?? err}`);
      assert.ok(typeof err.message === 'string' && err.message.length > 10, context);
      counts.refused++;
      continue;
    }
    assertDocument(doc, rate, context);
    counts.documents++;
  }
  // Mutations both break files and leave them readable: both paths are exercised.
  console.log(`imports fuzz: ${format}: ${PER_FORMAT} mutated files: ${counts.documents} documents, ${counts.refused} refused with an ImportError`);
  assert.ok(counts.documents > PER_FORMAT / 20 && counts.refused > PER_FORMAT / 20, `${format}: ${JSON.stringify(counts)}`);
}

test('random and mutated Audacity label files: a valid document or an ImportError, nothing else', () => {
  campaign('audacity', audacity, { bytes: true });
});

test('random and mutated TextGrids, long and short, UTF-8 and UTF-16: a valid document or an ImportError, nothing else', () => {
  campaign('textgrid', textgrid, { bytes: true });
});

test('random and mutated EAF documents: a valid document or an ImportError, nothing else', () => {
  campaign('eaf', eaf, { bytes: true });
});

test('random and mutated WebVTT files: a valid document or an ImportError, nothing else', () => {
  campaign('vtt', vtt, { bytes: true });
});
