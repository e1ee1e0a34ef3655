// SPDX-License-Identifier: MIT
// Annotation documents (doc/annotation-format.md) written in the formats speech and video
// tools read. Shared by the element (exportAs) and scripts/export. Times come from the exact
// positions (start / rate) and are rounded only as far as each format must: doc/exports.md.

const sec = (pos, rate) => pos / rate;
const byTime = (a, b) => a.start - b.start || a.end - b.end;

function trackOf(doc) {
  const tracks = new Map((doc.tracks ?? []).map((t) => [t.id, t]));
  return (seg) => tracks.get(seg.track);
}

/**
 * The categories as [{name, tags}], whichever form the config uses (an array, or the object form
 * name → tags of doc/label-config.md), plus those of the document's tracks the config does not
 * declare (their tags as the tracks name them).
 */
export function categoriesOf(config, doc) {
  const declared = config?.categories ?? [];
  const list = Array.isArray(declared) ? declared.map((c) => ({ name: c.name, tags: [...(c.tags ?? [])] }))
    : Object.entries(declared).map(([name, tags]) => ({ name, tags: Array.isArray(tags) ? [...tags] : [] }));
  const byName = new Map(list.map((c) => [c.name, c]));
  for (const t of doc?.tracks ?? []) {
    if (!byName.has(t.category)) byName.set(t.category, list[list.push({ name: t.category, tags: [] }) - 1]);
    const c = byName.get(t.category);
    if (!c.tags.includes(t.tag)) c.tags.push(t.tag);
  }
  return list;
}

/**
 * A segment's transcription, or '': the config's first text field; without declared fields (an
 * export with no config), the field named "text", else the first string answer.
 */
export function segmentText(seg, config) {
  const declared = config?.segmentFields ?? [];
  const name = declared.find((f) => f.type === 'text')?.name;
  const value = declared.length ? (name === undefined ? undefined : seg.fields?.[name])
    : seg.fields?.text ?? Object.values(seg.fields ?? {}).find((v) => typeof v === 'string');
  return typeof value === 'string' ? value : '';
}

const fieldValue = (v) => (Array.isArray(v) ? v.map(fieldValue).join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/**
 * What a tool that shows one string per segment shows: its text; without text, its other answers
 * ("emotion: Sad; naturalness: 4", in the config's field order); without any, its track's tag.
 */
export function segmentLabel(seg, config, tag = '') {
  const text = segmentText(seg, config);
  if (text.trim()) return text;
  const order = (config?.segmentFields ?? []).map((f) => f.name);
  const names = Object.keys(seg.fields ?? {}).sort((a, b) => ((order.indexOf(a) + 1) || Infinity) - ((order.indexOf(b) + 1) || Infinity));
  const answers = names.map((n) => [n, seg.fields[n]])
    .filter(([, v]) => v !== undefined && v !== null && !(typeof v === 'string' && !v.trim()) && !(Array.isArray(v) && !v.length))
    .map(([n, v]) => `${n}: ${fieldValue(v)}`);
  return answers.length ? answers.join('; ') : tag;
}

/** hh:mm:ss.mmm (WebVTT) or hh:mm:ss,mmm (SRT), rounded to the millisecond. */
export function clock(seconds, comma = false) {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  const s = Math.floor((ms % 60000) / 1000);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${comma ? ',' : '.'}${pad(ms % 1000, 3)}`;
}

/** JSON Lines for training: one record per segment, then one per item with the whole-file answers. */
export function toJsonl(doc, { media = doc.media?.url ?? '', item } = {}) {
  const track = trackOf(doc);
  const rate = doc.timebase.rate;
  const lines = [...doc.segments].sort(byTime).map((s) => JSON.stringify({
    type: 'segment', media, ...(item !== undefined ? { item } : {}), track: { category: track(s)?.category, tag: track(s)?.tag },
    start: sec(s.start, rate), end: sec(s.end, rate), startPosition: s.start, endPosition: s.end, rate,
    ...(s.startFrame !== undefined ? { startFrame: s.startFrame, endFrame: s.endFrame } : {}),
    fields: s.fields ?? {},
  }));
  lines.push(JSON.stringify({ type: 'item', media, ...(item !== undefined ? { item } : {}), classifications: doc.classifications ?? {} }));
  return `${lines.join('\n')}\n`;
}

/**
 * A segment's span in whole milliseconds (WebVTT, SRT, EAF): rounded, but a segment that would
 * round to nothing (shorter than a millisecond, or one sample at the media's end) gets the
 * milliseconds around it, so that it stays a span rather than a point the tools drop.
 */
export function millisecondsOf(seg, rate) {
  const a = (seg.start / rate) * 1000;
  const b = (seg.end / rate) * 1000;
  const start = Math.round(a);
  const end = Math.round(b);
  return end > start ? { start, end } : { start: Math.floor(a), end: Math.max(Math.ceil(b), Math.floor(a) + 1) };
}

/** Cues of the segments that have text: [{start, end, speaker, text}] in time order. */
function cues(doc, config) {
  const track = trackOf(doc);
  const rate = doc.timebase.rate;
  return [...doc.segments].sort(byTime)
    .map((s) => ({ ...millisecondsOf(s, rate), speaker: track(s)?.tag ?? '', text: segmentText(s, config) }))
    .map((c) => ({ ...c, start: c.start / 1000, end: c.end / 1000 }))
    .filter((c) => c.text.trim());
}

// Escaping ">" also keeps "-->" (which would start a new cue) out of the payload.
const vttEscape = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A cue's payload: a blank line would end the cue, so an empty (or blank) line of the text
 * becomes a line holding one no-break space, which keeps the line and shows as blank.
 */
export const vttPayload = (text) => vttEscape(text).split(/\r\n|\r|\n/).map((l) => (/^[ \t\f]*$/.test(l) ? '\u00A0' : l)).join('\n');

export function toWebVtt(doc, config) {
  const body = cues(doc, config).map((c) => `${clock(c.start)} --> ${clock(c.end)}\n<v ${vttEscape(c.speaker).replace(/\s+/g, ' ')}>${vttPayload(c.text)}`);
  return `WEBVTT\n\n${body.join('\n\n')}${body.length ? '\n' : ''}`;
}

export function toSrt(doc, config) {
  return cues(doc, config).map((c, i) => `${i + 1}\n${clock(c.start, true)} --> ${clock(c.end, true)}\n${c.speaker ? `${c.speaker}: ` : ''}${c.text.replace(/\n\s*\n/g, '\n')}\n`).join('\n');
}

/** Audacity label track: start, end (seconds, 6 decimals), label; one file per track (by tag). */
export function toAudacity(doc, config, { track: only } = {}) {
  const track = trackOf(doc);
  const rate = doc.timebase.rate;
  return [...doc.segments].sort(byTime)
    .filter((s) => !only || s.track === only)
    .map((s) => `${sec(s.start, rate).toFixed(6)}\t${sec(s.end, rate).toFixed(6)}\t${(only ? segmentText(s, config) : `${track(s)?.tag ?? ''}${segmentText(s, config) ? `: ${segmentText(s, config)}` : ''}`).replace(/\r\n|[\t\n\r]/g, ' ')}`)
    .map((l) => `${l}\n`).join('');
}

const tgText = (t) => `"${String(t).replace(/"/g, '""')}"`;
const tgNum = (x) => String(Number(x.toFixed(9)));

/** Segments into interval tiers that cannot overlap: each goes to the first tier free at its start. */
function lanesOf(segments) {
  const lanes = [];
  for (const s of segments) {
    let lane = lanes.find((l) => l.at <= s.start);
    if (!lane) lanes.push(lane = { at: -Infinity, segments: [] });
    lane.segments.push(s);
    lane.at = s.end;
  }
  return lanes.length ? lanes : [{ segments: [] }];
}

/**
 * Praat TextGrid (long form): an interval tier per track named "category: tag", gaps as empty
 * intervals. A segment is labelled with segmentLabel, so one without text still shows. Segments
 * overlapping on a track go to further tiers "category: tag (2)", ... rather than being left out.
 */
export function toTextGrid(doc, config) {
  const rate = doc.timebase.rate;
  let xmax = doc.timebase.frames ? sec(doc.timebase.frames, rate) : Number(doc.media?.duration) || 0;
  for (const s of doc.segments) xmax = Math.max(xmax, sec(s.end, rate));
  if (!(xmax > 0)) throw new Error('a TextGrid needs a length: the document has no segments and no media length (timebase.frames)');
  const byTrack = new Map((doc.tracks ?? []).map((t) => [t.id, []]));
  for (const s of [...doc.segments].sort(byTime)) byTrack.get(s.track)?.push(s);
  const end = tgNum(xmax);
  const tiers = (doc.tracks ?? []).flatMap((t) => lanesOf(byTrack.get(t.id)).map((lane, k) => {
    const intervals = [];
    const interval = (a, b, text) => intervals.push(`        intervals [${intervals.length + 1}]:\n            xmin = ${a} \n            xmax = ${b} \n            text = ${tgText(text)} \n`);
    let at = 0;
    for (const s of lane.segments) {
      const start = sec(s.start, rate);
      if (start > at) interval(tgNum(at), tgNum(start), '');
      at = sec(s.end, rate);
      interval(tgNum(start), tgNum(at), segmentLabel(s, config, t.tag));
    }
    if (at < xmax) interval(tgNum(at), end, '');
    return `        class = "IntervalTier" \n        name = ${tgText(`${t.category}: ${t.tag}${k ? ` (${k + 1})` : ''}`)} \n        xmin = 0 \n        xmax = ${end} \n`
      + `        intervals: size = ${intervals.length} \n${intervals.join('')}`;
  }));
  return `File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0 \nxmax = ${end} \ntiers? <exists> \nsize = ${tiers.length} \nitem []: \n${
    tiers.map((tier, i) => `    item [${i + 1}]:\n${tier}`).join('')}`;
}

// XML 1.0 cannot carry most control characters: they become U+FFFD. A carriage return (and, in an
// attribute, a line break or tab) is written as a character reference, or XML parsers would
// normalise it away.
const xml = (t) => String(t).replace(/[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
  .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
const attr = (t) => xml(t).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');

const MIME_TYPES = {
  wav: 'audio/x-wav', mp3: 'audio/mpeg', m4a: 'audio/mp4', aac: 'audio/aac', flac: 'audio/flac', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg',
  mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mkv: 'video/x-matroska', mpg: 'video/mpeg', mpeg: 'video/mpeg', avi: 'video/x-msvideo',
};

/** The media's MIME type from its name's extension, as ELAN's MEDIA_DESCRIPTOR requires one. */
export function mimeTypeOf(url) {
  const s = String(url);
  const ext = /\.([A-Za-z0-9]+)$/.exec(/^s3:/i.test(s) ? s : s.replace(/[?#].*$/, ''))?.[1]?.toLowerCase();
  return MIME_TYPES[ext] ?? 'unknown';
}

/**
 * The media as an xs:anyURI: a URL keeps its scheme and gets its illegal characters
 * percent-encoded (in an s3: URI, whose key may hold them, "?" and "#" too); an absolute path
 * becomes a file: URL; a relative path stays relative.
 */
export function mediaUri(url) {
  const s = String(url);
  const enc = (part, keep) => part.replace(new RegExp(`%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\\-._~!$&'()*+,;=:@/${keep}]`, 'gu'),
    (c) => [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
  if (/^s3:/i.test(s)) return enc(s, '%');
  if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(s)) {
    const hash = s.indexOf('#');
    return hash < 0 ? enc(s, '?%') : `${enc(s.slice(0, hash), '?%')}#${enc(s.slice(hash + 1), '?%')}`;
  }
  const path = s.replace(/\\/g, '/').replace(/%/g, '%25');
  if (/^[A-Za-z]:\//.test(path)) return `file:///${enc(path, '%')}`;
  return path.startsWith('/') ? `file://${enc(path, '%')}` : enc(path, '%');
}

/**
 * ELAN EAF 3.0 (valid against ELAN's schema): a tier per track (times in ms, values as
 * segmentLabel; overlapping segments on further tiers as in toTextGrid), a linguistic type per category, and the category's tags as a controlled
 * vocabulary. The vocabulary is not attached to the type: the annotations hold text, not tags.
 */
export function toEaf(doc, config, { media = doc.media?.url ?? '', mediaUrl = media, mimeType = mimeTypeOf(mediaUrl) } = {}) {
  const rate = doc.timebase.rate;
  const slots = [];
  const byTrack = new Map((doc.tracks ?? []).map((t) => [t.id, []]));
  // Tiers are laid out in the file's milliseconds, so a segment widened to one cannot overlap its neighbour.
  const spans = doc.segments.map((s) => ({ ...millisecondsOf(s, rate), seg: s })).sort(byTime);
  // ELAN's schema requires distinct tier ids: an overflow tier "A (2)" or a category holding ": " could repeat one.
  const taken = new Set();
  const tierId = (name) => {
    let id = name;
    for (let n = 2; taken.has(id); n++) id = `${name} (${n})`;
    taken.add(id);
    return id;
  };
  for (const s of spans) byTrack.get(s.seg.track)?.push(s);
  const tiers = (doc.tracks ?? []).flatMap((t) => lanesOf(byTrack.get(t.id)).map((lane, k) => {
    const annotations = lane.segments.map((s) => {
      const a = slots.push(s.start);
      const b = slots.push(s.end);
      return `        <ANNOTATION>\n            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a${b / 2}" TIME_SLOT_REF1="ts${a}" TIME_SLOT_REF2="ts${b}">\n                <ANNOTATION_VALUE>${xml(segmentLabel(s.seg, config, t.tag))}</ANNOTATION_VALUE>\n            </ALIGNABLE_ANNOTATION>\n        </ANNOTATION>`;
    });
    return `    <TIER TIER_ID="${attr(tierId(`${t.category}: ${t.tag}${k ? ` (${k + 1})` : ''}`))}" LINGUISTIC_TYPE_REF="${attr(t.category)}" PARTICIPANT="${attr(t.tag)}">\n${annotations.map((x) => `${x}\n`).join('')}    </TIER>\n`;
  }));
  const categories = categoriesOf(config, doc);
  const types = categories.map((c) => `    <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="${attr(c.name)}" TIME_ALIGNABLE="true" GRAPHIC_REFERENCES="false"/>\n`);
  const vocabularies = categories.map((c) => `    <CONTROLLED_VOCABULARY CV_ID="${attr(c.name)}-tags">\n        <DESCRIPTION LANG_REF="und">the tags of the category ${xml(c.name)}</DESCRIPTION>\n${
    c.tags.map((tag, i) => `        <CV_ENTRY_ML CVE_ID="${attr(c.name)}-${i + 1}"><CVE_VALUE LANG_REF="und">${xml(tag)}</CVE_VALUE></CV_ENTRY_ML>\n`).join('')}    </CONTROLLED_VOCABULARY>\n`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="avseg" DATE="${new Date(0).toISOString()}" FORMAT="3.0" VERSION="3.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">
    <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
        <MEDIA_DESCRIPTOR MEDIA_URL="${attr(mediaUri(mediaUrl))}" MIME_TYPE="${attr(mimeType)}"/>
    </HEADER>
    <TIME_ORDER>
${slots.map((ms, i) => `        <TIME_SLOT TIME_SLOT_ID="ts${i + 1}" TIME_VALUE="${ms}"/>\n`).join('')}    </TIME_ORDER>
${tiers.join('')}${types.join('')}    <LANGUAGE LANG_ID="und" LANG_DEF="http://cdb.iso.org/lg/CDB-00130975-001" LANG_LABEL="undetermined (und)"/>
${vocabularies.join('')}</ANNOTATION_DOCUMENT>
`;
}

/** NIST RTTM: a SPEAKER line per segment of the speaker tracks (category "speaker", else all). */
export function toRttm(doc, { fileId = 'media', category } = {}) {
  const track = trackOf(doc);
  const rate = doc.timebase.rate;
  const wanted = category ?? ((doc.tracks ?? []).some((t) => t.category.toLowerCase() === 'speaker') ? (doc.tracks.find((t) => t.category.toLowerCase() === 'speaker').category) : null);
  const name = (t) => t.replace(/\s+/g, '_');
  return [...doc.segments].sort(byTime).filter((s) => !wanted || track(s)?.category === wanted)
    .map((s) => `SPEAKER ${name(fileId)} 1 ${sec(s.start, rate).toFixed(6)} ${sec(s.end - s.start, rate).toFixed(6)} <NA> <NA> ${name(track(s)?.tag ?? 'unknown')} <NA> <NA>\n`).join('');
}

// A cell a spreadsheet would take for a formula (OWASP, CSV injection) gets a leading quote, which
// spreadsheets show as text. Full-width signs count: some spreadsheets read them as formulas too.
// A cell already beginning with a quote gets one as well, so that dropping it restores any text.
const FORMULA = /^[=+\-@\t\r\0\uFF1D\uFF0B\uFF0D\uFF20']/;

/** A CSV cell (RFC 4180): numbers as written; any text neutralised, quoted when it must be. */
export function csvCell(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let t = typeof v === 'string' ? v : JSON.stringify(v);
  if (FORMULA.test(t)) t = `'${t}`;
  return /[",;\n\r\t]/.test(t) || t !== v ? `"${t.replace(/"/g, '""')}"` : t;
}

/**
 * CSV (RFC 4180): a row per segment, a column per segment field. Several documents (each
 * {doc, config, media, item, worker}) make one table with the union of their fields.
 */
export function toCsv(doc, config, { media = doc.media?.url ?? '' } = {}) {
  return csvTable([{ doc, config, media }]);
}

export function csvTable(entries) {
  const many = entries.some((e) => e.item !== undefined || e.worker !== undefined);
  const fields = [...new Set(entries.flatMap(({ doc, config }) => [...(config?.segmentFields ?? []).map((f) => f.name), ...doc.segments.flatMap((s) => Object.keys(s.fields ?? {}))]))];
  const head = ['media', ...(many ? ['item', 'worker'] : []), 'category', 'tag', 'start', 'end', 'start_position', 'end_position', 'rate', ...fields];
  const rows = [head];
  for (const { doc, media = doc.media?.url ?? '', item, worker } of entries) {
    const track = trackOf(doc);
    const rate = doc.timebase.rate;
    for (const s of [...doc.segments].sort(byTime)) {
      rows.push([media, ...(many ? [item, worker] : []), track(s)?.category, track(s)?.tag, sec(s.start, rate), sec(s.end, rate), s.start, s.end, rate, ...fields.map((f) => s.fields?.[f])]);
    }
  }
  return rows.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
}

export const EXPORTS = {
  jsonl: { extension: 'jsonl', write: (doc, config, opts) => toJsonl(doc, opts) },
  vtt: { extension: 'vtt', write: toWebVtt },
  srt: { extension: 'srt', write: toSrt },
  audacity: { extension: 'txt', write: toAudacity },
  textgrid: { extension: 'TextGrid', write: toTextGrid },
  eaf: { extension: 'eaf', write: toEaf },
  rttm: { extension: 'rttm', write: (doc, config, opts) => toRttm(doc, opts) },
  csv: { extension: 'csv', write: toCsv },
};
