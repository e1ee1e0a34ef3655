// SPDX-License-Identifier: MIT
// The track lanes under the waveform: the segments in view, hit-testing, and the pointer gestures
// on them (draw a new segment, resize an edge, move a body, Ctrl+click a track). It reads the
// element's state through its host and says what the annotator did as events; it never edits.
import { Emitter } from './emitter.js';
import { LANE_HEIGHT, drawLanes, rowAt, snap } from './lanes.js';
import { xToTime } from './layout.js';
import { toFrameBoundary } from './time-base.js';

/**
 * What the lanes read from the element.
 * @typedef {object} LanesHost
 * @property {() => import('./annotation-store.js').AnnotationStore | null} store
 * @property {() => any} model  the wasm annotation model (spans in view and their ids)
 * @property {() => {start: number, end: number}} view
 * @property {() => string | null} selected  the selected segment's id
 * @property {() => string[]} selectedTracks
 * @property {() => boolean} ready  the media is decoded and the model in place
 * @property {() => boolean} hasMedia  the media's facts are known
 * @property {() => number} duration
 * @property {() => number} currentTime
 * @property {() => number} rate  timeline positions per second
 * @property {() => import('./time-base.js').VideoIndex | null} video
 */

/**
 * Positions are timeline positions (frames of the annotation time base).
 * @typedef {object} LanesEvents
 * @property {{ids: string[]}} tracks  Ctrl+click: the selected tracks with one added or taken out
 * @property {{id: string}} track  a lane was pressed: its track alone becomes the selected one
 * @property {{id: string | null}} select  a segment was pressed (or empty space: null)
 * @property {{track: string, start: number, end: number}} create  a new segment was drawn
 * @property {{id: string, start: number, track: string}} move  a segment was dragged (maybe to another track)
 * @property {{id: string, start: number, end: number}} resize  a segment's edge was dragged
 * @property {{id: string}} play  a segment was double-clicked
 */

/** @extends {Emitter<LanesEvents>} */
export class TrackLanes extends Emitter {
  #canvas;
  #wave;
  #host;
  #spans = new Float64Array(0);  // [start, end, row] per segment drawn last
  #preview = null;               // a segment being drawn or dragged: {row, start, end, id?}
  #snapping = true;

  /**
   * @param {{canvas: HTMLCanvasElement, wave: HTMLElement}} elements  the lanes and the waveform whose width they share
   * @param {LanesHost} host
   */
  constructor({ canvas, wave }, host) {
    super();
    this.#canvas = canvas;
    this.#wave = wave;
    this.#host = host;
  }

  /** The lanes' pointer listeners, released by `subs.releaseAll()` (the element's disconnect). */
  connect(subs) {
    const canvas = this.#canvas;
    subs.listen(canvas, 'pointerdown', (e) => this.#drag(e));
    subs.listen(canvas, 'dblclick', (e) => {
      // Double-click plays just that segment (a single click selects it).
      const rect = canvas.getBoundingClientRect();
      const id = this.#segmentAt(e.clientX - rect.left, e.clientY - rect.top);
      if (id != null) this.emit('play', { id });
    });
  }

  /** Drags snap to the cursor and other segments' edges within 6 px. */
  get snapping() { return this.#snapping; }
  set snapping(on) { this.#snapping = Boolean(on); }

  draw() {
    const host = this.#host;
    const canvas = this.#canvas;
    const store = host.store();
    if (!store) return;
    const tracks = store.tracks();
    const dpr = window.devicePixelRatio || 1;
    canvas.style.height = `${tracks.length * LANE_HEIGHT}px`;
    const w = Math.max(1, Math.round(this.#wave.clientWidth * dpr));
    const h = Math.max(1, Math.round(tracks.length * LANE_HEIGHT * dpr));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const rate = store.rate();
    const view = host.view();
    this.#spans = host.model().spans(view.start * rate, view.end * rate);
    const selectedRows = new Set(host.selectedTracks().map((id) => tracks.findIndex((t) => t.id === id)).filter((i) => i >= 0));
    const preview = this.#preview && { ...this.#preview, index: this.#preview.id ? this.#spanIndex(this.#preview.id) : -1 };
    canvas.setAttribute('aria-label', this.#label(store, tracks, selectedRows));
    drawLanes(canvas.getContext('2d'), { tracks, spans: this.#spans, selectedIndex: this.#spanIndex(host.selected()), selectedRows, view, rate, dpr, preview });
  }

  /** What a screen reader hears for the lanes: each track, whether selected, how many segments. */
  #label(store, tracks, selectedRows) {
    if (!tracks.length) return 'Track lanes: no tracks';
    const counts = store.countsByTrack();
    const shown = tracks.slice(0, 20).map((t, i) => `${t.category}: ${t.tag}${selectedRows.has(i) ? ', selected' : ''}, ${counts[i]} segment${counts[i] === 1 ? '' : 's'}`);
    const more = tracks.length > 20 ? `; and ${tracks.length - 20} more tracks` : '';
    return `Track lanes, ${tracks.length} track${tracks.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`;
  }

  /** Index of a segment in the last drawn spans, or -1 (not in view, or no such segment). */
  #spanIndex(id) {
    const store = this.#host.store();
    if (id == null || !store) return -1;
    const seg = store.segment(id);
    if (!seg) return -1;
    const row = store.tracks().findIndex((t) => t.id === seg.track);
    const s = this.#spans;
    for (let i = 0; i * 3 < s.length; i++) {
      if (s[i * 3] === seg.start && s[i * 3 + 1] === seg.end && s[i * 3 + 2] === row && this.#host.model().spanId(i) === id) return i;
    }
    return -1;
  }

  /** The segment under a point of the lanes (CSS px), or null. */
  #segmentAt(x, y) {
    const host = this.#host;
    const tracks = host.store()?.tracks() ?? [];
    const row = rowAt(y, tracks.length);
    if (row < 0 || !host.hasMedia()) return null;
    const t = xToTime(x, host.view(), this.#canvas.clientWidth) * host.rate();
    const s = this.#spans;
    for (let i = s.length / 3 - 1; i >= 0; i--) {
      if (s[i * 3 + 2] === row && s[i * 3] <= t && t < s[i * 3 + 1]) return host.model().spanId(i);
    }
    return null;
  }

  /** The position under a client x, snapped to the cursor and segment edges within 6 px. */
  #positionAt(clientX, ignoreId) {
    const host = this.#host;
    const rect = this.#canvas.getBoundingClientRect();
    const rate = host.rate();
    const view = host.view();
    const f = Math.round(xToTime(clientX - rect.left, view, rect.width) * rate);
    const clamped = Math.min(Math.max(f, 0), Math.round(host.duration() * rate));
    // A video's boundaries are always on frame boundaries, snapping or not.
    const video = host.video();
    if (video) return Math.round(toFrameBoundary(video, clamped / rate) * rate);
    if (!this.#snapping) return clamped;
    const framesPerPx = ((view.end - view.start) * rate) / rect.width;
    const targets = [Math.round(host.currentTime() * rate)];
    const s = this.#spans;
    const ignore = this.#spanIndex(ignoreId);
    for (let i = 0; i * 3 < s.length; i++) if (i !== ignore) targets.push(s[i * 3], s[i * 3 + 1]);
    return snap(clamped, targets, 6 * framesPerPx);
  }

  /** Drag on a lane: on empty space draws a new segment, on an edge resizes, on the body moves (also to another lane). */
  #drag(e) {
    const host = this.#host;
    const store = host.store();
    if (e.button !== 0 || !store || !host.ready()) return;
    const lanes = this.#canvas;
    const rect = lanes.getBoundingClientRect();
    const tracks = store.tracks();
    const row = rowAt(e.clientY - rect.top, tracks.length);
    if (row < 0) return;
    const selectedTracks = host.selectedTracks();
    if (e.ctrlKey || e.metaKey) {
      // Ctrl+click adds a track to the selection (or takes it out): recording uses them all.
      const id = tracks[row].id;
      this.emit('tracks', { ids: selectedTracks.includes(id) ? selectedTracks.filter((x) => x !== id) : [...selectedTracks, id] });
      return;
    }
    if (!selectedTracks.includes(tracks[row].id) || selectedTracks.length > 1) this.emit('track', { id: tracks[row].id });
    lanes.setPointerCapture(e.pointerId);
    const hit = this.#segmentAt(e.clientX - rect.left, e.clientY - rect.top);
    const seg = hit ? store.segment(hit) : null;
    const rate = host.rate();
    const view = host.view();
    const pxPerFrame = rect.width / ((view.end - view.start) * rate);
    let mode = 'create';
    if (seg) {
      const x0 = (seg.start - view.start * rate) * pxPerFrame;
      const x1 = (seg.end - view.start * rate) * pxPerFrame;
      const x = e.clientX - rect.left;
      mode = Math.abs(x - x0) <= 6 ? 'start' : Math.abs(x - x1) <= 6 ? 'end' : 'move';
      this.emit('select', { id: seg.id });
    } else {
      this.emit('select', { id: null });
    }
    const origin = this.#positionAt(e.clientX, seg?.id);
    const grab = seg ? origin - seg.start : 0;
    let moved = false;
    const update = (ev) => {
      const f = this.#positionAt(ev.clientX, seg?.id);
      if (Math.abs(ev.clientX - e.clientX) > 3) moved = true;
      const r = rowAt(ev.clientY - rect.top, tracks.length);
      if (mode === 'create') this.#preview = { row, start: Math.min(origin, f), end: Math.max(origin, f) };
      else if (mode === 'start') this.#preview = { row, id: seg.id, start: Math.min(f, seg.end - 1), end: seg.end };
      else if (mode === 'end') this.#preview = { row, id: seg.id, start: seg.start, end: Math.max(f, seg.start + 1) };
      else {
        if (r >= 0 && r !== row) moved = true;
        const start = Math.max(0, f - grab);
        this.#preview = { row: r >= 0 ? r : row, id: seg.id, start, end: start + (seg.end - seg.start) };
      }
      this.draw();
    };
    const finish = (ev) => {
      lanes.removeEventListener('pointermove', update);
      lanes.removeEventListener('pointerup', finish);
      lanes.removeEventListener('pointercancel', finish);
      const preview = this.#preview;
      this.#preview = null;
      if (moved && preview && ev.type !== 'pointercancel') {
        if (mode === 'create') this.emit('create', { track: tracks[row].id, start: preview.start, end: preview.end });
        else if (mode === 'move') this.emit('move', { id: seg.id, start: preview.start, track: tracks[preview.row].id });
        else this.emit('resize', { id: seg.id, start: preview.start, end: preview.end });
      }
      this.draw();
    };
    lanes.addEventListener('pointermove', update);
    lanes.addEventListener('pointerup', finish);
    lanes.addEventListener('pointercancel', finish);
  }
}
