// SPDX-License-Identifier: MIT
// Praat's TextGrid text files, as Praat writes them: the long form ("key = value" lines) and
// the short form (the values alone), in UTF-8, ISO Latin-1 or UTF-16 (Praat's choice when a
// label is not ASCII), interval tiers and point tiers ("TextTier"). Both forms are the same
// values in the same order, so they are read as one stream of values; the long form's keys,
// its [n] indices and "!" comments are skipped, and any other word is a bad value, reported
// with its line. No maintained TextGrid parser exists on npm or in Debian.
import { DECIMAL, ImportError, Records, importOptions, latin1, splitName, textOf } from './import-records.js';

// The long form's keys (a trailing ":" dropped) between the values.
const KEYS = new Set(['File', 'type', 'Object', 'class', 'xmin', 'xmax', 'tiers?', 'size', 'item', 'name', 'intervals', 'points', 'number', 'mark', 'text', 'time', '=']);

// A newline, blanks, a quoted text ("" inside for a quote), a comment, an [n] index, a word.
const TOKEN = /(\n)|[^\S\n]+|"([^"]*(?:""[^"]*)*)"|![^\n]*|\[[^\]\n]*\]?|([^\s"![]+)/y;

function tokens(text) {
  const out = [];
  let line = 1;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new ImportError(`not a TextGrid: line ${line}: a text with no closing quote`);
    if (m[1]) {
      line++;
    } else if (m[2] !== undefined) {
      out.push({ s: m[2].replace(/""/g, '"'), line });
      for (let i = m[2].indexOf('\n'); i >= 0; i = m[2].indexOf('\n', i + 1)) line++;
    } else if (m[3] !== undefined) {
      const word = m[3];
      if (word === '<exists>' || word === '<absent>') out.push({ flag: word, line });
      else if (DECIMAL.test(word)) out.push({ n: Number(word), raw: word, line });
      else if (!KEYS.has(word.replace(/:$/, '')) && word !== ':') out.push({ bad: word, line });
    }
    if (TOKEN.lastIndex === at) throw new ImportError(`not a TextGrid: line ${line}: a text with no closing quote`);
  }
  return out;
}

function reader(list) {
  let i = 0;
  const describe = (t) => (t.s !== undefined ? `the text ${JSON.stringify(t.s.slice(0, 30))}` : `"${(t.raw ?? t.bad ?? t.flag).slice(0, 30)}"`);
  return {
    peek: () => list[i],
    /** A text value (quoted). */
    text(what) {
      const t = list[i++];
      if (!t) throw new ImportError(`not a TextGrid: the file ends before ${what}`);
      if (t.s === undefined) throw new ImportError(`not a TextGrid: line ${t.line}: expected ${what} (a quoted text), found ${describe(t)}`);
      return t.s;
    },
    /** A time: {value, raw, line}, value NaN when the word is not a number (the caller says why). */
    time(what) {
      const t = list[i++];
      if (!t) throw new ImportError(`not a TextGrid: the file ends before ${what}`);
      if (t.s !== undefined || t.flag) throw new ImportError(`not a TextGrid: line ${t.line}: expected ${what} (a number), found ${describe(t)}`);
      return { value: t.n ?? NaN, raw: t.raw ?? t.bad, line: t.line };
    },
    /** A number the structure depends on (a count, the file's domain): must be good. */
    number(what, { whole = false } = {}) {
      const t = this.time(what);
      if (!Number.isFinite(t.value) || (whole && (!Number.isSafeInteger(t.value) || t.value < 0))) {
        throw new ImportError(`not a TextGrid: line ${t.line}: ${what} ${JSON.stringify(t.raw)} is not ${whole ? 'a count' : 'a number'}`);
      }
      return t.value;
    },
    skipFlag() {
      if (list[i]?.flag) return list[i++].flag;
      return null;
    },
  };
}

/** Seconds from a time token, or why not. */
function seconds(t, name) {
  if (Number.isNaN(t.value)) return { why: `${name} ${JSON.stringify(String(t.raw).slice(0, 40))} is not a decimal number of seconds` };
  if (!Number.isFinite(t.value)) return { why: `${name} ${t.raw.slice(0, 40)} is out of range` };
  return { value: t.value };
}

function decodeTextGrid(input, records) {
  return textOf(input, {
    otherwise: (bytes) => {
      records.warn('the file is not UTF-8: read as ISO Latin-1, as Praat writes it with "try ISO Latin-1"');
      return latin1(bytes);
    },
  });
}

/** A Praat TextGrid (string or bytes) as an avseg document: a track per tier. */
export function fromTextGrid(input, options) {
  const o = importOptions(options);
  const records = new Records(o);
  // Praat reads CRLF and CR as LF, in labels too.
  const text = decodeTextGrid(input, records).replace(/\r\n?/g, '\n');
  if (/^ooBinaryFile/.test(text)) throw new ImportError('not a TextGrid text file: this is Praat\'s binary format; in Praat, save it with "Save as text file"');
  if (/^"Praat chronological TextGrid text file"/.test(text)) throw new ImportError('not a TextGrid text file this reader knows: Praat\'s chronological format; in Praat, save it with "Save as text file"');
  const r = reader(tokens(text));
  const head = r.peek();
  if (head?.s !== 'ooTextFile' && head?.s !== 'ooTextFile short') throw new ImportError('not a TextGrid: it must start with File type = "ooTextFile"');
  r.text('the file type');
  const cls = r.peek()?.s;
  if (cls !== 'TextGrid') throw new ImportError(`not a TextGrid: the object class is ${cls === undefined ? 'missing' : JSON.stringify(cls)}, not "TextGrid"`);
  r.text('the object class');
  const xmin = r.number('xmin');
  const xmax = r.number('xmax');
  if (xmax < xmin || xmax < 0) throw new ImportError(`not a TextGrid: its time domain ${xmin} to ${xmax} s is not a span of the media`);
  const flag = r.skipFlag();
  const size = flag === '<absent>' ? 0 : r.number('the number of tiers', { whole: true });
  for (let k = 1; k <= size; k++) {
    const tierClass = r.text(`the class of tier ${k}`);
    if (tierClass !== 'IntervalTier' && tierClass !== 'TextTier') throw new ImportError(`not a TextGrid: tier ${k} is a ${JSON.stringify(tierClass)}, not an IntervalTier or a TextTier`);
    const name = r.text(`the name of tier ${k}`);
    const where = `tier ${k} ${JSON.stringify(name)}`;
    r.number(`the xmin of ${where}`);
    r.number(`the xmax of ${where}`);
    const count = r.number(`the number of ${tierClass === 'IntervalTier' ? 'intervals' : 'points'} of ${where}`, { whole: true });
    const track = records.track(splitName(name, o.category), `tier ${k}`);
    for (let j = 1; j <= count; j++) {
      if (tierClass === 'IntervalTier') {
        const a = r.time(`the xmin of ${where}, interval ${j}`);
        const b = r.time(`the xmax of ${where}, interval ${j}`);
        const label = r.text(`the text of ${where}, interval ${j}`);
        const at = `${where}, interval ${j} (line ${a.line})`;
        const start = seconds(a, 'xmin');
        const end = seconds(b, 'xmax');
        if (start.why || end.why) records.bad(at, start.why ?? end.why);
        else if (label) records.record(track, start.value, end.value, label, at);
        else if (start.value < 0 || end.value < start.value) records.bad(at, `an empty interval from ${start.value} to ${end.value} s: the tier's times are out of order`);
      } else {
        const t = r.time(`the time of ${where}, point ${j}`);
        const mark = r.text(`the mark of ${where}, point ${j}`);
        const at = `${where}, point ${j} (line ${t.line})`;
        const time = seconds(t, 'number');
        if (time.why) records.bad(at, time.why);
        else records.record(track, time.value, time.value, mark, at);
      }
    }
  }
  return records.document({ end: xmax });
}
