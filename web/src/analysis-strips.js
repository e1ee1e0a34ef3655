// SPDX-License-Identifier: MIT
// The analysis strips under the waveform (Pauses, Pitch, Loudness, Motion), drawn here on their
// canvases from what the worker found (analysis-data.js), column for column with the waveform
// (analysis-columns.js); the bar above them: which are shown, the pause threshold and shortest
// pause (sent to the worker as options), and the line saying the selected suggestion.
import { AnalysisData, ANALYSIS_KINDS } from './analysis-data.js';
import { LOUDNESS_FLOOR, MinMaxPyramid, columnRanges, frameColumn, loudnessRow, lowerBound, pitchRow, pitchTicks, spanColumns } from './analysis-columns.js';
import { Emitter } from './emitter.js';

/** The config's `analysis` defaults (doc/label-config.md#analysis), for a config without the block. */
export const ANALYSIS_DEFAULTS = Object.freeze({
  show: [],
  pauses: { thresholdDb: -30, minDuration: 0.2 },
  pitch: { floorHz: 50, ceilingHz: 800, range: 'config' },
  loudness: { jumpLu: 10 },
  snap: { kinds: ['pause', 'energy', 'zero'], radiusMs: 20 },
});

const COLORS = {
  pause: '#9dbbdc', pauseSelected: '#d9480f', pitch: '#6a1fb0', momentary: '#2f6fb3', shortTerm: '#1b7f4b',
  jump: '#e8890c', jumpSelected: '#d9480f', motion: '#5b6f8a', cut: '#c0262d', jerk: '#e8890c', grid: '#e3e8ef', text: '#4a5566',
};

/**
 * What the strips read from the media side.
 * @typedef {object} StripsHost
 * @property {() => {start: number, end: number}} view  seconds
 * @property {() => number} sampleRate  0 without sound
 * @property {() => number} audioStart  media time of the first audio sample
 * @property {() => {count: number, times: Float64Array | number[]} | null} video  the frame index
 * @property {() => boolean} ready  decoded: pitch may be asked for
 * @property {() => number} width  the waveform canvas's width in device pixels (the strips take it)
 * @property {() => object | null} config  the label config's `analysis` block, or null
 * @property {(startFrame: number, endFrame: number) => void} analyzeWindow
 * @property {(options: object) => void} setAnalysisOptions
 * @property {() => void} scanMotion  a video's motion computed from its frames (once a load)
 */

/**
 * @typedef {object} StripsEvents
 * @property {{kind: string}} analysis  a kind's data arrived (the element's `analysis` event)
 * @property {{}} config  the label config's `analysis` block changed
 */

/** @extends {Emitter<StripsEvents>} */
export class AnalysisStrips extends Emitter {
  data = new AnalysisData();
  #el;
  #host;
  #strips;          // kind -> {box, canvas, label}
  #toggles;         // kind -> checkbox
  #shown = new Set();
  #configKey = null;
  #options = null;  // the options last given to the worker
  #userPauses = null;  // the annotator's threshold and shortest pause, over the config's
  #asked = null;    // the pitch window last asked for
  #askTimer = 0;
  #loudnessPyramids = null;
  #motionData = null;
  #motionScan = null;  // the browser's motion scan: {done, total, stoppedAt?}, or null
  #frameRequested = false;
  #version = 0;     // counts changes of the data: a frame with the same view and data draws nothing
  #drawn = '';
  /** The suggestion shown selected: {kind: 'pause'|'jump'|'cut', start, end} (frames; cut: video frame), or null. */
  highlight = null;

  /**
   * @param {{analysis: HTMLElement, analysisBar: HTMLElement}} elements
   * @param {StripsHost} host
   */
  constructor({ analysis, analysisBar, loudnessBadge }, host) {
    super();
    this.#el = { analysis, bar: analysisBar, loudnessBadge, threshold: analysisBar.querySelector('.pause-threshold'), minPause: analysisBar.querySelector('.pause-min'), motionToggle: analysisBar.querySelector('.motion-toggle') };
    this.#host = host;
    this.#strips = Object.fromEntries(ANALYSIS_KINDS.map((kind) => {
      const box = analysis.querySelector(`[data-kind="${kind}"]`);
      return [kind, { box, canvas: box.querySelector('canvas'), label: box.querySelector('.analysis-label') }];
    }));
    this.#toggles = Object.fromEntries(ANALYSIS_KINDS.map((kind) => [kind, analysisBar.querySelector(`[data-show="${kind}"]`)]));
    this.data.on('change', ({ kind }) => {
      this.#version++;
      if (kind === 'loudness') {
        this.#loudnessPyramids = null;
        this.#headerLoudness();
      }
      if (kind === 'motion') this.#motionData = null;
      this.schedule();
      if (this.data[kind] || kind === 'energy') this.emit('analysis', { kind });
    });
  }

  /** The file's integrated loudness in the toolbar, whether or not the Loudness strip is shown. */
  #headerLoudness() {
    const l = this.data.loudness;
    const badge = this.#el.loudnessBadge;
    const measured = l && l.integrated != null && l.integrated > -70;
    badge.hidden = !l;
    badge.textContent = !l ? '' : `${measured ? l.integrated.toFixed(1) : 'n/a'} LUFS${l.range == null ? '' : ` · LRA ${l.range.toFixed(1)} LU`}${l.final ? '' : ' (so far)'}`;
  }

  /** The bar's boxes and fields, kept in `subs`. */
  connect(subs) {
    for (const [kind, box] of Object.entries(this.#toggles)) subs.listen(box, 'change', () => this.show(kind, box.checked));
    const el = this.#el;
    const changed = () => {
      const thresholdDb = Number(el.threshold.value);
      const minDuration = Number(el.minPause.value);
      if (!(thresholdDb >= -100 && thresholdDb <= 0) || !(minDuration >= 0.01 && minDuration <= 60)) return;
      this.#userPauses = { thresholdDb, minDuration };
      this.#sendOptions();
    };
    subs.listen(el.threshold, 'change', changed);
    subs.listen(el.minPause, 'change', changed);
  }

  /** Which strips are shown. */
  get shown() { return ANALYSIS_KINDS.filter((k) => this.#shown.has(k)); }

  show(kind, on) {
    if (!ANALYSIS_KINDS.includes(kind)) return;
    if (on) this.#shown.add(kind);
    else this.#shown.delete(kind);
    this.#toggles[kind].checked = Boolean(on);
    this.#applyShown();
  }

  /** The strips shown again (a video's frame index came: Motion may be shown). */
  refreshShown() { this.#applyShown(); }

  #applyShown() {
    const video = Boolean(this.#host.video());
    this.#el.motionToggle.hidden = !video;
    for (const kind of ANALYSIS_KINDS) this.#strips[kind].box.hidden = !this.#shown.has(kind) || (kind === 'motion' && !video);
    this.#el.analysis.hidden = !this.shown.some((k) => !this.#strips[k].box.hidden);
    this.layout();
    if (this.#shown.has('pitch')) this.#askPitch(true);
    // The browser's motion scan costs a second playing of the video: only when the strip is wanted.
    if (this.#shown.has('motion') && video && this.#host.ready() && !this.data.motion?.final) this.#host.scanMotion();
  }

  /** Whether the label config has an `analysis` block. */
  get configured() { return Boolean(this.#host.config()); }

  /** The config's `analysis` with every default filled in. */
  config() {
    const c = this.#host.config();
    if (!c) return ANALYSIS_DEFAULTS;
    return {
      show: c.show ?? ANALYSIS_DEFAULTS.show,
      pauses: { ...ANALYSIS_DEFAULTS.pauses, ...c.pauses },
      pitch: { ...ANALYSIS_DEFAULTS.pitch, ...c.pitch },
      loudness: { ...ANALYSIS_DEFAULTS.loudness, ...c.loudness },
      snap: { ...ANALYSIS_DEFAULTS.snap, ...c.snap },
    };
  }

  /** How the worker finds pauses, pitch and jumps (protocol.js AnalysisOptions), given with each load. */
  options() {
    const c = this.config();
    return {
      pauses: this.#userPauses ?? { thresholdDb: c.pauses.thresholdDb, minDuration: c.pauses.minDuration },
      pitch: { floorHz: c.pitch.floorHz, ceilingHz: c.pitch.ceilingHz, range: c.pitch.range },
      loudness: { jumpLu: c.loudness.jumpLu },
    };
  }

  /** A new load: its options go with it, nothing of the last one is kept. */
  reset() {
    this.data.reset();
    this.#motionScan = null;
    this.highlight = null;
    this.#asked = null;
    this.#options = JSON.stringify(this.options());
    this.#applyShown();
  }

  /** The label config may have changed: its `analysis` block decides the strips, fields and options. */
  configChanged() {
    const key = JSON.stringify(this.#host.config());
    if (key === this.#configKey) return;
    this.#configKey = key;
    const c = this.config();
    this.#userPauses = null;
    this.#el.threshold.value = String(c.pauses.thresholdDb);
    this.#el.minPause.value = String(c.pauses.minDuration);
    this.#shown = new Set(c.show);
    for (const kind of ANALYSIS_KINDS) this.#toggles[kind].checked = this.#shown.has(kind);
    this.#applyShown();
    this.#sendOptions();
    this.emit('config', {});
  }

  #sendOptions() {
    const options = this.options();
    const text = JSON.stringify(options);
    if (text === this.#options) return;
    const pitchChanged = this.#options && JSON.stringify(JSON.parse(this.#options).pitch) !== JSON.stringify(options.pitch);
    this.#options = text;
    this.#host.setAnalysisOptions(options);
    if (pitchChanged) {
      // Pitch of another range (a file's, or the first options') is not kept: it is asked again.
      this.#asked = null;
      this.data.drop('pitch');
    }
  }

  /**
   * The precomputed analysis file is not this media's (the worker's invalid-analysis): what came
   * from it goes, pitch is asked for again and the video's motion may be scanned.
   */
  sidecarRefused() {
    if (!this.data.dropSidecar().length) return;
    this.#asked = null;
    this.#applyShown();
  }

  /** The canvases take the waveform's width in device pixels (so their columns are its columns). */
  layout() {
    const dpr = window.devicePixelRatio || 1;
    const width = this.#host.width();
    for (const kind of ANALYSIS_KINDS) {
      const { box, canvas } = this.#strips[kind];
      if (box.hidden) continue;
      const h = Math.max(1, Math.round(box.clientHeight * dpr));
      if (canvas.width !== width || canvas.height !== h) {
        canvas.width = width;
        canvas.height = h;
      }
    }
    this.schedule();
  }

  /**
   * How far the browser's motion scan got (media-side.js): {done, total} while it runs, `sent` once
   * every frame went to the worker, `stoppedAt` (a frame) when it failed; said in the Motion strip's
   * label until the motion is final.
   */
  motionScanState(state) {
    this.#motionScan = state;
    this.#version++;
    this.schedule();
  }

  /** Draws at the next animation frame (new data; the view moves with the render scheduler's frames). */
  schedule() {
    if (this.#frameRequested) return;
    this.#frameRequested = true;
    requestAnimationFrame(() => {
      this.#frameRequested = false;
      this.draw();
    });
  }

  /** The view in frames of the audio, as the waveform is rendered (render-scheduler.js). */
  columnView(width) {
    const view = this.#host.view();
    const sr = this.#host.sampleRate() || 1;
    return { startFrame: (view.start - this.#host.audioStart()) * sr, framesPerPixel: ((view.end - view.start) * sr) / width, width };
  }

  /** Every shown strip, for the current view. */
  draw() {
    const visible = this.shown.filter((k) => !this.#strips[k].box.hidden);
    if (visible.some((k) => this.#strips[k].canvas.width !== this.#host.width())) this.layout();
    // While playing the scheduler's frames come 60 times a second: only a change is drawn.
    const view = this.#host.view();
    const key = [view.start, view.end, this.#version, this.#options, JSON.stringify(this.highlight), visible.join(), ...visible.map((k) => `${this.#strips[k].canvas.width}x${this.#strips[k].canvas.height}`)].join('|');
    if (key !== this.#drawn) this.#drawStrips();
    this.#drawn = key;
    if (this.#shown.has('pitch')) this.#askPitch(false);
  }

  #drawStrips() {
    for (const kind of this.shown) {
      const { box, canvas } = this.#strips[kind];
      if (box.hidden) continue;
      const ctx = canvas.getContext('2d');
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      if (kind === 'pauses') this.#drawPauses(ctx, canvas);
      else if (kind === 'pitch') this.#drawPitch(ctx, canvas);
      else if (kind === 'loudness') this.#drawLoudness(ctx, canvas);
      else this.#drawMotion(ctx, canvas);
      box.setAttribute('aria-label', this.#strips[kind].label.textContent);
    }
  }

  #drawPauses(ctx, canvas) {
    const p = this.data.pauses;
    const label = this.#strips.pauses.label;
    if (!p) {
      label.textContent = 'Pauses: not yet known';
      return;
    }
    label.textContent = `Pauses: ${p.pauses.length} (below ${p.thresholdDb} dB of the speech level, at least ${p.minDuration} s)`;
    const view = this.columnView(canvas.width);
    const h = this.#highlightOf('pause');
    const first = Math.max(0, lowerBound(p.pauses, view.startFrame, (s) => s.end) - 1);
    const viewEnd = view.startFrame + view.width * view.framesPerPixel;
    for (let i = first; i < p.pauses.length && p.pauses[i].start <= viewEnd + 1; i++) {
      const { start, end } = p.pauses[i];
      const cols = spanColumns(view, start, end);
      if (!cols) continue;
      ctx.fillStyle = h && h.start === start && h.end === end ? COLORS.pauseSelected : COLORS.pause;
      ctx.fillRect(cols.first, 0, cols.last - cols.first + 1, canvas.height);
    }
  }

  #drawPitch(ctx, canvas) {
    const p = this.data.pitch;
    const label = this.#strips.pitch.label;
    const c = this.options().pitch;
    const floorHz = p?.floorHz || c.floorHz;
    const ceilingHz = p?.ceilingHz || c.ceilingHz;
    this.#axis(ctx, canvas, pitchTicks(floorHz, ceilingHz).map((hz) => [pitchRow(hz, floorHz, ceilingHz, canvas.height), hz >= 1000 ? `${hz / 1000} kHz` : `${hz} Hz`]));
    label.textContent = p ? `Pitch ${Math.round(floorHz)}–${Math.round(ceilingHz)} Hz${p.final ? '' : ' (computing…)'}` : 'Pitch: not yet computed';
    if (!p) return;
    const view = this.columnView(canvas.width);
    const { min, max } = columnRanges(view, { hop: p.hop, pyramid: p.pyramid });
    ctx.fillStyle = COLORS.pitch;
    let prevTop = NaN;
    let prevBottom = NaN;
    for (let x = 0; x < view.width; x++) {
      if (Number.isNaN(min[x])) {
        prevTop = prevBottom = NaN;
        continue;
      }
      let top = pitchRow(max[x], floorHz, ceilingHz, canvas.height);
      let bottom = pitchRow(min[x], floorHz, ceilingHz, canvas.height);
      // Joined to the column before, so that a glide is a line, not dots.
      if (prevBottom < top) top = prevBottom;
      if (prevTop > bottom) bottom = prevTop;
      prevTop = pitchRow(max[x], floorHz, ceilingHz, canvas.height);
      prevBottom = pitchRow(min[x], floorHz, ceilingHz, canvas.height);
      ctx.fillRect(x, Math.max(0, top - 1), 1, Math.min(canvas.height, bottom + 2) - Math.max(0, top - 1));
    }
  }

  #drawLoudness(ctx, canvas) {
    const l = this.data.loudness;
    const label = this.#strips.loudness.label;
    const ticks = [];
    for (let lufs = -10; lufs > LOUDNESS_FLOOR; lufs -= 10) ticks.push([loudnessRow(lufs, canvas.height), `${lufs} LUFS`]);
    this.#axis(ctx, canvas, ticks);
    if (!l) {
      label.textContent = 'Loudness: not yet measured';
      return;
    }
    const lu = (v) => (v == null || !(v > -70) ? 'n/a' : v.toFixed(1));
    label.textContent = `Loudness: ${lu(l.integrated)} LUFS integrated · LRA ${l.range == null ? 'n/a' : l.range.toFixed(1)} LU · momentary (blue), short-term (green)`;
    this.#loudnessPyramids ??= {
      momentary: new MinMaxPyramid(l.momentary, (v) => v > -1e9),
      shortTerm: new MinMaxPyramid(l.shortTerm, (v) => v > -1e9),
    };
    const view = this.columnView(canvas.width);
    for (const [name, color] of [['shortTerm', COLORS.shortTerm], ['momentary', COLORS.momentary]]) {
      const { min, max } = columnRanges(view, { origin: l.stepFrames, hop: l.stepFrames, pyramid: this.#loudnessPyramids[name], counts: (v) => v > -1e9 });
      this.#curve(ctx, canvas, min, max, (v) => loudnessRow(v, canvas.height), color);
    }
    const h = this.#highlightOf('jump');
    for (const jump of l.jumps) {
      const x = frameColumn(view, jump.frame);
      if (x < 0 || x >= view.width) continue;
      const selected = h && h.start === jump.frame;
      ctx.fillStyle = selected ? COLORS.jumpSelected : COLORS.jump;
      ctx.fillRect(selected ? x - 1 : x, 0, selected ? 3 : 1, canvas.height);
    }
  }

  #drawMotion(ctx, canvas) {
    const m = this.data.motion;
    const video = this.#host.video();
    const label = this.#strips.motion.label;
    const scan = m?.final ? null : this.#motionScan;
    const scanText = !scan ? null : scan.stoppedAt !== undefined
      ? `Motion: the scan stopped at frame ${scan.stoppedAt} (${scan.done} of ${scan.total} frames measured)`
      : scan.sent ? `Motion: all ${scan.total} frames scanned, computing…` : `Motion: scanning frames ${scan.done} of ${scan.total}`;
    if (!m || !video) {
      label.textContent = scanText ?? 'Motion: not yet measured';
      return;
    }
    label.textContent = scanText ?? `Motion: ${m.cuts.length} cut${m.cuts.length === 1 ? '' : 's'} (red), ${m.jerks.length} jerk${m.jerks.length === 1 ? '' : 's'} (orange)`;
    const view = this.#host.view();
    const width = canvas.width;
    const perPx = (view.end - view.start) / width;
    const times = video.times;
    const count = Math.min(m.motion.length, video.count);
    if (!this.#motionData) {
      let peak = 1e-6;
      for (let k = 0; k < m.motion.length; k++) if (m.motion[k] > peak) peak = m.motion[k];
      this.#motionData = { peak };
    }
    const scale = (canvas.height - 2) / this.#motionData.peak;
    ctx.fillStyle = COLORS.motion;
    // Each column: the most motion of the frames shown during it.
    for (let x = 0; x < width; x++) {
      const t0 = view.start + x * perPx;
      const t1 = t0 + perPx;
      let k = Math.max(0, lowerBound(times, t0) - 1);
      if (k < count && times[k + 1] <= t0) k++;
      let most = -1;
      for (; k < count && times[k] < t1; k++) most = Math.max(most, m.motion[k]);
      if (most > 0) ctx.fillRect(x, canvas.height - Math.max(1, Math.round(most * scale)), 1, Math.max(1, Math.round(most * scale)));
    }
    const h = this.#highlightOf('cut');
    const mark = (frames, color, tall) => {
      for (const k of frames) {
        if (k >= video.count) continue;
        const x = Math.floor((times[k] - view.start) / perPx);
        if (x < 0 || x >= width) continue;
        const selected = h && h.start === k;
        ctx.fillStyle = selected ? COLORS.pauseSelected : color;
        ctx.fillRect(selected ? x - 1 : x, 0, selected ? 3 : 1, tall ? canvas.height : Math.ceil(canvas.height / 3));
      }
    };
    mark(m.cuts, COLORS.cut, true);
    mark(m.jerks, COLORS.jerk, false);
  }

  #highlightOf(kind) { return this.highlight?.kind === kind ? this.highlight : null; }

  /** A curve from per-column ranges (NaN: nothing), joined column to column. */
  #curve(ctx, canvas, min, max, row, color) {
    ctx.fillStyle = color;
    let prev = NaN;
    for (let x = 0; x < min.length; x++) {
      if (Number.isNaN(min[x])) {
        prev = NaN;
        continue;
      }
      const top = Math.min(row(max[x]), Number.isNaN(prev) ? Infinity : prev);
      const bottom = Math.max(row(min[x]), Number.isNaN(prev) ? -Infinity : prev);
      ctx.fillRect(x, top, 1, bottom - top + 1);
      prev = row((min[x] + max[x]) / 2);
    }
  }

  /** Grid lines and their labels at the left edge. */
  #axis(ctx, canvas, ticks) {
    const dpr = window.devicePixelRatio || 1;
    ctx.font = `${9 * dpr}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    let last = -Infinity;
    for (const [row, text] of ticks) {
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(0, row, canvas.width, 1);
      if (Math.abs(row - last) < 11 * dpr || row < 5 * dpr || row > canvas.height - 5 * dpr) continue;
      last = row;
      ctx.fillStyle = COLORS.text;
      ctx.fillText(text, 2 * dpr, row);
    }
  }

  /** The visible window's pitch, asked for once the view rests (and again when it moves on). */
  #askPitch(now) {
    if (!this.#host.ready() || !this.#host.sampleRate()) return;
    const view = this.columnView(this.#host.width() || 1);
    const start = Math.max(0, Math.floor(view.startFrame));
    const end = Math.ceil(view.startFrame + view.width * view.framesPerPixel);
    if (this.data.pitchCovers(start, end)) return;
    if (this.#asked && this.#asked.start === start && this.#asked.end === end) return;
    clearTimeout(this.#askTimer);
    const ask = () => {
      this.#asked = { start, end };
      this.#host.analyzeWindow(start, end);
    };
    if (now || !this.#asked) ask();
    else this.#askTimer = setTimeout(ask, 120);
  }
}
