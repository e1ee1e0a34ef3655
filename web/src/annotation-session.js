// SPDX-License-Identifier: MIT
// The annotation session: the core's annotation model (main-thread wasm) and its cached reads, the
// config and value given before it loaded, the task id, and every edit as one transaction of it.
import { Emitter } from './emitter.js';
import { AnnotationStore } from './annotation-store.js';
import { check, loadModel } from './model.js';
import { guardModel } from './model-text-guard.js';
import { stableUrl } from './autosave.js';
import { EXPORTS } from './exports.js';
import { importDocument } from './imports.js';
import { ErrorCode } from './error-codes.js';
import { mediaPositions, toFrameBoundary, withFrames } from './time-base.js';

/**
 * What the session asks of the media side.
 * @typedef {object} SessionHost
 * @property {() => boolean} ready  the media is decoded: its timeline rate and length are known
 * @property {() => boolean} hasMedia  the media's header is read
 * @property {() => number} rate  positions per second of the timeline (time-base.js timelineRate)
 * @property {() => object | null} video  the video's frame index (time-base.js videoIndex), or null
 * @property {() => {src: string, duration: number, sampleRate: number, channels: number}} media
 */

/**
 * @typedef {object} SessionEvents
 * @property {{save: boolean}} change  the model changed (save: false when it is the draft already)
 * @property {{code: string, message: string}} error  a refused edit or a bad config/value (not fatal)
 */

const notReady = () => Object.assign(new Error('the annotation model is still loading: wait for the "ready" event'), { code: ErrorCode.NotReady });

/** @extends {Emitter<SessionEvents>} */
export class AnnotationSession extends Emitter {
  #host;
  #model = null;        // the core's annotation model, once loaded
  #store = null;        // cached reads of it for the UI
  #loading = null;
  #pendingConfig = null; // the config's text as given before the model loaded, for its strict reader
  #pendingValue = null;
  #hostValue = null;    // what the host gave as `value` (pre-annotations), for discarding a draft
  #taskId = '';

  /** @param {SessionHost} host */
  constructor(host) {
    super();
    this.#host = host;
  }

  /** The model (null until loaded) and its cached reads (annotation-store.js). */
  get model() { return this.#model; }
  get store() { return this.#store; }
  get hostValue() { return this.#hostValue; }

  /** Loads the model once; resolves when it is in place with what was set meanwhile. */
  ensure() {
    this.#loading ??= loadModel().then(({ Annotations }) => {
      this.#model = guardModel(new Annotations());
      this.#store = new AnnotationStore(this.#model);
      this.#model.setTimebase(48000, 0);
      if (this.#pendingConfig !== null) {
        const result = this.#model.setConfig(this.#pendingConfig);
        if (!result.ok) this.reportError(result.code, result.message);
        this.#store.configChanged();
      }
      if (this.#pendingValue) {
        const result = this.#model.load(typeof this.#pendingValue === 'string' ? this.#pendingValue : JSON.stringify(this.#pendingValue));
        if (!result.ok) this.reportError(result.code, result.message);
      }
      this.#pendingConfig = this.#pendingValue = null;
    });
    return this.#loading;
  }

  get config() {
    if (this.#model) return JSON.parse(this.#model.config());
    try {
      return JSON.parse(this.#pendingConfig ?? '{}');
    } catch {
      return {};   // refused once the model reads it
    }
  }
  set config(value) {
    const text = typeof value === 'string' ? value : JSON.stringify(value ?? {});
    if (!this.#model) {
      // Kept as given: JSON.parse would let a key given twice through and throw at a typo.
      this.#pendingConfig = text;
      this.ensure();
      return;
    }
    const result = this.#model.setConfig(text);
    if (!result.ok) this.reportError(result.code, result.message);
    else {
      this.#store.configChanged();
      this.changed();
    }
  }

  get value() {
    if (this.#model) return this.withFrames(JSON.parse(this.#model.save()));
    return this.#pendingValue;
  }
  set value(doc) {
    this.#hostValue = doc;
    if (!this.#model) {
      this.#pendingValue = doc;
      this.ensure();
      return;
    }
    const result = this.#model.load(typeof doc === 'string' ? doc : JSON.stringify(doc));
    if (!result.ok) this.reportError(result.code, result.message);
    else this.changed();
  }

  /** A video's segments also say which frames they cover: [startFrame, endFrame), 0-based. */
  withFrames(doc) { return withFrames(doc, this.#host.video()); }

  get taskId() { return this.#taskId; }
  set taskId(id) {
    this.#taskId = String(id ?? '');
    this.updateMedia();
  }

  /** Gives the model the media's timeline: its rate and length in positions. */
  setTimebase() {
    const rate = this.#host.rate();
    this.#model.setTimebase(rate, mediaPositions(this.#host.media().duration, rate));
  }

  updateMedia() {
    if (!this.#model) return;
    const { src, duration, sampleRate, channels } = this.#host.media();
    const video = this.#host.video();
    // What is stored must not carry a presigned URL's credentials into the answer.
    const media = { url: stableUrl(src), duration, sampleRate, channels };
    if (video) Object.assign(media, { frames: video.count, width: video.width, height: video.height, videoCodec: video.codec });
    this.#model.setMedia(JSON.stringify(media), this.#taskId);
  }

  /** Positions per second, once the media is ready (throws `not-ready` before). */
  rate() {
    if (!this.#host.ready()) throw Object.assign(new Error('the media is not loaded yet: wait for the "ready" event'), { code: ErrorCode.NotReady });
    return this.#host.rate();
  }

  /** A time moved to the nearest frame boundary of a video (segments are frame-exact); audio: unchanged. */
  toFrameBoundary(t) { return toFrameBoundary(this.#host.video(), t); }

  addTrack(category, tag) {
    return this.edit((a) => check(a.addTrack(String(category), String(tag))));
  }

  addSegment(trackId, start, end, fields = {}) {
    const rate = this.rate();
    const at = (t) => Math.round(this.toFrameBoundary(Number(t)) * rate);
    return this.edit((a) => check(a.addSegment(String(trackId), at(start), at(end), JSON.stringify(fields ?? {}))));
  }

  updateSegment(id, changes = {}) {
    const rate = this.rate();
    changes = { ...changes };
    for (const key of ['start', 'end']) if (changes[key] !== undefined) changes[key] = this.toFrameBoundary(Number(changes[key]));
    return this.edit((a) => {
      const text = a.segment(String(id));
      const segment = text ? JSON.parse(text) : null;
      if (!segment) check({ ok: false, code: ErrorCode.Refused, message: `there is no segment '${id}'` });
      if (changes.track !== undefined || changes.start !== undefined || changes.end !== undefined) {
        const start = changes.start !== undefined ? Math.round(changes.start * rate) : segment.start;
        const end = changes.end !== undefined ? Math.round(changes.end * rate) : segment.end;
        check(a.placeSegment(segment.id, String(changes.track ?? segment.track), start, end));
      }
      for (const [name, v] of Object.entries(changes.fields ?? {})) check(a.setField(segment.id, name, JSON.stringify(v ?? null), false));
      return id;
    });
  }

  removeSegment(id) { return this.edit((a) => check(a.removeSegment(String(id)))); }
  removeTrack(id) { return this.edit((a) => check(a.removeTrack(String(id)))); }
  setClassification(name, value) { return this.edit((a) => check(a.setClassification(String(name), JSON.stringify(value ?? null), false))); }
  undo() { return this.edit((a) => a.undo(), false); }
  redo() { return this.edit((a) => a.redo(), false); }

  /**
   * Runs fn(model) as one transaction of the model (atomic: all or nothing, one undo step; off
   * for undo and redo, which are not edits) and, if the model changed, emits `change` once: also
   * when fn throws, so the page never shows other than the model holds.
   */
  edit(fn, atomic = true) {
    const a = this.#model;
    if (!a) throw notReady();
    const revision = a.revision();
    const depth = a.transactionDepth();
    try {
      if (atomic) a.beginTransaction();
      const result = fn(a);
      while (a.transactionDepth() > depth) a.commitTransaction();
      return result;
    } catch (err) {
      while (a.transactionDepth() > depth) a.rollbackTransaction();
      throw err;
    } finally {
      if (a.revision() !== revision) this.changed();
    }
  }

  /** An edit from the annotator's hands: a refusal is said (an `error` event), not thrown; undefined then. */
  tryEdit(fn) {
    try {
      return this.edit((a) => check(fn(a)));
    } catch (err) {
      this.reportError(err.code ?? ErrorCode.Refused, err.message);
      return undefined;
    }
  }

  /** Tells the listeners the model changed (save: false when what it holds is the draft already). */
  changed(save = true) { this.emit('change', { save }); }

  reportError(code, message) { this.emit('error', { code, message }); }

  /** The element's `change` detail: nothing serialises the document unless a listener reads `value`. */
  changeDetail() {
    const model = this.#model;
    const withFrames = (doc) => this.withFrames(doc);
    let text = null;
    return { get value() { text ??= model.save(); return withFrames(JSON.parse(text)); } };
  }

  /** The annotations in another tool's format (exports.js). */
  exportAs(format, options = {}) {
    const writer = EXPORTS[format];
    if (!writer) throw Object.assign(new Error(`unknown export format "${format}" (${Object.keys(EXPORTS).join(', ')})`), { code: ErrorCode.InvalidValue });
    const doc = this.value;
    if (!doc) throw notReady();
    // A presigned URL's signature must not travel into files that outlive it.
    const media = stableUrl(this.#host.media().src);
    return writer.write(doc, this.config, { media, fileId: media.split(/[?#]/)[0].split('/').pop()?.replace(/\.[^.]*$/, '') || 'media', ...options });
  }

  /** Another tool's segments as an annotation document at this media's rate (imports.js). */
  importAs(format, file, options = {}) {
    return importDocument(format, file, { rate: this.#host.ready() ? this.#host.rate() : 48000, ...options });
  }

  validate() {
    return this.#model ? JSON.parse(this.#model.validate()) : [];
  }
}
