// SPDX-License-Identifier: MIT
// What every importer shares: reading the file's bytes as text, the options, and turning the
// records a format yields (a track, start and end in seconds, text, and where they were read)
// into an avseg document. A record with a bad time is never passed through: the import is
// refused naming each one, unless the caller asks to skip them (skipInvalid). A record that
// starts where it ends is a point, which a segment cannot be: refused, or given the length
// the caller chooses (pointDuration).

export class ImportError extends Error {
  constructor(message, { problems = [] } = {}) {
    super(message);
    this.name = 'ImportError';
    /** [{where, why}]: the records that stopped the import. */
    this.problems = problems;
  }
}

const LISTED = 10;

/** "a; b; c and 4 more" of [{where, why}]. */
export function listProblems(problems) {
  const shown = problems.slice(0, LISTED).map((p) => (p.where ? `${p.where}: ${p.why}` : p.why));
  return `${shown.join('; ')}${problems.length > LISTED ? `; and ${problems.length - LISTED} more` : ''}`;
}

/** A finite decimal number as text: no hex, no "NaN" or "Infinity", no empty string. */
export const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A number of seconds from the text of a field, or why it is not one. */
export function parseSeconds(raw, name) {
  const text = String(raw).trim();
  if (!DECIMAL.test(text)) return { why: `${name} ${JSON.stringify(String(raw).slice(0, 40))} is not a decimal number of seconds` };
  const value = Number(text);
  if (!Number.isFinite(value)) return { why: `${name} ${text.slice(0, 40)} is out of range` };
  return { value };
}

const seconds = (s) => `${Number(s.toFixed(6))} s`;

/** The options every importer takes, checked: a bad one is an ImportError naming it. */
export function importOptions(options = {}, defaults = {}) {
  const o = { rate: 48000, category: 'tier', tag: 'Speaker', skipInvalid: false, pointDuration: undefined, onWarning: undefined, ...defaults };
  for (const [key, value] of Object.entries(options ?? {})) if (value !== undefined) o[key] = value;
  if (typeof o.rate !== 'number' || !Number.isSafeInteger(o.rate) || o.rate <= 0) {
    throw new ImportError(`rate: ${typeof o.rate === 'string' ? JSON.stringify(o.rate) : String(o.rate)} is not a whole number of samples per second (e.g. 48000)`);
  }
  if (o.pointDuration !== undefined && (typeof o.pointDuration !== 'number' || !Number.isFinite(o.pointDuration) || o.pointDuration <= 0)) {
    throw new ImportError(`pointDuration: ${typeof o.pointDuration === 'string' ? JSON.stringify(o.pointDuration) : String(o.pointDuration)} is not a positive number of seconds`);
  }
  for (const key of ['category', 'tag']) {
    if (typeof o[key] !== 'string' || !o[key]) throw new ImportError(`${key}: must be a non-empty name`);
  }
  if (o.onWarning !== undefined && typeof o.onWarning !== 'function') throw new ImportError('onWarning: must be a function');
  o.skipInvalid = Boolean(o.skipInvalid);
  return o;
}

function isBytes(input) {
  return input instanceof ArrayBuffer || ArrayBuffer.isView(input);
}

function bytesOf(input) {
  return input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
}

/** The encoding of bytes from a byte order mark, or from an ASCII first character in UTF-16. */
export function sniffEncoding(bytes) {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  // Every format read here starts with ASCII, so UTF-16 shows as a zero byte beside it.
  if (bytes.length >= 2 && bytes[0] === 0 && bytes[1] !== 0) return { encoding: 'utf-16be', bom: false };
  if (bytes.length >= 2 && bytes[0] !== 0 && bytes[1] === 0) return { encoding: 'utf-16le', bom: false };
  return { encoding: null, bom: false };
}

export function decode(bytes, encoding) {
  if (encoding.startsWith('utf-16') && bytes.length % 2) throw new ImportError(`not valid ${encoding.toUpperCase()}: an odd number of bytes (${bytes.length})`);
  let decoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new ImportError(`the encoding ${JSON.stringify(encoding)} is not one this reader knows`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ImportError(`not valid ${encoding.toUpperCase()}: the bytes do not decode`);
  }
}

/**
 * The text of a file given as a string, or as bytes (Uint8Array, Buffer, ArrayBuffer) in
 * UTF-8 or UTF-16 of either byte order, with or without a byte order mark. `otherwise(bytes)`
 * decides what bytes that are not UTF-8 mean (by default they are refused).
 */
export function textOf(input, { otherwise } = {}) {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  if (!isBytes(input)) throw new ImportError(`expected the file's text or bytes, got ${input === null ? 'null' : typeof input}`);
  const bytes = bytesOf(input);
  const { encoding, bom } = sniffEncoding(bytes);
  if (encoding?.startsWith('utf-16')) return decode(bytes.subarray(bom ? 2 : 0), encoding);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes); // drops a UTF-8 byte order mark
  } catch {
    if (otherwise && !bom) return otherwise(bytes);
    throw new ImportError('not valid UTF-8 (nor UTF-16): save the file as UTF-8');
  }
}

/** ISO 8859-1, byte for byte (TextDecoder's "latin1" is windows-1252). */
export const latin1 = (bytes) => {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
};

/**
 * Collects a file's tracks and records, then checks every time and builds the document.
 * Formats call track() and record(); bad() notes a record that could not even be read.
 */
export class Records {
  constructor(options) {
    this.o = options;
    this.tracks = [];
    this.records = [];
    this.problems = [];
    this.warnings = [];
    this.names = new Set();
  }

  warn(message) {
    this.warnings.push(message);
  }

  /** A track named {category, tag}; a name used twice gets a number so both stay apart. */
  track({ category, tag }, where) {
    const c = (category || this.o.category).toWellFormed();
    let t = (tag || `${where}`).toWellFormed();
    if (!tag) this.warn(`${where} has no name: imported as the track "${t}"`);
    const key = (x) => `${c}\u0000${x}`;
    if (this.names.has(key(t))) {
      let n = 2;
      while (this.names.has(key(`${t} (${n})`))) n++;
      this.warn(`${where}: the name "${t}" is used twice: imported as "${t} (${n})"`);
      t = `${t} (${n})`;
    }
    this.names.add(key(t));
    return this.tracks.push({ category: c, tag: t }) - 1;
  }

  /** A record: start and end in seconds (checked here), text, and where it was read. */
  record(track, start, end, text, where) {
    if (!text.isWellFormed()) {
      this.warn(`${where}: the text has unpaired UTF-16 surrogates: each is read as U+FFFD`);
      text = text.toWellFormed();
    }
    this.records.push({ track, start, end, text, where, order: this.records.length + this.problems.length });
  }

  /** A record whose times could not be read at all. */
  bad(where, why) {
    this.problems.push({ where, why, order: this.records.length + this.problems.length });
  }

  /** The document, or an ImportError naming every bad record and point. `end` in seconds, if the file says. */
  document({ end: fileEnd } = {}) {
    const { rate, pointDuration, skipInvalid } = this.o;
    const frames = fileEnd === undefined ? 0 : Math.round(fileEnd * rate);
    if (!Number.isSafeInteger(frames)) throw new ImportError(`the file's end (${fileEnd} s) is too far into the media to store at ${rate} Hz`);
    const points = [];
    const segments = [];
    const problems = [...this.problems];
    for (const r of this.records) {
      const why = timeProblem(r.start, r.end);
      if (why) {
        problems.push({ where: r.where, why, order: r.order });
        continue;
      }
      let { start, end } = r;
      if (r.start === r.end) {
        if (pointDuration === undefined) {
          points.push({ where: r.where, order: r.order, why: `a point at ${seconds(r.start)}${r.text ? ` ${JSON.stringify(r.text.slice(0, 40))}` : ''}` });
          continue;
        }
        end = r.start + pointDuration;
        if (fileEnd !== undefined && end > fileEnd && r.start < fileEnd) {
          this.warn(`${r.where}: the point at ${seconds(r.start)} is imported up to the file's end (${seconds(fileEnd)}), shorter than pointDuration`);
          end = fileEnd;
        } else if (fileEnd !== undefined && r.start === fileEnd && fileEnd > 0) {
          // Praat puts points at the very end too: the segment then ends at the point.
          start = Math.max(0, fileEnd - pointDuration);
          end = fileEnd;
          this.warn(`${r.where}: the point at the file's end (${seconds(fileEnd)}) is imported as the segment ending there, from ${seconds(start)}`);
        }
      }
      const a = Math.round(start * rate);
      const b = Math.round(end * rate);
      const bad = (why) => problems.push({ where: r.where, why, order: r.order });
      if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) bad(`${seconds(end)} is too far into the media to store at ${rate} Hz`);
      else if (b <= a) bad(`it lasts ${seconds(end - start)}, less than one sample at ${rate} Hz`);
      else if (frames > 0 && b > frames) bad(`it ends at ${seconds(end)}, after the file's end (${seconds(fileEnd)})`);
      else segments.push({ track: r.track, start: a, end: b, text: r.text, where: r.where });
    }
    problems.sort((x, y) => x.order - y.order);
    if ((problems.length || points.length) && !skipInvalid) {
      const parts = [];
      if (problems.length) parts.push(`${problems.length} record${problems.length > 1 ? 's have' : ' has'} bad or missing times: ${listProblems(problems)}`);
      if (points.length) parts.push(`${points.length} point${points.length > 1 ? 's' : ''} (labels without duration) cannot be segments: ${listProblems(points)}`);
      const hints = [points.length ? 'pointDuration (--point-duration SECONDS) imports each point as a segment of that length' : '', 'skipInvalid (--skip-invalid) imports the rest and reports what it left out'].filter(Boolean);
      throw new ImportError(`${parts.join('. ')}. Nothing was imported: ${hints.join('; ')}.`, { problems: [...problems, ...points].map(({ where, why }) => ({ where, why })) });
    }
    for (const p of [...problems, ...points].sort((x, y) => x.order - y.order)) this.warn(`skipped ${p.where ? `${p.where}: ` : ''}${p.why}`);
    if (problems.length || points.length) this.warn(`skipped ${problems.length + points.length} of ${this.records.length + this.problems.length} records`);
    if (this.o.onWarning) for (const w of this.warnings) this.o.onWarning(w);
    return documentOf(this.tracks, segments, rate, Math.max(frames, 0));
  }
}

/** Why start and end (seconds) cannot be a segment's, or '' (a point, start === end, is fine here). */
export function timeProblem(start, end) {
  if (typeof start !== 'number' || Number.isNaN(start)) return 'its start is not a number';
  if (typeof end !== 'number' || Number.isNaN(end)) return 'its end is not a number';
  if (!Number.isFinite(start) || !Number.isFinite(end)) return 'a time is out of range';
  if (start < 0) return `it starts at ${seconds(start)}, before the media`;
  if (end < 0) return `it ends at ${seconds(end)}, before the media`;
  if (end < start) return `it ends (${seconds(end)}) before it starts (${seconds(start)})`;
  return '';
}

/** A document from tracks [{category, tag}] and segments [{track index, start, end positions, text}]. */
export function documentOf(tracks, segments, rate, frames = 0) {
  const doc = { format: 'avseg.annotation', version: 1, timebase: { rate, frames }, tracks: [], segments: [], classifications: {} };
  tracks.forEach((t, i) => doc.tracks.push({ id: `t${i + 1}`, category: t.category, tag: t.tag }));
  [...segments].sort((a, b) => a.start - b.start || a.end - b.end).forEach((s, i) => doc.segments.push({
    id: `s${i + 1}`, track: `t${s.track + 1}`, start: s.start, end: s.end, fields: s.text ? { text: s.text } : {},
  }));
  return doc;
}

/** "category: tag" (how avseg names tiers), or the whole name as a tag of `category`. */
export function splitName(name, category) {
  const at = name.indexOf(': ');
  return at > 0 && at + 2 < name.length ? { category: name.slice(0, at), tag: name.slice(at + 2) } : { category, tag: name };
}
