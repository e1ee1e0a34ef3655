// SPDX-License-Identifier: MIT
// Section 5: the annotation UI with 10,000 segments over 20 tracks: loading them, redrawing the
// lanes, one edit (model, autosave, panel, events), and drag-resizing a segment's edge.

const TRACKS = 20;
const SEGMENTS = 10000;

export async function benchSegments({ editor, file, reps }) {
  await editor.load(file);
  const { page } = editor;
  return page.evaluate(async ({ TRACKS, SEGMENTS, reps }) => {
    const el = document.querySelector('avseg-editor');
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const p95 = (xs) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
    const tags = Array.from({ length: TRACKS }, (_, i) => `track ${i + 1}`);
    el.config = { categories: [{ name: 'layer', tags }], segmentFields: [{ name: 'label', type: 'text' }] };
    const rate = el.sampleRate;
    const length = Math.floor(el.duration * rate);
    const per = SEGMENTS / TRACKS;
    const slot = Math.floor(length / per);
    const doc = {
      format: 'avseg.annotation', version: 1, timebase: { rate, frames: length },
      tracks: tags.map((tag, i) => ({ id: `t${i + 1}`, category: 'layer', tag, allowOverlap: false, minLength: 0 })),
      segments: [],
    };
    for (let t = 0; t < TRACKS; t++) {
      for (let k = 0; k < per; k++) {
        const start = k * slot + ((t * 997) % Math.max(1, Math.floor(slot / 4)));
        doc.segments.push({ id: `s${t}_${k}`, track: `t${t + 1}`, start, end: start + Math.floor(slot / 2), fields: { label: `segment ${k}` } });
      }
    }
    let t0 = performance.now();
    el.value = doc;
    await frame();
    const loadMs = performance.now() - t0;
    if (el.value.segments.length !== SEGMENTS) throw new Error(`loaded ${el.value.segments.length} segments`);

    const redraw = async (start, end) => {
      const times = [];
      for (let i = 0; i < reps; i++) {
        const t = performance.now();
        el.zoomTo(start + i * 1e-3, end + i * 1e-3);
        await frame();
        times.push(performance.now() - t);
      }
      return { medianMs: median(times), p95Ms: p95(times) };
    };
    const whole = await redraw(0, el.duration);
    const tenSeconds = await redraw(60, 70);

    // One edit through the element: model, validation, autosave queue, panel, change event.
    const edits = [];
    const id = 's0_1';
    for (let i = 0; i < reps; i++) {
      const seg = el.value.segments.find((s) => s.id === id);
      t0 = performance.now();
      el.updateSegment(id, { end: (seg.end + (i % 2 ? -480 : 480)) / rate });
      edits.push(performance.now() - t0);
    }

    // Drag-resize an edge: pointer events on the lanes, each redraws them with the preview.
    el.zoomTo(0, 30);
    await frame();
    const lanes = el.shadowRoot.querySelector('.lanes');
    const rect = lanes.getBoundingClientRect();
    const target = el.value.segments.find((s) => s.track === 't1' && s.end / rate < 25 && s.end / rate > 5);
    const xOf = (f) => rect.left + ((f / rate) / 30) * rect.width;
    const y = rect.top + 14;
    const moves = [];
    const pointer = (type, x) => lanes.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: y, button: 0, pointerId: 1, bubbles: true }));
    pointer('pointerdown', xOf(target.end) - 1);
    for (let i = 1; i <= reps * 2; i++) {
      t0 = performance.now();
      pointer('pointermove', xOf(target.end) - 1 + i);
      moves.push(performance.now() - t0);
    }
    t0 = performance.now();
    pointer('pointerup', xOf(target.end) - 1 + reps * 2);
    const dropMs = performance.now() - t0;
    return { tracks: TRACKS, segments: SEGMENTS, loadMs, whole, tenSeconds, editMedianMs: median(edits), editP95Ms: p95(edits),
      moveMedianMs: median(moves), moveP95Ms: p95(moves), dropMs };
  }, { TRACKS, SEGMENTS, reps });
}
