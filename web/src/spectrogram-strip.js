// SPDX-License-Identifier: MIT
// The spectrogram strip's settings and controls: whether it is shown, its options (checked here),
// and the frequency labels drawn over each rendered picture. The worker renders the picture.
import { Emitter } from './emitter.js';

export const WINDOW_SIZES = [256, 512, 1024, 2048, 4096, 8192];

/** Options made valid: an unknown value falls back to the default, maxDb stays above minDb. */
export function checkedOptions(options) {
  const next = { ...options };
  next.windowSize = WINDOW_SIZES.includes(Number(next.windowSize)) ? Number(next.windowSize) : 2048;
  if (!['linear', 'mel', 'log'].includes(next.scale)) next.scale = 'mel';
  if (!['magma', 'viridis', 'grayscale'].includes(next.colorMap)) next.colorMap = 'magma';
  next.minDb = Number.isFinite(Number(next.minDb)) ? Number(next.minDb) : -100;
  next.maxDb = Number.isFinite(Number(next.maxDb)) && Number(next.maxDb) > next.minDb ? Number(next.maxDb) : next.minDb + 100;
  return next;
}

/**
 * @typedef {object} SpectrogramEvents
 * @property {{on: boolean}} toggle  the Spectrogram box was changed
 * @property {{options: object}} options  one of its selects was changed (only that option)
 */

/** @extends {Emitter<SpectrogramEvents>} */
export class SpectrogramStrip extends Emitter {
  #el;
  #shown = false;
  #options = { windowSize: 2048, scale: 'mel', colorMap: 'magma', minDb: -100, maxDb: 0 };

  /**
   * @param {{strip: HTMLElement, toggle: HTMLInputElement, controls: HTMLElement, scale: HTMLSelectElement,
   *          windowSize: HTMLSelectElement, colors: HTMLSelectElement}} elements
   */
  constructor(elements) {
    super();
    this.#el = elements;
  }

  /** Its box and selects, kept in `subs` (released on disconnect). */
  connect(subs) {
    const el = this.#el;
    subs.listen(el.toggle, 'change', () => this.emit('toggle', { on: el.toggle.checked }));
    subs.listen(el.scale, 'change', () => this.emit('options', { options: { scale: el.scale.value } }));
    subs.listen(el.windowSize, 'change', () => this.emit('options', { options: { windowSize: Number(el.windowSize.value) } }));
    subs.listen(el.colors, 'change', () => this.emit('options', { options: { colorMap: el.colors.value } }));
  }

  /** Whether the strip is shown (named so as not to hide the emitter's `on`). */
  get shown() { return this.#shown; }
  set shown(on) {
    this.#shown = Boolean(on);
    this.#el.toggle.checked = this.#shown;
    this.#el.strip.hidden = !this.#shown;
    this.#el.controls.hidden = !this.#shown;
  }

  /** {windowSize, scale, colorMap, minDb, maxDb} (a copy). */
  get options() { return { ...this.#options }; }
  /** Takes the given options over the current ones, made valid. */
  set options(options) {
    const next = checkedOptions({ ...this.#options, ...options });
    this.#options = next;
    this.#el.scale.value = next.scale;
    this.#el.windowSize.value = String(next.windowSize);
    this.#el.colors.value = next.colorMap;
  }

  /** Frequency labels at the picture's left edge, drawn as text, and named in the strip's label. */
  drawAxis(canvas, axis) {
    const ctx = canvas.getContext('2d');
    const dpr = window.devicePixelRatio || 1;
    ctx.font = `${10 * dpr}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    let lastY = -Infinity;
    const labels = [];
    for (const { hz, row } of [...axis].sort((a, b) => b.row - a.row)) {
      if (row < 6 * dpr || row > canvas.height - 6 * dpr || Math.abs(row - lastY) < 14 * dpr) continue;
      lastY = row;
      const text = hz >= 1000 ? `${hz / 1000} kHz` : `${hz} Hz`;
      const w = ctx.measureText(text).width + 6 * dpr;
      ctx.fillStyle = 'rgba(0,0,0,0.55)';
      ctx.fillRect(0, row - 7 * dpr, w, 14 * dpr);
      ctx.fillStyle = '#ffffff';
      ctx.fillText(text, 3 * dpr, row);
      labels.push(text);
    }
    this.#el.strip.setAttribute('aria-label', `Spectrogram (${this.#options.scale} frequency scale${labels.length ? `, ${labels.at(-1)} at the top` : ''})`);
  }
}
