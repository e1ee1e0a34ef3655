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

/** The first text field's value of a segment (its transcription), or ''. */
export function segmentText(seg, config) {
  const textField = (config?.segmentFields ?? []).find((f) => f.type === 'text')?.name;
  const value = seg.fields?.text ?? (textField ? seg.fields?.[textField] : undefined) ?? Object.values(seg.fields ?? {}).find((v) => typeof v === 'string');
  return typeof value === 'string' ? value : '';
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

/** Cues of the segments that have text: [{start, end, speaker, text}] in time order. */
function cues(doc, config) {
  const track = trackOf(doc);
  const rate = doc.timebase.rate;
  return [...doc.segments].sort(byTime)
    .map((s) => ({ start: sec(s.start, rate), end: sec(s.end, rate), speaker: track(s)?.tag ?? '', text: segmentText(s, config) }))
    .filter((c) => c.text);
}

const vttEscape = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function toWebVtt(doc, config) {
  const body = cues(doc, config).map((c) => `${clock(c.start)} --> ${clock(c.end)}\n<v ${vttEscape(c.speaker).replace(/\n/g, ' ')}>${vttEscape(c.text)}`);
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
    .map((s) => `${sec(s.start, rate).toFixed(6)}\t${sec(s.end, rate).toFixed(6)}\t${(only ? segmentText(s, config) : `${track(s)?.tag ?? ''}${segmentText(s, config) ? `: ${segmentText(s, config)}` : ''}`).replace(/[\t\n]/g, ' ')}`)
    .map((l) => `${l}\n`).join('');
}

const tgText = (t) => `"${String(t).replace(/"/g, '""')}"`;
const tgNum = (x) => String(Number(x.toFixed(9)));

/** Praat TextGrid (long form): one interval tier per track, gaps as empty intervals. */
export function toTextGrid(doc, config) {
  const rate = doc.timebase.rate;
  const xmax = Math.max(doc.timebase.frames ? sec(doc.timebase.frames, rate) : 0, ...doc.segments.map((s) => sec(s.end, rate)));
  const tiers = (doc.tracks ?? []).map((t) => {
    const intervals = [];
    let at = 0;
    for (const s of doc.segments.filter((x) => x.track === t.id).sort(byTime)) {
      const start = sec(s.start, rate);
      const end = sec(s.end, rate);
      if (start < at) continue; // an interval tier cannot overlap: later overlapping segments are left out
      if (start > at) intervals.push([at, start, '']);
      intervals.push([start, end, segmentText(s, config)]);
      at = end;
    }
    if (at < xmax) intervals.push([at, xmax, '']);
    return { name: `${t.category}: ${t.tag}`, intervals };
  });
  const out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', '', `xmin = 0 `, `xmax = ${tgNum(xmax)} `, 'tiers? <exists> ', `size = ${tiers.length} `, 'item []: '];
  tiers.forEach((tier, i) => {
    out.push(`    item [${i + 1}]:`, '        class = "IntervalTier" ', `        name = ${tgText(tier.name)} `, '        xmin = 0 ', `        xmax = ${tgNum(xmax)} `,
      `        intervals: size = ${tier.intervals.length} `);
    tier.intervals.forEach(([a, b, text], j) => {
      out.push(`        intervals [${j + 1}]:`, `            xmin = ${tgNum(a)} `, `            xmax = ${tgNum(b)} `, `            text = ${tgText(text)} `);
    });
  });
  return `${out.join('\n')}\n`;
}

const xml = (t) => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** ELAN EAF: a tier per track (times in ms), a controlled vocabulary per category from the config. */
export function toEaf(doc, config, { mediaUrl = doc.media?.url ?? '' } = {}) {
  const rate = doc.timebase.rate;
  const slots = [];
  const tiers = (doc.tracks ?? []).map((t) => {
    const annotations = doc.segments.filter((s) => s.track === t.id).sort(byTime).map((s) => {
      const a = slots.push(Math.round(sec(s.start, rate) * 1000));
      const b = slots.push(Math.round(sec(s.end, rate) * 1000));
      return `            <ANNOTATION>\n                <ALIGNABLE_ANNOTATION ANNOTATION_ID="a${a}" TIME_SLOT_REF1="ts${a}" TIME_SLOT_REF2="ts${b}">\n                    <ANNOTATION_VALUE>${xml(segmentText(s, config))}</ANNOTATION_VALUE>\n                </ALIGNABLE_ANNOTATION>\n            </ANNOTATION>`;
    });
    return `    <TIER TIER_ID="${xml(`${t.category}: ${t.tag}`)}" LINGUISTIC_TYPE_REF="${xml(t.category)}" PARTICIPANT="${xml(t.tag)}">\n${annotations.join('\n')}${annotations.length ? '\n' : ''}    </TIER>`;
  });
  const categories = config?.categories ?? [...new Set((doc.tracks ?? []).map((t) => t.category))].map((name) => ({ name, tags: (doc.tracks ?? []).filter((t) => t.category === name).map((t) => t.tag) }));
  return `<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="avseg" DATE="${new Date(0).toISOString()}" FORMAT="3.0" VERSION="3.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">
    <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
        <MEDIA_DESCRIPTOR MEDIA_URL="${xml(mediaUrl)}"/>
    </HEADER>
    <TIME_ORDER>
${slots.map((ms, i) => `        <TIME_SLOT TIME_SLOT_ID="ts${i + 1}" TIME_VALUE="${ms}"/>`).join('\n')}
    </TIME_ORDER>
${tiers.join('\n')}
${categories.map((c) => `    <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="${xml(c.name)}" TIME_ALIGNABLE="true" GRAPHIC_REFERENCES="false" CONTROLLED_VOCABULARY_REF="${xml(c.name)}-tags"/>`).join('\n')}
${categories.map((c) => `    <CONTROLLED_VOCABULARY CV_ID="${xml(c.name)}-tags">\n${c.tags.map((tag, i) => `        <CV_ENTRY_ML CVE_ID="${xml(c.name)}-${i + 1}"><CVE_VALUE LANG_REF="und">${xml(tag)}</CVE_VALUE></CV_ENTRY_ML>`).join('\n')}\n    </CONTROLLED_VOCABULARY>`).join('\n')}
</ANNOTATION_DOCUMENT>
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

const csvCell = (v) => {
  const t = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};

/** CSV (RFC 4180): a row per segment, a column per segment field. */
export function toCsv(doc, config, { media = doc.media?.url ?? '' } = {}) {
  const track = trackOf(doc);
  const rate = doc.timebase.rate;
  const fields = [...new Set([...(config?.segmentFields ?? []).map((f) => f.name), ...doc.segments.flatMap((s) => Object.keys(s.fields ?? {}))])];
  const head = ['media', 'category', 'tag', 'start', 'end', 'start_position', 'end_position', 'rate', ...fields];
  const rows = [...doc.segments].sort(byTime).map((s) => [media, track(s)?.category, track(s)?.tag, sec(s.start, rate), sec(s.end, rate), s.start, s.end, rate,
    ...fields.map((f) => s.fields?.[f])]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
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
