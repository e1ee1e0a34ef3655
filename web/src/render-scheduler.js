// SPDX-License-Identifier: MIT
// The render scheduler owns what the worker is asked to draw: per target (the main waveform, the
// overview, the spectrogram) whether its picture is stale and whether a render is out; one animation
// frame at a time, in which the DOM parts that follow the view are drawn ('frame') before the worker
// is asked; and the painting of the pictures it sends back onto their canvases.
import { Emitter } from './emitter.js';

export const TARGETS = ['main', 'overview', 'spectrogram'];

/**
 * What the scheduler reads from the media side.
 * @typedef {object} SchedulerHost
 * @property {import('./core-client.js').CoreClient} client
 * @property {() => number} loadId
 * @property {() => {sampleRate: number} | null} info  the media's facts (null until the header is read)
 * @property {() => number} duration
 * @property {() => boolean} ready  decoded to the end
 * @property {() => number} audioStart  media time of the first audio sample (seconds)
 * @property {() => {start: number, end: number}} view
 * @property {import('./waveform-strip.js').WaveformStrip} strip
 * @property {() => import('./spectrogram-strip.js').SpectrogramStrip} spectrogram
 */

/**
 * @typedef {object} SchedulerEvents
 * @property {{}} frame  an animation frame, before the worker is asked: draw what follows the view
 * @property {{}} asked  the same frame, after the worker was asked
 * @property {{target: string, fromSamples: boolean}} painted  a final picture of 'main' or 'spectrogram' is on screen
 */

/** @extends {Emitter<SchedulerEvents>} */
export class RenderScheduler extends Emitter {
  #renders = Object.fromEntries(TARGETS.map((t) => [t, { busy: false, dirty: true, seq: 0 }]));
  #frameRequested = false;
  #lastOverviewRender = 0;
  #host;

  /** @param {SchedulerHost} host */
  constructor(host) {
    super();
    this.#host = host;
  }

  /** Marks targets stale (all three when none is named) and schedules a frame. */
  invalidate(...targets) {
    for (const target of targets.length ? targets : TARGETS) this.#renders[target].dirty = true;
    this.schedule();
  }

  /** Renders the link expiry or a lost connection stopped are not answered: ask again later. */
  forgetBusy() {
    for (const state of Object.values(this.#renders)) state.busy = false;
  }

  schedule() {
    if (this.#frameRequested) return;
    this.#frameRequested = true;
    requestAnimationFrame(() => {
      this.#frameRequested = false;
      this.emit('frame', {});
      this.request('main');
      this.request('overview');
      if (this.#host.spectrogram().shown) this.request('spectrogram');
      this.emit('asked', {});
    });
  }

  /** Asks the worker for a target's picture if it is stale and none is out. */
  request(target) {
    const host = this.#host;
    const state = this.#renders[target];
    const info = host.info();
    const duration = host.duration();
    if (!state.dirty || state.busy || !info || !(duration > 0)) return;
    if (!info.sampleRate) {
      if (host.ready()) host.strip.showSilent();
      return;
    }
    // The overview only needs refreshing a few times a second while loading.
    if (target === 'overview' && !host.ready() && performance.now() - this.#lastOverviewRender < 250) {
      setTimeout(() => this.schedule(), 250);
      return;
    }
    // The spectrogram needs the complete file (samples are decoded on demand from it).
    if (target === 'spectrogram' && !host.ready()) return;
    const canvas = host.strip.canvas(target);
    if (!canvas.width || !canvas.height) return;
    const view = target === 'overview' ? { start: 0, end: duration } : host.view();
    const sr = info.sampleRate;
    state.dirty = false;
    state.busy = true;
    state.seq++;
    if (target === 'overview') this.#lastOverviewRender = performance.now();
    host.client.render(host.loadId(), state.seq, target, {
      startFrame: (view.start - host.audioStart()) * sr,
      framesPerPixel: ((view.end - view.start) * sr) / canvas.width,
      width: canvas.width,
      height: canvas.height,
      amplitude: target === 'main' ? host.strip.amplitude : 1,
      ...(target === 'spectrogram' ? { ...host.spectrogram().options, minHz: 0, maxHz: 0 } : host.strip.style()),
    });
  }

  /** A picture from the worker ('frame' message): onto its canvas if the canvas is still that size. */
  paint(msg) {
    const state = this.#renders[msg.target];
    if (!msg.interim) state.busy = false;
    const canvas = this.#host.strip.canvas(msg.target);
    if (canvas.width === msg.width && canvas.height === msg.height) {
      const image = new ImageData(new Uint8ClampedArray(msg.pixels), msg.width, msg.height);
      canvas.getContext('2d').putImageData(image, 0, 0);
      if (msg.axis) this.#host.spectrogram().drawAxis(canvas, msg.axis);
      if (msg.target === 'main') canvas.dataset.fromSamples = String(msg.fromSamples);
    } else {
      state.dirty = true;
    }
    this.#host.client.recycle(msg.pixels);
    if (msg.interim) return;
    if (state.dirty) this.schedule();
    if (msg.target !== 'overview') this.emit('painted', { target: msg.target, fromSamples: msg.fromSamples });
  }
}
