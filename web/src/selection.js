// SPDX-License-Identifier: MIT
// Selection and recording: the selected segment and tracks, stepping through them, what is said
// to screen readers, merging, recording on the selected tracks, nudging an edge; and the views that
// show them (track lanes, segment list, segment panel, the toolbar's track controls).
import { Emitter } from './emitter.js';
import { check } from './model.js';
import { formatTime } from './layout.js';
import { nextFrameBoundary } from './time-base.js';
import { TrackLanes } from './track-lanes.js';
import { TrackControls } from './track-controls.js';
import { SegmentPanel } from './segment-panel.js';
import { SegmentList, listingIndex, trackName } from './segment-list.js';
import { ErrorCode } from './error-codes.js';

/**
 * What the selection asks of the element's media side.
 * @typedef {object} SelectionHost
 * @property {() => boolean} ready  the media is decoded
 * @property {() => boolean} hasMedia  the media's header is read
 * @property {() => number} duration
 * @property {() => {start: number, end: number}} view
 * @property {() => number} rate  timeline positions per second
 * @property {() => object | null} video  the video's frame index, or null
 * @property {() => number} currentTime
 * @property {() => boolean} paused
 * @property {() => Promise<void>} play
 * @property {(start: number, end: number, loop?: boolean) => Promise<void>} playSpan
 * @property {(start: number, end: number) => void} reveal  scrolls the view to show [start, end]
 * @property {() => number} reactionTime  seconds recorded boundaries are moved earlier
 */

/**
 * @typedef {object} SelectionEvents
 * @property {{segment: string | null}} select  the selected segment changed
 */

/** @extends {Emitter<SelectionEvents>} */
export class Selection extends Emitter {
  #session;
  #host;
  #announceBox;
  #snapBox;
  #selected = null;
  #selectedTracks = [];
  #recording = null;    // {tracks, start} while recording
  lanes;                // the track lanes and their pointer gestures (track-lanes.js)
  list;                 // the segment list (segment-list.js)
  panel;                // the selected segment's and the whole file's forms (segment-panel.js)
  controls;             // the toolbar's track, record and history buttons (track-controls.js)

  /**
   * @param {Record<string, HTMLElement>} p  the element's named nodes (element-markup.js)
   * @param {import('./annotation-session.js').AnnotationSession} session
   * @param {SelectionHost} host
   */
  constructor(p, session, host) {
    super();
    this.#session = session;
    this.#host = host;
    this.#announceBox = p.announce;
    this.#snapBox = p.snap;
    this.lanes = new TrackLanes({ canvas: p.lanes, wave: p.wave }, {
      store: () => session.store,
      model: () => session.model,
      view: host.view,
      selected: () => this.#selected,
      selectedTracks: () => this.#selectedTracks,
      ready: host.ready,
      hasMedia: host.hasMedia,
      duration: host.duration,
      currentTime: host.currentTime,
      rate: host.rate,
      video: host.video,
    });
    this.list = new SegmentList({ list: p.list, rows: p.rows, count: p.listCount, order: p.listOrder }, { store: () => session.store, selected: () => this.#selected });
    this.panel = new SegmentPanel({ segmentEditor: p.segmentEditor, classifications: p.classificationsBox }, {
      store: () => session.store,
      selected: () => this.#selected,
      edit: (fn) => session.edit(fn),
      report: (code, message) => session.reportError(code, message),
      toFrameBoundary: (t) => session.toFrameBoundary(t),
      endTyping: () => session.model.endTyping(),
      playSpan: host.playSpan,
      remove: (id) => this.removeSegment(id),
      mergeWithNext: () => this.mergeWithNext(),
    });
    this.controls = new TrackControls({ category: p.category, tag: p.tag, addTrack: p.addTrack, removeTrack: p.removeTrack, record: p.record, undo: p.undoButton, redo: p.redoButton });
    session.on('change', () => {
      this.lanes.draw();
      this.renderPanel(!this.panel.typing);
    });
  }

  /** The views' DOM listeners and the Snap box, released by `subs.releaseAll()`. */
  connect(subs) {
    this.lanes.connect(subs);
    this.list.connect(subs);
    this.controls.connect(subs);
    subs.listen(this.#snapBox, 'change', () => { this.snapping = this.#snapBox.checked; });
  }

  /** Drags snap to the cursor and other segments' edges within 6 px (the toolbar's Snap box). */
  get snapping() { return this.lanes.snapping; }
  set snapping(on) {
    this.lanes.snapping = on;
    if (this.#snapBox) this.#snapBox.checked = this.lanes.snapping;
  }

  /** Redraws the lanes and rebuilds the panel (the media is ready, the model set for it). */
  refresh() {
    this.lanes.draw();
    this.renderPanel(true);
  }

  get selectedSegment() { return this.#selected; }
  set selectedSegment(id) {
    const next = id ?? null;
    if (next === this.#selected) return;
    this.#selected = next;
    const session = this.#session;
    session.model?.endTyping();
    // Its track becomes the selected one, unless it is already among the selected.
    const track = next == null ? null : session.store?.segment(next)?.track;
    if (track && !this.#selectedTracks.includes(track)) {
      this.#selectedTracks = [track];
      this.renderTrackControls();
    }
    this.lanes.draw();
    this.renderPanel(true);
    this.list.reveal(next);
    this.#announceSelection();
    this.emit('select', { segment: this.#selected });
  }

  get selectedTrack() { return this.#selectedTracks[0] ?? null; }
  set selectedTrack(id) { this.selectedTracks = id == null ? [] : [id]; }

  get selectedTracks() { return [...this.#selectedTracks]; }
  set selectedTracks(ids) {
    const store = this.#session.store;
    const known = new Set((store?.tracks() ?? []).map((t) => t.id));
    this.#selectedTracks = [...new Set((ids ?? []).map(String))].filter((id) => !store || known.has(id));
    this.renderTrackControls();
    this.lanes.draw();
    const names = this.#selectedTracks.map((id) => trackName(store, id));
    this.announce(names.length ? `Selected track${names.length === 1 ? '' : 's'}: ${names.join(', ')}` : 'No track selected');
  }

  /** Rebuilds the panel's forms (rebuild) or only refreshes values, problems and the list. */
  renderPanel(rebuild) {
    this.panel.render(rebuild);
    this.list.render();
    this.renderTrackControls();
  }

  renderTrackControls() {
    const model = this.#session.model;
    this.controls.render({
      configText: this.panel.configText, ready: this.#host.ready(), selectedTracks: this.#selectedTracks.length, recording: this.#recording !== null,
      canUndo: Boolean(model?.canUndo()), canRedo: Boolean(model?.canRedo()),
    });
  }

  /** Selects the next track (wrapping), or adds it to the selection (extend). */
  stepTrack(extend) {
    const tracks = this.#session.store?.tracks() ?? [];
    if (!tracks.length) return;
    const last = this.#selectedTracks.at(-1);
    const at = tracks.findIndex((t) => t.id === last);
    const next = tracks[(at + 1) % tracks.length].id;
    this.selectedTracks = extend ? [...this.#selectedTracks, next] : [next];
  }

  /** Selects the previous or next segment in time (only the selected tracks', if any). */
  stepSegment(direction) {
    const store = this.#session.store;
    if (!store) return;
    const listing = store.listing(false);
    const tracks = store.tracks();
    const rows = new Set(this.#selectedTracks.map((id) => tracks.findIndex((t) => t.id === id)));
    const eligible = (i) => !rows.size || rows.has(listing.spans[i * 3 + 2]);
    let at = listingIndex(store, listing, this.#selected);
    if (at < 0) {
      // Nothing selected: start from the cursor.
      const f = this.#host.currentTime() * store.rate();
      at = direction > 0 ? -1 : listing.count;
      for (let i = 0; i < listing.count; i++) if (listing.spans[i * 3] < f) at = direction > 0 ? i : i + 1;
    }
    for (let i = at + direction; i >= 0 && i < listing.count; i += direction) {
      if (eligible(i)) {
        this.selectedSegment = listing.id(i);
        this.reveal(this.#selected);
        return;
      }
    }
  }

  /** Scrolls the view to show segment `id` if it is not in sight. */
  reveal(id) {
    const store = this.#session.store;
    const seg = store?.segment(id);
    if (seg) this.#host.reveal(seg.start / store.rate(), seg.end / store.rate());
  }

  /** Says `text` to screen readers (the live region). */
  announce(text) {
    // Cleared first so the same words twice are announced twice.
    const box = this.#announceBox;
    box.textContent = '';
    queueMicrotask(() => { box.textContent = text; });
  }

  #announceSelection() {
    const store = this.#session.store;
    const seg = store?.segment(this.#selected);
    if (!seg) {
      this.announce('No segment selected');
      return;
    }
    const rate = store.rate();
    const problem = store.problemSegments().has(seg.id) ? ', has a problem' : '';
    this.announce(`Segment on ${trackName(store, seg.track)}, ${formatTime(seg.start / rate)} to ${formatTime(seg.end / rate)}${problem}`);
  }

  /** Deletes a segment and selects none. */
  removeSegment(id) {
    this.#session.removeSegment(id);
    this.selectedSegment = null;
  }

  /** Deletes the selected tracks and their segments in one undo step. */
  removeTracks() {
    const ids = this.#selectedTracks;
    if (!ids.length) return;
    this.#session.edit((a) => {
      a.beginGroup();
      try {
        for (const id of ids) a.removeTrack(id);
      } finally {
        a.endGroup();
      }
    });
    this.selectedTrack = null;
    this.selectedSegment = null;
  }

  /** Merges the selected segment with the next one on its track (fields joined); returns its id. */
  mergeWithNext() {
    const session = this.#session;
    const seg = session.store?.segment(this.#selected);
    if (!seg) return null;
    const next = session.model.nextOnTrack(seg.id);
    if (!next) {
      session.reportError(ErrorCode.Refused, 'there is no later segment on this track to merge with');
      return null;
    }
    return session.tryEdit((a) => a.mergeSegments(seg.id, next)) ?? null;
  }

  /** Splits the selected segment at the cursor (a video's: at the frame boundary nearest it). */
  split() {
    if (!this.#selected) return;
    const session = this.#session;
    session.tryEdit((a) => a.splitSegment(this.#selected, Math.round(session.toFrameBoundary(this.#host.currentTime()) * this.#host.rate())));
  }

  /** Moves the selected segment's start or end by `frames` positions, or (0, a video) to the next frame boundary. */
  nudge(edge, direction, frames) {
    const store = this.#session.store;
    const seg = store?.segment(this.#selected);
    if (!seg) return;
    const rate = store.rate();
    let at = seg[edge] + direction * frames;
    if (!frames) at = nextFrameBoundary(this.#host.video(), seg[edge], rate, direction);
    this.#session.tryEdit((a) => (edge === 'end' ? a.setBounds(seg.id, seg.start, at) : a.setBounds(seg.id, at, seg.end)));
  }

  get recording() { return this.#recording !== null; }

  /**
   * Begin Recording / Stop Recording on the selected tracks: one segment on each, from begin to
   * stop less the reaction time, made in one undo step. Returns the first segment's id.
   */
  toggleRecording() {
    const session = this.#session;
    const host = this.#host;
    const now = host.currentTime();
    if (!this.#recording) {
      if (!this.#selectedTracks.length) {
        session.reportError(ErrorCode.Refused, 'Select a track first (click its lane, or press T), then record.');
        return null;
      }
      this.#recording = { tracks: [...this.#selectedTracks], start: session.toFrameBoundary(Math.max(0, now - host.reactionTime())) };
      if (host.paused()) host.play().catch(() => {});
      this.renderTrackControls();
      this.announce(`Recording on ${this.#recording.tracks.map((id) => trackName(session.store, id)).join(', ')}`);
      return null;
    }
    const { tracks, start } = this.#recording;
    this.#recording = null;
    this.renderTrackControls();
    const end = session.toFrameBoundary(Math.min(host.duration(), Math.max(0, now - host.reactionTime())));
    const made = [];
    const refused = [];
    try {
      const rate = session.rate();
      session.edit((a) => {
        a.beginGroup();
        try {
          for (const track of tracks) {
            const r = a.addSegment(track, Math.round(start * rate), Math.round(end * rate), '{}');
            if (r.ok) made.push(r.id);
            else refused.push(`${trackName(session.store, track)}: ${r.message}`);
          }
        } finally {
          a.endGroup();
        }
      });
    } catch (err) {
      refused.push(err.message);
    }
    if (refused.length) session.reportError(ErrorCode.Refused, `Not recorded on ${refused.join('; ')}`);
    if (made.length) this.selectedSegment = made[0];
    return made[0] ?? null;
  }
}
