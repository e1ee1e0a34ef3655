// SPDX-License-Identifier: MIT
// Suggestions from the analysis: pauses, loudness jumps and scene cuts, in time order. One key
// selects the next or previous (shown in its strip, in view, the cursor at it), one accepts it
// through the annotation session, one undo step: a pause becomes a segment covering it exactly;
// a cut or a jump becomes a boundary (it splits the track's segment that spans it, or starts a
// segment there that runs to the next suggested boundary, the next segment or the end).
import { ErrorCode } from './error-codes.js';
import { check } from './model.js';
import { formatTime } from './layout.js';
import { lowerBound } from './analysis-columns.js';
import { trackName } from './segment-list.js';

const NAMES = { pause: 'Pause', jump: 'Loudness jump', cut: 'Cut' };

/**
 * @typedef {object} Suggestion
 * @property {'pause' | 'jump' | 'cut'} kind
 * @property {number} start  audio frames (pause, jump) or the video frame (cut)
 * @property {number} end    a pause's end (exclusive); the start for the others
 * @property {number} t0     seconds of the media
 * @property {number} t1
 */

/**
 * What the suggestions read and drive.
 * @typedef {object} SuggestionsHost
 * @property {() => import('./analysis-strips.js').AnalysisStrips} strips
 * @property {() => number} sampleRate
 * @property {() => number} audioStart
 * @property {() => import('./time-base.js').VideoIndex | null} video
 * @property {() => number} currentTime
 * @property {(t: number) => void} seek
 * @property {(start: number, end: number) => void} reveal
 * @property {() => number} duration
 * @property {(text: string) => void} say  the bar's line and the screen reader's
 */

export class Suggestions {
  #session;
  #selection;
  #host;
  #list = null;
  #current = null;

  /**
   * @param {import('./annotation-session.js').AnnotationSession} session
   * @param {import('./selection.js').Selection} selection
   * @param {SuggestionsHost} host
   */
  constructor(session, selection, host) {
    this.#session = session;
    this.#selection = selection;
    this.#host = host;
  }

  /** The analysis changed: the list is made again when next wanted (the selected one kept if still there). */
  invalidate() {
    this.#list = null;
    if (this.#current && this.#indexOf(this.#current) < 0) this.#select(null);
  }

  /** Every suggestion in time order. */
  list() {
    if (this.#list) return this.#list;
    const data = this.#host.strips().data;
    const sr = this.#host.sampleRate();
    const at = (f) => this.#host.audioStart() + f / sr;
    const out = [];
    if (sr) {
      for (const { start, end } of data.pauses?.pauses ?? []) out.push({ kind: 'pause', start, end, t0: at(start), t1: at(end) });
      for (const { frame } of data.loudness?.jumps ?? []) out.push({ kind: 'jump', start: frame, end: frame, t0: at(frame), t1: at(frame) });
    }
    const video = this.#host.video();
    if (video) {
      for (const k of data.motion?.cuts ?? []) if (k < video.count) out.push({ kind: 'cut', start: k, end: k, t0: video.times[k], t1: video.times[k] });
    }
    out.sort((a, b) => a.t0 - b.t0 || a.t1 - b.t1);
    this.#list = out;
    return out;
  }

  /** The selected suggestion, or null. */
  get current() { return this.#current ? { ...this.#current } : null; }

  #indexOf(s) {
    return this.list().findIndex((x) => x.kind === s.kind && x.start === s.start && x.end === s.end);
  }

  /** Selects the next (1) or previous (-1) suggestion: from the selected one, or from the cursor. */
  step(direction) {
    const list = this.list();
    if (!list.length) {
      this.#host.say('No suggestions: the analysis found no pauses, loudness jumps or cuts (yet).');
      return null;
    }
    let i = this.#current ? this.#indexOf(this.#current) : -1;
    if (i >= 0) i += direction;
    else {
      const t = this.#host.currentTime();
      i = direction > 0 ? lowerBound(list, t - 1e-9, (s) => s.t0) : lowerBound(list, t - 1e-9, (s) => s.t0) - 1;
    }
    if (i < 0 || i >= list.length) {
      this.#host.say(direction > 0 ? 'No later suggestion' : 'No earlier suggestion');
      return null;
    }
    const s = list[i];
    this.#select(s);
    this.#host.reveal(s.t0, Math.max(s.t1, s.t0));
    this.#host.seek(s.t0);
    return this.current;
  }

  #select(s) {
    this.#current = s;
    const strips = this.#host.strips();
    strips.highlight = s ? { kind: s.kind, start: s.start, end: s.end } : null;
    strips.schedule();
    if (!s) return;
    const list = this.list();
    const i = this.#indexOf(s);
    const when = s.kind === 'pause' ? `${formatTime(s.t0)} to ${formatTime(s.t1)}` : `at ${formatTime(s.t0)}${s.kind === 'cut' ? ` (frame ${s.start + 1})` : ''}`;
    this.#host.say(`${NAMES[s.kind]} ${when} (${i + 1} of ${list.length}); Enter accepts it`);
  }

  /** The timeline position of media time t (a video's: its nearest frame boundary). */
  #position(t) {
    return Math.round(this.#session.toFrameBoundary(t) * this.#session.rate());
  }

  /** The track a suggestion goes on: a pause the config's pauses.track (made if missing), else the selected track. */
  #target(a, s) {
    const store = this.#session.store;
    const wanted = s.kind === 'pause' ? this.#host.strips().config().pauses.track : null;
    if (wanted?.category) {
      const found = store.tracks().find((t) => t.category === wanted.category && t.tag === wanted.tag);
      if (found) return found.id;
      return check(a.addTrack(wanted.category, wanted.tag));
    }
    const id = this.#selection.selectedTrack;
    if (!id) throw Object.assign(new Error('Select a track first (click its lane, or press T), then accept the suggestion.'), { code: ErrorCode.Refused });
    return id;
  }

  /** Accepts the selected suggestion (one undo step); returns the segment made or split, or null. */
  accept() {
    const s = this.#current;
    if (!s) {
      this.#session.reportError(ErrorCode.Refused, 'No suggestion is selected: press N for the next one.');
      return null;
    }
    const session = this.#session;
    let made = null;
    try {
      made = session.edit((a) => {
        const track = this.#target(a, s);
        return check(s.kind === 'pause' ? this.#pause(a, track, this.#position(s.t0), this.#position(s.t1)) : this.#boundary(a, track, this.#position(s.t0)));
      });
    } catch (err) {
      session.reportError(err.code ?? ErrorCode.Refused, `The ${NAMES[s.kind].toLowerCase()} was not accepted: ${err.message}`);
      return null;
    }
    if (made) this.#selection.selectedSegment = made;
    this.#selection.announce(`${NAMES[s.kind]} accepted on ${trackName(session.store, session.store.segment(made)?.track)}`);
    return made;
  }

  /** A segment [start, end) on `track`, unless it is there already (Enter pressed twice). */
  #pause(a, track, start, end) {
    const store = this.#session.store;
    const row = store.tracks().findIndex((t) => t.id === track);
    const { spans, count } = store.listing(false);
    for (let i = 0; i < count; i++) {
      if (spans[i * 3 + 2] === row && spans[i * 3] === start && spans[i * 3 + 1] === end) return { ok: false, code: ErrorCode.Refused, message: 'it is a segment on this track already' };
    }
    return a.addSegment(track, start, end, '{}');
  }

  /** A boundary at position p on `track`: the segment spanning it split there, or a segment begun there. */
  #boundary(a, track, p) {
    const store = this.#session.store;
    const row = store.tracks().findIndex((t) => t.id === track);
    const { spans, count, id } = store.listing(false);
    let nextStart = Infinity;
    for (let i = 0; i < count; i++) {
      if (spans[i * 3 + 2] !== row) continue;
      const start = spans[i * 3];
      const end = spans[i * 3 + 1];
      if (start < p && p < end) {
        const r = a.splitSegment(id(i), p);
        return r.ok ? { ok: true, id: id(i) } : r;
      }
      if (start === p) return { ok: false, code: ErrorCode.Refused, message: `a segment on this track already begins at ${formatTime(p / store.rate())}` };
      if (start > p) nextStart = Math.min(nextStart, start);
    }
    // Up to the next suggested boundary of the same kind, the next segment, or the end.
    const later = this.list().find((x) => x.kind === this.#current.kind && this.#position(x.t0) > p);
    const end = Math.min(nextStart, later ? this.#position(later.t0) : Infinity, this.#position(this.#host.duration()));
    if (!(end > p)) return { ok: false, code: ErrorCode.Refused, message: 'there is no room after it for a segment' };
    return a.addSegment(track, p, end, '{}');
  }
}
