// SPDX-License-Identifier: MIT
// The waveform and overview strips: their canvases sized to their boxes (with the ruler's, the
// filmstrip's and the spectrogram's), the main waveform's vertical zoom (amplitude), the colours
// the worker paints them in (from the host's CSS custom properties), and the words a silent video
// shows in their place. The worker renders the pictures; the render scheduler asks for them.

/** '#rrggbb' or '#rrggbbaa' as 0xRRGGBBAA, or the fallback. */
export function parseColor(text, fallback) {
  const m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(text.trim());
  if (!m) return fallback;
  return ((parseInt(m[1], 16) << 8) | parseInt(m[2] ?? 'ff', 16)) >>> 0;
}

/** The amplitude asked for, kept within 0.25..1000 (anything unreadable is 1). */
export function clampAmplitude(value) {
  return Math.min(Math.max(Number(value) || 1, 0.25), 1000);
}

export class WaveformStrip {
  #el;
  #host;
  #amplitude = 1;

  /**
   * @param {{wave: HTMLElement, waveCanvas: HTMLCanvasElement, overview: HTMLElement, overviewCanvas: HTMLCanvasElement,
   *          spectrogram: HTMLElement, spectroCanvas: HTMLCanvasElement, ruler: HTMLCanvasElement, filmstrip: HTMLCanvasElement}} elements
   * @param {HTMLElement} host  the element whose CSS custom properties (--avseg-wave, ...) colour the strips
   */
  constructor(elements, host) {
    this.#el = elements;
    this.#host = host;
  }

  /** Vertical zoom of the main waveform: 1 shows full scale. */
  get amplitude() { return this.#amplitude; }
  /** Returns whether it changed (then the main waveform needs drawing again). */
  setAmplitude(value) {
    const a = clampAmplitude(value);
    if (a === this.#amplitude) return false;
    this.#amplitude = a;
    return true;
  }

  /** The canvas a render target ('main', 'overview' or 'spectrogram') is painted on. */
  canvas(target) {
    return { main: this.#el.waveCanvas, overview: this.#el.overviewCanvas, spectrogram: this.#el.spectroCanvas }[target];
  }

  /** The colours the worker draws with (0xRRGGBBAA). */
  style() {
    const cs = getComputedStyle(this.#host);
    return {
      background: parseColor(cs.getPropertyValue('--avseg-background'), 0xffffffff),
      wave: parseColor(cs.getPropertyValue('--avseg-wave'), 0x2f6fb3ff),
      axis: parseColor(cs.getPropertyValue('--avseg-axis'), 0xc8d0dcff),
      sampleDot: parseColor(cs.getPropertyValue('--avseg-sample'), 0x173d66ff),
    };
  }

  /** A video without sound: the waveform band says so instead. */
  showSilent() {
    const { wave, waveCanvas, overviewCanvas } = this.#el;
    wave.setAttribute('aria-label', 'Waveform: this video has no audio track');
    for (const canvas of [waveCanvas, overviewCanvas]) {
      const ctx = canvas.getContext('2d');
      const dpr = window.devicePixelRatio || 1;
      ctx.fillStyle = '#f4f6f9';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      if (canvas !== waveCanvas) continue;
      ctx.fillStyle = '#4a5566';
      ctx.font = `${13 * dpr}px system-ui, sans-serif`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('This video has no audio track', canvas.width / 2, canvas.height / 2);
    }
  }

  /** Sizes every strip's canvas to its box in device pixels (a resized canvas is blank). */
  layout() {
    const el = this.#el;
    const dpr = window.devicePixelRatio || 1;
    for (const [canvas, box] of [[el.waveCanvas, el.wave], [el.overviewCanvas, el.overview], [el.spectroCanvas, el.spectrogram]]) {
      const w = Math.max(1, Math.round(box.clientWidth * dpr));
      const h = Math.max(1, Math.round(box.clientHeight * dpr));
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
    }
    for (const strip of [el.ruler, el.filmstrip]) {
      strip.width = Math.max(1, Math.round(strip.clientWidth * dpr));
      strip.height = Math.max(1, Math.round(strip.clientHeight * dpr));
    }
  }
}
