// SPDX-License-Identifier: MIT
// WebVTT as the specification's file parsing algorithm reads it, and so as browsers play it
// (https://w3c.github.io/webvtt/#file-parsing): header lines after "WEBVTT" (YouTube's Kind:
// and Language:), NOTE, STYLE and REGION blocks, cue ids and settings, timestamps without
// hours, CRLF, a byte order mark, no blank line at the end. What a validator would flag is a
// warning; a cue whose timing line does not parse (which a browser drops silently) is a bad
// record, reported with its line. A track per voice (<v Name>).
import { ImportError, Records, decode, importOptions, sniffEncoding } from './import-records.js';

const ENTITIES = { amp: '&', lt: '<', gt: '>', lrm: '\u200e', rlm: '\u200f', nbsp: '\u00a0', quot: '"', apos: "'" };

export function decodeEntities(text) {
  return text.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));/g, (all, dec, hex, name) => {
    if (name) return ENTITIES[name] ?? all;
    const code = dec ? Number(dec) : parseInt(hex, 16);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
  });
}

function vttText(input, records) {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  if (!(input instanceof ArrayBuffer || ArrayBuffer.isView(input))) throw new ImportError(`expected the file's text or bytes, got ${input === null ? 'null' : typeof input}`);
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const { encoding, bom } = sniffEncoding(bytes);
  if (encoding?.startsWith('utf-16')) {
    records.warn(`WebVTT must be UTF-8: this file is ${encoding.toUpperCase()}, which browsers would not read`);
    return decode(bytes.subarray(bom ? 2 : 0), encoding);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    records.warn('the file is not valid UTF-8: the bad bytes are read as U+FFFD, as browsers do');
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** The spec's "collect a WebVTT timestamp" from s at i: {seconds, next} or null. */
function timestamp(s, i) {
  const digits = () => {
    const from = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    return s.slice(from, i);
  };
  let hours = false;
  const a = digits();
  if (!a) return null;
  if (a.length !== 2 || Number(a) > 59) hours = true;
  if (s[i] !== ':') return null;
  i++;
  const b = digits();
  if (b.length !== 2) return null;
  let h;
  let m;
  let sec;
  if (hours || s[i] === ':') {
    if (s[i] !== ':') return null;
    i++;
    const c = digits();
    if (c.length !== 2) return null;
    [h, m, sec] = [Number(a), Number(b), Number(c)];
  } else {
    [h, m, sec] = [0, Number(a), Number(b)];
  }
  if (s[i] !== '.') return null;
  i++;
  const ms = digits();
  if (ms.length !== 3) return null;
  if (m > 59 || sec > 59) return null;
  return { seconds: h * 3600 + m * 60 + sec + Number(ms) / 1000, next: i };
}

const SPACE = /[ \t\n\f\r]/;
const skipSpace = (s, i) => {
  while (i < s.length && SPACE.test(s[i])) i++;
  return i;
};

const TIME_HINT = 'a WebVTT timestamp is mm:ss.ttt or hh:mm:ss.ttt';

/** The spec's "collect WebVTT cue timings and settings": {start, end, settings} or {why}. */
function timings(line) {
  const word = (i) => JSON.stringify(line.slice(i).split(/[ \t]/, 1)[0].slice(0, 30));
  const why = (name, i) => (line[i] === '-' ? `its ${name} ${word(i)} is negative`
    : `its ${name} ${word(i)} is not a timestamp (${TIME_HINT}${/^\d+:\d+(?::\d+)?,\d/.test(line.slice(i)) ? ', with a full stop where SubRip (.srt) has a comma' : ''})`);
  let i = skipSpace(line, 0);
  const start = timestamp(line, i);
  if (!start) return { why: why('start', i) };
  i = skipSpace(line, start.next);
  if (line.slice(i, i + 3) !== '-->') return { why: `"-->" must follow the start time, found ${word(i)}` };
  i = skipSpace(line, i + 3);
  const end = timestamp(line, i);
  if (!end) return { why: why('end', i) };
  return { start: start.seconds, end: end.seconds, settings: line.slice(end.next) };
}

const SETTINGS = new Set(['vertical', 'line', 'position', 'size', 'align', 'region']);

/** A cue's text without tags, its character references decoded; its voices. */
export function cueText(text) {
  const voices = [];
  for (const m of text.matchAll(/<v(?:\.[^\s>]*)?(?:[ \t\n\f]+([^>]*))?>/g)) voices.push(decodeEntities((m[1] ?? '').trim()));
  return { plain: decodeEntities(text.replace(/<[^>]*(?:>|$)/g, '')), voices };
}

/** Blocks of the file: [{kind: 'cue'|'style'|'region'|'other'|'header', ...}] as the spec collects them. */
function blocks(input, records) {
  const out = [];
  let pos = 0;
  let line = 1;
  const n = input.length;
  let seenCue = false;
  const readLine = () => {
    const nl = input.indexOf('\n', pos);
    const at = line;
    if (nl < 0) {
      const text = input.slice(pos);
      pos = n;
      return { text, eof: true, at };
    }
    const text = input.slice(pos, nl);
    pos = nl + 1;
    line++;
    return { text, eof: false, at };
  };
  const collect = (inHeader) => {
    let count = 0;
    let previous = { pos, line };
    let buffer = '';
    let first = null;
    let seenArrow = false;
    let cue = null;
    let kind = 'other';
    for (;;) {
      const l = readLine();
      count++;
      first ??= l.at;
      if (l.text.includes('-->')) {
        if (!inHeader && (count === 1 || (count === 2 && !seenArrow))) {
          seenArrow = true;
          previous = { pos, line };
          const t = timings(l.text);
          cue = { id: buffer, line: l.at, ...t };
          buffer = '';
          if (!t.why) seenCue = true;
          kind = 'cue';
        } else {
          records.warn(`line ${l.at}: a cue timing with no blank line before it`);
          ({ pos, line } = previous);
          break;
        }
      } else if (l.text === '') {
        break;
      } else {
        if (!inHeader && count === 2 && !seenCue && kind === 'other') {
          if (/^STYLE[ \t]*$/.test(buffer)) kind = 'style';
          else if (/^REGION[ \t]*$/.test(buffer)) kind = 'region';
        }
        if (buffer !== '') buffer += '\n';
        buffer += l.text;
        previous = { pos, line };
      }
      if (l.eof) break;
    }
    if (cue) cue.text = buffer;
    return { kind: inHeader ? 'header' : kind, cue, buffer, line: first };
  };
  const skipNewlines = () => {
    while (pos < n && input[pos] === '\n') {
      pos++;
      line++;
    }
  };
  // The signature line, then the header block.
  const nl = input.indexOf('\n');
  pos = nl < 0 ? n : nl;
  if (pos >= n) return out;
  pos++;
  line++;
  out.push(collect(true));
  skipNewlines();
  while (pos < n) {
    out.push(collect(false));
    skipNewlines();
  }
  return out;
}

/** WebVTT (string or bytes) as an avseg document: a track per voice, `tag` for cues without one. */
export function fromWebVtt(input, options) {
  const o = importOptions(options, { category: 'speaker', tag: 'Speaker' });
  const records = new Records(o);
  const text = vttText(input, records).replace(/\0/g, '\ufffd').replace(/\r\n?/g, '\n');
  if (!/^WEBVTT(?:[ \t\n]|$)/.test(text)) {
    const srt = /^\s*\d+[ \t]*\n[ \t]*\d+:\d{2}:\d{2},\d{3}[ \t]+-->/.test(text) ? ': it looks like SubRip (.srt), which is not imported; as WebVTT it needs a first line "WEBVTT" and a full stop before the milliseconds' : '';
    throw new ImportError(`not valid WebVTT: a WebVTT file begins with "WEBVTT", this one with ${JSON.stringify(text.slice(0, 20))}${srt}`);
  }
  const index = new Map();
  const trackOf = (voice) => {
    if (!index.has(voice)) index.set(voice, records.track({ category: o.category, tag: voice }, `voice ${index.size + 1}`));
    return index.get(voice);
  };
  let previousStart = -Infinity;
  for (const block of blocks(text, records)) {
    if (block.kind === 'header') {
      block.buffer.split('\n').filter(Boolean).forEach((l, i) => records.warn(`line ${block.line + i}: the header line ${JSON.stringify(l.slice(0, 40))} is not WebVTT syntax (YouTube writes it): ignored, as browsers do`));
      continue;
    }
    if (block.kind !== 'cue') {
      if (block.kind === 'other' && !/^NOTE(?:[ \t\n]|$)/.test(block.buffer)) records.warn(`line ${block.line}: a block with no cue timing: ignored, as browsers do`);
      continue;
    }
    const { cue } = block;
    const where = `line ${cue.line}${cue.id ? ` (cue ${JSON.stringify(cue.id.slice(0, 30))})` : ''}`;
    if (cue.why) {
      records.bad(where, cue.why);
      continue;
    }
    for (const setting of cue.settings.split(/[ \t]+/).filter(Boolean)) {
      const colon = setting.indexOf(':');
      if (colon <= 0 || colon === setting.length - 1 || !SETTINGS.has(setting.slice(0, colon))) records.warn(`${where}: the cue setting ${JSON.stringify(setting.slice(0, 30))} is not one WebVTT knows: ignored`);
    }
    if (cue.start < previousStart) records.warn(`${where}: the cue starts before the one above it`);
    previousStart = cue.start;
    const { plain, voices } = cueText(cue.text);
    const voice = voices.find(Boolean) || o.tag;
    if (new Set(voices.filter(Boolean)).size > 1) records.warn(`${where}: a cue with more than one voice: imported on the track of the first (${voice})`);
    records.record(trackOf(voice), cue.start, cue.end, plain, where);
  }
  return records.document();
}
