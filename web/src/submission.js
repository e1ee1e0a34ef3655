// SPDX-License-Identifier: MIT
// What a task submits: the annotation document (doc/annotation-format.md) with, beside its own
// keys, the keys of the published AWS sample's answer, so pipelines built on that sample keep
// working (doc/ground-truth.md).

/**
 * The sample's `streams`: per category, one item per segment in time order,
 * `{id: tag, start: s, end: s, text, emotion, ...other fields}`.
 */
export function sampleStreams(doc, config) {
  const tracks = new Map((doc.tracks ?? []).map((t) => [t.id, t]));
  const textField = (config.segmentFields ?? []).find((f) => f.type === 'text')?.name;
  const streams = {};
  for (const c of config.categories ?? []) streams[c.name] = [];
  const segments = [...(doc.segments ?? [])].sort((a, b) => a.start - b.start || a.end - b.end);
  for (const s of segments) {
    const track = tracks.get(s.track);
    if (!track) continue;
    const fields = s.fields ?? {};
    const text = fields.text ?? (textField ? fields[textField] : undefined);
    (streams[track.category] ??= []).push({
      ...fields,
      id: track.tag,
      start: s.startTime,
      end: s.endTime,
      text: typeof text === 'string' ? text : '',
      emotion: typeof fields.emotion === 'string' ? fields.emotion : '',
    });
  }
  return streams;
}

/** The sample's `categories`: `{name: [tags]}`. */
export function sampleCategories(config) {
  return Object.fromEntries((config.categories ?? []).map((c) => [c.name, [...c.tags]]));
}

/**
 * The whole answer: the document's keys plus the sample's (streams, categories, and the task's
 * start and end as epoch milliseconds and UTC strings, and the time between them).
 * @param {{startTimestamp: number, endTimestamp: number}} times
 */
export function submission(doc, config, { startTimestamp, endTimestamp }) {
  return {
    ...doc,
    categories: sampleCategories(config),
    streams: sampleStreams(doc, config),
    startTimestamp,
    startUTCTime: new Date(startTimestamp).toUTCString(),
    endTimestamp,
    endUTCTime: new Date(endTimestamp).toUTCString(),
    elapsedTime: endTimestamp - startTimestamp,
  };
}
