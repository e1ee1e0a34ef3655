// SPDX-License-Identifier: MIT
// Segments from other tools' files, as avseg documents (pre-annotations), shared by the element
// (importAs) and scripts/import. Audacity's three tab-separated columns and the TextGrid text
// format are read here (no maintained TextGrid parser exists on npm or in Debian); WebVTT goes
// through the W3C's webvtt-parser, passed in by the caller (the npm package in Node, a copy
// shipped in dist/vendor for the browser); EAF through the platform's DOMParser here and
// fast-xml-parser in scripts/lib/imports.mjs.

export class ImportError extends Error {}

/** A document from tracks [{category, tag}] and segments [{track index, start s, end s, text}]. */
export function documentOf(tracks, segments, rate, frames = 0) {
  const doc = { format: 'avseg.annotation', version: 1, timebase: { rate, frames }, tracks: [], segments: [], classifications: {} };
  tracks.forEach((t, i) => doc.tracks.push({ id: `t${i + 1}`, category: t.category, tag: t.tag }));
  segments.sort((a, b) => a.start - b.start || a.end - b.end).forEach((s, i) => doc.segments.push({
    id: `s${i + 1}`, track: `t${s.track + 1}`, start: Math.round(s.start * rate), end: Math.round(s.end * rate), fields: s.text ? { text: s.text } : {},
  }));
  return doc;
}

/** "category: tag" (how avseg names tiers), or the whole name as a tag of `category`. */
export function splitName(name, category) {
  const at = name.indexOf(': ');
  return at > 0 ? { category: name.slice(0, at), tag: name.slice(at + 2) } : { category, tag: name };
}

export function fromAudacity(text, { rate = 48000, category = 'speaker', tag = 'Speaker' } = {}) {
  const segments = [];
  text.split(/\r?\n/).forEach((line, n) => {
    if (!line.trim() || line.startsWith('\\')) return; // a spectral label's frequency line
    const [a, b, ...label] = line.split('\t');
    const start = Number(a);
    const end = Number(b);
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw new ImportError(`line ${n + 1}: expected "start<TAB>end<TAB>label", got ${JSON.stringify(line.slice(0, 80))}`);
    segments.push({ track: 0, start, end, text: label.join('\t') });
  });
  return documentOf([{ category, tag }], segments, rate);
}

export function fromTextGrid(text, { rate = 48000, category = 'tier' } = {}) {
  // Long and short forms alike: the values in order, strings quoted with "" for a quote.
  const tokens = [];
  // Strings first (they may hold anything), then the long form's item [n] labels (skipped), then values.
  const re = /"((?:[^"]|"")*)"|\[\d*\]|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|<exists>|<absent>/g;
  for (const m of text.replace(/^\uFEFF/, '').matchAll(re)) {
    if (m[0].startsWith('[')) continue;
    if (m[1] !== undefined) tokens.push({ s: m[1].replace(/""/g, '"') });
    else if (m[2] !== undefined) tokens.push({ n: Number(m[2]) });
    else tokens.push({ flag: m[0] });
  }
  let i = 0;
  const next = (kind) => {
    const t = tokens[i++];
    if (!t || !(kind in t)) throw new ImportError(`not a TextGrid: expected a ${kind === 's' ? 'string' : 'number'} as value ${i}`);
    return t[kind];
  };
  if (next('s') !== 'ooTextFile' || next('s') !== 'TextGrid') throw new ImportError('not a TextGrid: it must start with File type = "ooTextFile", Object class = "TextGrid"');
  next('n');
  const xmax = next('n');
  if (tokens[i]?.flag) i++;
  const size = next('n');
  const tracks = [];
  const segments = [];
  for (let k = 0; k < size; k++) {
    const cls = next('s');
    const name = next('s');
    next('n');
    next('n');
    const count = next('n');
    const track = tracks.push(splitName(name, category)) - 1;
    for (let j = 0; j < count; j++) {
      if (cls === 'IntervalTier') {
        const start = next('n');
        const end = next('n');
        const label = next('s');
        if (label) segments.push({ track, start, end, text: label });
      } else {
        const at = next('n');
        segments.push({ track, start: at, end: at, text: next('s') });
      }
    }
  }
  return documentOf(tracks, segments, rate, Math.round(xmax * rate));
}

/** WebVTT through the W3C parser (its WebVTTParser class): a track per voice (<v Name>). */
export function fromWebVtt(text, { rate = 48000, category = 'speaker', tag = 'Speaker' } = {}, WebVTTParser) {
  const tree = new WebVTTParser().parse(text, 'metadata');
  if (tree.errors.length) throw new ImportError(`not valid WebVTT: line ${tree.errors[0].line}: ${tree.errors[0].message}`);
  const tracks = [];
  const index = new Map();
  const segments = [];
  for (const cue of tree.cues) {
    const voice = /^<v(?:\.[^ >]*)? ([^>]*)>/.exec(cue.text)?.[1]?.trim() || tag;
    if (!index.has(voice)) index.set(voice, tracks.push({ category, tag: voice }) - 1);
    const plain = cue.text.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    segments.push({ track: index.get(voice), start: cue.startTime, end: cue.endTime, text: plain });
  }
  return documentOf(tracks, segments, rate);
}

/** ELAN EAF from a parsed XML Document (the browser's DOMParser). */
export function fromEafDocument(xml, { rate = 48000, category = 'tier' } = {}) {
  const root = xml.documentElement;
  if (!root || root.nodeName !== 'ANNOTATION_DOCUMENT' || xml.getElementsByTagName('parsererror').length) throw new ImportError('not an EAF file: no ANNOTATION_DOCUMENT');
  const slots = new Map([...xml.getElementsByTagName('TIME_SLOT')].map((s) => [s.getAttribute('TIME_SLOT_ID'), Number(s.getAttribute('TIME_VALUE') ?? NaN)]));
  const tracks = [];
  const segments = [];
  for (const tier of xml.getElementsByTagName('TIER')) {
    const track = tracks.push(splitName(tier.getAttribute('TIER_ID') ?? '', tier.getAttribute('LINGUISTIC_TYPE_REF') ?? category)) - 1;
    for (const al of tier.getElementsByTagName('ALIGNABLE_ANNOTATION')) {
      const start = slots.get(al.getAttribute('TIME_SLOT_REF1'));
      const end = slots.get(al.getAttribute('TIME_SLOT_REF2'));
      if (!Number.isFinite(start) || !Number.isFinite(end)) throw new ImportError(`annotation ${al.getAttribute('ANNOTATION_ID')}: a time slot without a time`);
      segments.push({ track, start: start / 1000, end: end / 1000, text: al.getElementsByTagName('ANNOTATION_VALUE')[0]?.textContent ?? '' });
    }
  }
  return documentOf(tracks, segments, rate);
}
