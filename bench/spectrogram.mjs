// SPDX-License-Identifier: MIT
// Section 8: the spectrogram of a one-hour MP3 in the wasm core (in Node): a 1920 x 140 view
// at several zooms, first drawn (tiles computed) and drawn again (tiles reused), beside the
// waveform drawn from its peaks at the same view.
import { readFileSync } from 'node:fs';
import { loadCore, decodeBytes } from '../tests/wasm/load-core.mjs';

const WIDTH = 1920;
const HEIGHT = 140;

export async function benchSpectrogram({ file, spans = [3600, 600, 60, 10, 1] }) {
  const core = await loadCore();
  const { session, status } = decodeBytes(core, readFileSync(file), 1 << 20);
  if (status.state !== 2) throw new Error(`decode failed: ${status.message}`);
  const info = session.info();
  const rate = info.sampleRate;
  const duration = info.frames / rate;
  const time = (fn) => { const t0 = performance.now(); const r = fn(); return { ms: performance.now() - t0, r }; };
  const rows = [];
  try {
    for (const span of spans) {
      const start = Math.max(0, Math.min(duration - span, duration * 0.37));
      const view = { startFrame: Math.round(start * rate), framesPerPixel: (Math.min(span, duration) * rate) / WIDTH, width: WIDTH, height: HEIGHT };
      const style = { windowSize: 2048, scale: 'mel', colorMap: 'magma', minDb: -100, maxDb: 0, minHz: 0, maxHz: 0 };
      const cold = time(() => session.renderSpectrogram({ ...view, ...style }));
      if (!cold.r.ok) throw new Error(cold.r.message);
      const warm = time(() => session.renderSpectrogram({ ...view, ...style }));
      const wave = time(() => session.render({ ...view, amplitude: 1, background: 0xffffffff, wave: 0x2f6fb3ff, axis: 0xc8d0dcff, sampleDot: 0x173d66ff }, false));
      rows.push({ span, coldMs: cold.ms, tiles: cold.r.tilesComputed, warmMs: warm.ms, reused: warm.r.tilesReused, waveMs: wave.ms });
    }
  } finally {
    session.delete();
  }
  return { duration, rows };
}
