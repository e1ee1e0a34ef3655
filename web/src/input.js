// SPDX-License-Identifier: MIT
// The element's input: the keyboard shortcuts on the host (keys.js's table) and what the
// annotator does on the lanes, the segment list and the toolbar's track controls, turned into
// edits of the annotation session and changes of the selection.
import { handleKey } from './keys.js';
import { ErrorCode } from './error-codes.js';
import { Snapping } from './snapping.js';
import { Suggestions } from './suggestions.js';

/**
 * What the input asks of the element beyond its public API.
 * @typedef {object} InputHost
 * @property {() => boolean} paused  the media is paused
 * @property {() => object | null} video  the video's frame index, or null
 * @property {() => number} rate  timeline positions per second
 * @property {(fraction: number) => void} scroll  scrolls the view by a fraction of its span
 * @property {import('./transport.js').Transport} transport  the transport buttons and the seek step
 */

export class Input {
  #element;
  #session;
  #selection;
  #help;
  #host;
  #keyActions;
  suggestions = null;  // suggestions.js, once the analysis is joined (useAnalysis)
  snapping = null;     // snapping.js, the same

  /**
   * @param {import('./avseg-editor.js').AvsegEditor} element  its public API drives playback and the view
   * @param {import('./annotation-session.js').AnnotationSession} session
   * @param {import('./selection.js').Selection} selection
   * @param {import('./help-overlay.js').HelpOverlay} help
   * @param {InputHost} host
   */
  constructor(element, session, selection, help, host) {
    this.#element = element;
    this.#session = session;
    this.#selection = selection;
    this.#help = help;
    this.#host = host;
    const el = element;
    const store = () => session.store;
    const seconds = (s) => [s.start / store().rate(), s.end / store().rate()];
    const { lanes, list, controls } = selection;
    lanes.on('tracks', ({ ids }) => { selection.selectedTracks = ids; });
    lanes.on('track', ({ id }) => { selection.selectedTrack = id; });
    lanes.on('select', ({ id }) => { selection.selectedSegment = id; });
    // With snapping to the sound on, a drawn or resized edge lands where the sound does (snapping.js).
    const bounds = (start, end, moveStart, moveEnd, edit) => (this.snapping ? this.snapping.bounds(start, end, moveStart, moveEnd, edit) : edit(start, end));
    lanes.on('create', ({ track, start, end }) => bounds(start, end, true, true, (s, e) => {
      const id = session.tryEdit((a) => a.addSegment(track, s, e, '{}'));
      if (id !== undefined) selection.selectedSegment = id;
    }));
    lanes.on('move', ({ id, start, track }) => session.tryEdit((a) => a.moveSegment(id, start, track)));
    lanes.on('resize', ({ id, start, end }) => {
      const seg = store()?.segment(id);
      bounds(start, end, start !== seg?.start, end !== seg?.end, (s, e) => session.tryEdit((a) => a.setBounds(id, s, e)));
    });
    lanes.on('play', ({ id }) => {
      const s = store()?.segment(id);
      if (s) el.playSpan(...seconds(s)).catch(() => {});
    });
    list.on('select', ({ id, seek }) => {
      selection.selectedSegment = id;
      const s = store()?.segment(id);
      if (!s) return;
      if (seek && host.transport.rowClickPlays) el.playSpan(...seconds(s)).catch(() => {});
      else if (seek) el.currentTime = seconds(s)[0];
      selection.reveal(id);
    });
    list.on('play', ({ id }) => {
      const s = store()?.segment(id);
      if (s) el.playSpan(...seconds(s));
    });
    controls.on('add', ({ category, tag }) => {
      try {
        selection.selectedTrack = session.addTrack(category, tag);
      } catch (err) {
        session.reportError(err.code ?? ErrorCode.Refused, err.message);
      }
    });
    controls.on('remove', () => selection.removeTracks());
    controls.on('record', () => selection.toggleRecording());
    controls.on('undo', () => session.undo());
    controls.on('redo', () => session.redo());

    /** @type {import('./keys.js').KeyActions} */
    this.#keyActions = {
      togglePlay: () => (host.paused() ? el.play() : el.pause()),
      undo: () => session.undo(),
      redo: () => session.redo(),
      nudge: (edge, direction, unit) => {
        const frames = host.video() ? 0 : unit === 'sample' ? 1 : Math.round((unit === '1ms' ? 0.001 : 0.01) * host.rate());
        if (!this.snapping?.nudge(selection.selectedSegment, edge, direction, frames)) selection.nudge(edge, direction, frames);
      },
      stepFrame: (delta) => el.stepFrame(delta),
      toggleHelp: () => help.toggle(),
      zoomBy: (factor) => el.zoomBy(factor),
      zoomFit: () => el.zoomTo(0, el.duration),
      // ← → scroll, or seek by the seek step with arrow-keys="seek" (transport.js).
      scroll: (fraction) => (host.transport.arrowsSeek ? host.transport.step(Math.sign(fraction)) : host.scroll(fraction)),
      amplify: (direction) => { if (direction > 0) el.amplitude *= Math.SQRT2; else el.amplitude /= Math.SQRT2; },
      seekEdge: (where) => { el.currentTime = where === 'end' ? el.duration : 0; },
      toggleRecording: () => selection.toggleRecording(),
      stepTrack: (extend) => selection.stepTrack(extend),
      stepSegment: (direction) => selection.stepSegment(direction),
      merge: () => selection.mergeWithNext(),
      deleteSelected: () => { if (selection.selectedSegment) selection.removeSegment(selection.selectedSegment); },
      split: () => selection.split(),
      stepSuggestion: (direction) => this.suggestions?.step(direction),
      acceptSuggestion: () => this.suggestions?.accept(),
      toggleSoundSnap: () => this.snapping?.toggle(),
    };
  }

  /**
   * The analysis (media-side.js's strips) becomes usable: its suggestions and snapping to the
   * sound, with the bar's box and line (element-markup.js).
   * @param {import('./media-side.js').MediaSide} media
   * @param {{soundSnap: HTMLInputElement, suggestionLine: HTMLElement}} p
   */
  useAnalysis(media, p) {
    const el = this.#element;
    const strips = media.analysis;
    const sampleRate = () => media.session.info?.sampleRate ?? 0;
    const video = () => media.playback.video;
    const say = (text) => {
      p.suggestionLine.textContent = text;
      this.#selection.announce(text);
    };
    this.suggestions = new Suggestions(this.#session, this.#selection, {
      strips: () => strips, sampleRate, video, audioStart: () => media.session.audioStart, duration: () => el.duration,
      currentTime: () => el.currentTime, seek: (t) => { el.currentTime = t; }, reveal: (start, end) => media.viewport.reveal(start, end), say,
    });
    this.snapping = new Snapping(this.#session, p.soundSnap, {
      snap: (frame, radius, kinds) => media.session.snap(frame, radius, kinds), config: () => strips.config().snap,
      configured: () => Boolean(strips.configured), sampleRate, video, say,
    });
    strips.on('analysis', () => this.suggestions.invalidate());
    strips.on('config', () => this.snapping.configChanged());
  }

  /** The keyboard shortcuts on the element and the help overlay's listeners, released by `subs.releaseAll()`. */
  connect(subs) {
    const el = this.#element;
    this.#help.connect(subs);
    this.snapping?.connect(subs);
    this.#host.transport.connect(subs);
    subs.listen(el, 'keydown', (e) => {
      // Events from inside the shadow root are retargeted to the host: only the host's own keys count.
      if (e.composedPath()[0] !== el || !(el.duration > 0)) return;
      handleKey(e, { selection: Boolean(this.#selection.selectedSegment), video: Boolean(this.#host.video()), suggestion: Boolean(this.suggestions?.current) }, this.#keyActions);
    });
  }
}
