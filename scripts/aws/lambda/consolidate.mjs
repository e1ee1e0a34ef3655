// SPDX-License-Identifier: MIT
// Consolidating several annotators' answers for one item: segments of the same track (the same
// category and tag) are matched across annotators by temporal overlap; each match gets the
// median boundaries and the majority value of each field; and the item gets agreement figures.
// Pure functions on annotation documents (doc/annotation-format.md).

const MIN_IOU = 0.3;

/** Temporal intersection over union of two [start, end) spans. */
export function iou(a, b) {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  return union > 0 ? inter / union : 0;
}

export function median(values) {
  if (values.length === 1) return values[0];
  if (values.length === 2) return (values[0] + values[1]) / 2;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The votes on one question: the value more than half gave (compared as JSON) or undefined, and whether all agree. */
function tally(values) {
  const counts = new Map();
  // Text, the usual answer, counts as itself; anything else by its JSON.
  const text = values.every((v) => typeof v === 'string');
  for (const v of values) {
    const key = text ? v : JSON.stringify(v ?? null);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let winner;
  for (const [key, n] of counts) if (n * 2 > values.length) winner = text ? key : JSON.parse(key);
  return { winner, unanimous: counts.size === 1 };
}

/**
 * Groups the segments of one track across workers: each worker's segment joins the group whose
 * consensus span it overlaps most (IoU at least 0.3, the latest-made group on a tie) and that has
 * none of that worker's yet.
 *
 * A group takes at most one segment per worker, so during one worker's pass the groups it may
 * join keep their spans: they are indexed once per pass (SpanIndex) and each segment scores only
 * the few whose start and length allow an IoU of 0.3. O(n log n) for n segments that each overlap
 * a bounded number of others, with the same groups as scoring every group (tests/aws prove it).
 * @param {{start: number, end: number}[][]} perWorker each worker's segments, in seconds
 */
export function matchSegments(perWorker) {
  const groups = [];
  perWorker.forEach((segments, worker) => {
    const index = new SpanIndex(groups.map((g) => g.span));   // groups made in this pass hold this worker's segment
    for (const seg of [...segments].sort((a, b) => a.start - b.start)) {
      const at = index.best(seg);
      if (at >= 0) {
        index.take(at);
        const best = groups[at];
        best.members.push({ ...seg, worker });
        best.span = { start: median(best.members.map((m) => m.start)), end: median(best.members.map((m) => m.end)) };
      } else {
        groups.push({ members: [{ ...seg, worker }], span: { start: seg.start, end: seg.end } });
      }
    }
  });
  return groups.sort((a, b) => a.span.start - b.span.start);
}

/**
 * Fixed spans to find, for a query span, the untaken one of highest IoU (at least MIN_IOU).
 * An IoU of 0.3 needs lengths within a factor 1/0.3 of each other and a start no more than
 * (1/0.3 - 1) query lengths before the query's: spans are kept by length class (powers of two)
 * sorted by start, and only the classes and starts that allow it (with a margin) are scored.
 */
class SpanIndex {
  static LENGTH_FACTOR = 4;    // > 1 / MIN_IOU
  static START_BEFORE = 2.5;   // > 1 / MIN_IOU - 1, in query lengths

  constructor(spans) {
    this.spans = spans;
    this.taken = new Uint8Array(spans.length);
    this.classes = new Map();  // floor(log2(length)) -> {starts: Float64Array, ids: Int32Array}
    this.odd = [];             // spans without a finite positive length: always scored
    const byClass = new Map();
    spans.forEach((s, i) => {
      const length = s.end - s.start;
      if (!(length > 0 && Number.isFinite(length) && Number.isFinite(s.start))) return this.odd.push(i);
      const c = Math.floor(Math.log2(length));
      if (!byClass.has(c)) byClass.set(c, []);
      byClass.get(c).push(i);
    });
    for (const [c, ids] of byClass) {
      ids.sort((a, b) => spans[a].start - spans[b].start || a - b);
      this.classes.set(c, { starts: Float64Array.from(ids, (i) => spans[i].start), ids: Int32Array.from(ids) });
    }
  }

  take(i) {
    this.taken[i] = 1;
  }

  /** The index of the best span for `seg`, or -1. */
  best(seg) {
    let best = -1;
    let bestIou = MIN_IOU;
    const consider = (i) => {
      if (this.taken[i]) return;
      const score = iou(seg, this.spans[i]);
      if (score > bestIou || (score === bestIou && i > best)) {
        best = i;
        bestIou = score;
      }
    };
    const length = seg.end - seg.start;
    if (!(length > 0 && Number.isFinite(length) && Number.isFinite(seg.start))) {
      for (let i = 0; i < this.spans.length; i++) consider(i);
      return best;
    }
    this.odd.forEach(consider);
    const from = seg.start - SpanIndex.START_BEFORE * length;
    const lo = Math.floor(Math.log2(length / SpanIndex.LENGTH_FACTOR));
    const hi = Math.floor(Math.log2(length * SpanIndex.LENGTH_FACTOR));
    for (let c = lo; c <= hi; c++) {
      const cls = this.classes.get(c);
      if (!cls) continue;
      const { starts, ids } = cls;
      let a = 0;
      let b = starts.length;
      while (a < b) {
        const m = (a + b) >> 1;
        if (starts[m] < from) a = m + 1;
        else b = m;
      }
      for (let k = a; k < starts.length && starts[k] <= seg.end; k++) consider(ids[k]);
    }
    return best;
  }
}

/**
 * @param {{workerId: string, document: object}[]} answers each worker's annotation document
 * @returns {{consensus: object, agreement: object}}
 */
export function consolidate(answers) {
  const n = answers.length;
  const rate = answers[0]?.document?.timebase?.rate ?? 48000;
  const trackKey = (t) => `${t.category}\u0000${t.tag}`;
  const tracks = new Map();   // key -> {category, tag, perWorker}
  answers.forEach(({ document: doc }, worker) => {
    const byId = new Map((doc.tracks ?? []).map((t) => [t.id, t]));
    for (const seg of doc.segments ?? []) {
      const t = byId.get(seg.track);
      if (!t) continue;
      const key = trackKey(t);
      if (!tracks.has(key)) tracks.set(key, { category: t.category, tag: t.tag, perWorker: Array.from({ length: n }, () => []) });
      // Seconds, so documents with different timebases compare.
      const r = doc.timebase?.rate ?? rate;
      tracks.get(key).perWorker[worker].push({ start: seg.start / r, end: seg.end / r, fields: seg.fields ?? {} });
    }
  });

  const consensus = { format: 'avseg.annotation', version: 1, timebase: { rate, frames: answers[0]?.document?.timebase?.frames ?? 0 }, tracks: [], segments: [], classifications: {} };
  const deviationsMs = { sum: 0, n: 0 };
  const ious = { sum: 0, n: 0 };
  const add = (mean, x) => { mean.sum += x; mean.n++; };
  let fieldVotes = 0;
  let fieldAgreed = 0;
  let matched = 0;
  let unmatched = 0;
  let trackIndex = 0;
  for (const track of tracks.values()) {
    const trackId = `t${++trackIndex}`;
    consensus.tracks.push({ id: trackId, category: track.category, tag: track.tag });
    for (const group of matchSegments(track.perWorker)) {
      const { members } = group;
      // A segment only a minority marked is left out of the consensus (it stays in the raw answers).
      if (n > 1 && members.length * 2 <= n) {
        unmatched += members.length;
        continue;
      }
      matched += members.length;
      const start = Math.round(median(members.map((m) => m.start)) * rate);
      const end = Math.round(median(members.map((m) => m.end)) * rate);
      const fields = {};
      const names = new Set(members.flatMap((m) => Object.keys(m.fields)));
      for (const name of names) {
        const values = members.map((m) => m.fields[name]);
        const { winner, unanimous } = tally(values);
        fieldVotes++;
        if (unanimous) fieldAgreed++;
        // No majority: the value of the annotator whose boundaries are nearest the consensus.
        fields[name] = winner !== undefined ? winner
          : [...members].sort((a, b) => Math.abs(a.start * rate - start) + Math.abs(a.end * rate - end) - (Math.abs(b.start * rate - start) + Math.abs(b.end * rate - end)))[0].fields[name];
        if (fields[name] === null || fields[name] === undefined) delete fields[name];
      }
      consensus.segments.push({ id: `s${consensus.segments.length + 1}`, track: trackId, start, end, startTime: start / rate, endTime: end / rate,
        fields, support: members.length });
      if (members.length > 1) {
        for (const m of members) add(deviationsMs, Math.abs(m.start - start / rate) * 1000), add(deviationsMs, Math.abs(m.end - end / rate) * 1000);
        for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) add(ious, iou(members[i], members[j]));
      }
    }
  }
  consensus.segments.sort((a, b) => a.start - b.start || a.end - b.end);

  const keys = new Set(answers.flatMap(({ document: doc }) => Object.keys(doc.classifications ?? {})));
  for (const key of keys) {
    const values = answers.map(({ document: doc }) => doc.classifications?.[key]);
    const { winner, unanimous } = tally(values);
    fieldVotes++;
    if (unanimous) fieldAgreed++;
    if (winner !== undefined && winner !== null) consensus.classifications[key] = winner;
  }
  const mean = ({ sum, n: count }) => (count ? sum / count : null);
  return {
    consensus,
    agreement: {
      workers: n,
      segmentsMatched: matched,
      segmentsUnmatched: unmatched,
      meanBoundaryDisagreementMs: mean(deviationsMs),
      meanTemporalIoU: mean(ious),
      labelAgreement: fieldVotes ? fieldAgreed / fieldVotes : null,
    },
  };
}

/**
 * The AWS sample's consolidated keys and what each becomes when the answer lacks it
 * (doc/ground-truth.md, "AWS sample compatibility"). `emotionTag` is read from `emotiontag`.
 */
export const SAMPLE_KEYS = [
  ['backgroundNoise', 'backgroundNoise', {}], ['emotionTag', 'emotiontag', ''], ['environmentalSounds', 'environmentalSounds', {}],
  ['label', 'label', ''], ['rate', 'rate', {}], ['speakerGender', 'speakerGender', {}], ['speechNonSpeech', 'speechNonSpeech', {}],
  ['textTranslationFinal', 'textTranslationFinal', ''],
];

/**
 * One worker's entry in the sample's `annotationsFromAllWorkers`: its id, the answer as the JSON
 * text it was, and the flattened keys copied unchanged from the answer's top level.
 * @param {string} rawContent the answer's JSON text (throws if it is not a JSON object)
 */
export function sampleWorkerEntry(workerId, rawContent) {
  let answer;
  try {
    answer = JSON.parse(rawContent);
  } catch (err) {
    throw new Error(`the answer is not JSON (${err.message})`);
  }
  if (!answer || typeof answer !== 'object' || Array.isArray(answer)) throw new Error('the answer is not a JSON object');
  const entry = { workerId, rawContent };
  for (const [key, from, missing] of SAMPLE_KEYS) entry[key] = Object.hasOwn(answer, from) ? answer[from] : structuredClone(missing);
  return entry;
}
