// SPDX-License-Identifier: MIT
// Workers' answers made up for the consolidation tests and benchmark: one timeline of segments
// over a few tracks; each worker jitters the boundaries, misses a few segments and adds a few of
// its own, and mostly agrees on the labels. Seeded, so every run gets the same answers.

export const RATE = 48000;
const TAGS = ['Customer', 'Representative', 'Agent', 'Caller'];
const EMOTIONS = ['Happy', 'Angry', 'Neutral', 'Sad', 'Worried'];

export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @returns {{workerId: string, document: object}[]} `workers` answers of about `segments` segments each */
export function generateAnswers({ segments, workers = 3, seed = 1, tracks = 4, overlap = false }) {
  const rnd = random(seed);
  // The shared timeline: per track, segments of 0.5-3 s with gaps of 0.2-1 s.
  const timeline = [];
  const perTrack = Math.ceil(segments / tracks);
  for (let t = 0; t < tracks; t++) {
    let at = rnd() * 2;
    for (let k = 0; k < perTrack && timeline.length < segments; k++) {
      const length = 0.5 + rnd() * 2.5;
      timeline.push({ track: t, start: at, end: at + length, text: `words ${timeline.length}`, emotion: EMOTIONS[Math.floor(rnd() * EMOTIONS.length)] });
      at += length + 0.2 + rnd() * 0.8;
    }
  }
  const frames = Math.ceil((Math.max(...timeline.map((s) => s.end)) + 10) * RATE);
  return Array.from({ length: workers }, (_, w) => {
    const wr = random(seed * 1000 + w + 1);
    const jitter = () => (wr() - 0.5) * 0.1;
    const out = [];
    for (const s of timeline) {
      if (wr() < 0.02) continue;   // missed
      // Jitter that keeps a track's segments apart (gaps are at least 0.2 s).
      const start = Math.max(0, s.start + jitter());
      const end = Math.max(start + 0.05, s.end + jitter());
      out.push({ track: s.track, start, end, text: wr() < 0.9 ? s.text : `${s.text}?`, emotion: wr() < 0.85 ? s.emotion : EMOTIONS[Math.floor(wr() * EMOTIONS.length)] });
      if (wr() < 0.02) out.push({ track: s.track, start: end + 0.02, end: end + 0.06, text: 'extra', emotion: 'Neutral' });   // added
    }
    const document = {
      format: 'avseg.annotation', version: 1, taskId: 'call-1', media: { url: 's3://media/call-1.wav' },
      timebase: { rate: RATE, frames },
      tracks: TAGS.slice(0, tracks).map((tag, i) => ({ id: `t${i + 1}`, category: 'speaker', tag, allowOverlap: overlap, minLength: 0 })),
      segments: out.map((s, i) => ({ id: `s${i + 1}`, track: `t${s.track + 1}`, start: Math.round(s.start * RATE), end: Math.round(s.end * RATE),
        fields: { text: s.text, emotion: s.emotion } })),
      classifications: { speech: 'speech', rate: 3 + (w % 2) },
    };
    return { workerId: `private.us-east-1.w${w + 1}`, document };
  });
}

/** What Ground Truth hands the Lambda for one answer: crowd-form's fields, `annotations` a JSON string. */
export const answerContent = (document) => JSON.stringify({ annotations: JSON.stringify(document), speechNonSpeech: { speech: true } });
