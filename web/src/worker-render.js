// SPDX-License-Identifier: MIT
// The worker's renders: a view's frames (peaks first, then samples), their pixel buffers recycled.
import { fetchSpan } from './view-bytes.js';
import { ERROR, FRAME } from './protocol.js';
import { ErrorCode } from './error-codes.js';

/** @typedef {import('./protocol.js').RenderMessage} RenderMessage */

const PAN_REACH = 1 << 20;   // bytes either side of a view fetched with it, for the pan that follows

// Frames' pixel buffers the page gave back (recycle): a frame a tenth of a second while a file
// loads would otherwise leave a new buffer of MB each for the garbage collector, on both sides.
const spareFrames = [];
const SPARE_FRAMES = 4;

/** The core's pixels copied out (before the heap can move) into a spare buffer of their size. */
function framePixels(session) {
  const pixels = session.pixels();
  const i = spareFrames.findIndex((b) => b.byteLength === pixels.length);
  if (i < 0) return pixels.slice();
  const out = new Uint8Array(spareFrames.splice(i, 1)[0]);
  out.set(pixels);
  return out;
}

/** A frame's buffer the page gave back, kept for a later frame of its size. */
export function recycle(buffer) {
  if (spareFrames.length < SPARE_FRAMES) spareFrames.push(buffer);
}

/** A view finer than the peaks that has no file to decode from: drawn from peaks, said once. */
function samplesUnavailable(load, request) {
  if (load.seekable || load.samplesWarned || !load.seekableProblem) return;
  const finer = request.target === 'spectrogram' || request.view.framesPerPixel < load.session.peaksBaseFrames();
  if (!finer) return;
  load.samplesWarned = true;
  load.post({ type: ERROR, code: ErrorCode.SamplesUnavailable, fatal: false,
    message: `Samples cannot be shown at this zoom: ${load.seekableProblem ?? 'the file was not kept.'}` });
}

/**
 * Draws `request` of `load` with the wasm `module`, posting its frames; a promise while the bytes
 * it decodes are fetched first.
 * @param {RenderMessage} request
 */
export function render(load, request, module) {
  const session = load.session;
  if (!session || (!session.opened() && !load.seeded)) return;
  samplesUnavailable(load, request);
  if (request.target === 'spectrogram') {
    const result = session.renderSpectrogram(request.view);
    if (!result.ok) {
      // A refused range is said as such, by the load or as a warning after it.
      if (!load.file?.error) load.post({ type: ERROR, code: result.code, message: result.message, fatal: false });
      return;
    }
    const pixels = framePixels(session);
    // Where the frequency axis's ticks fall, by the core's own scale.
    const ticks = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000];
    const rows = module.spectrogramRows(request.view, session.info().sampleRate, ticks);
    const axis = ticks.map((hz, i) => ({ hz, row: rows[i] })).filter((t) => Number.isFinite(t.row));
    load.post({
      type: FRAME, target: request.target, request: request.request, interim: false, axis,
      width: request.view.width, height: request.view.height, fromSamples: result.fromSamples, pixels: pixels.buffer,
    }, [pixels.buffer]);
    return;
  }
  // While reads are refused (a lying server, an expired link) no samples can come: the peaks.
  if (load.file?.error) {
    renderOnce(load, request, false, true);
    return;
  }
  // A view that needs many samples decoded first gets the peaks at once, then the samples; a few
  // (the edge a pan uncovers) are decoded straight away, its final frame the sooner for it.
  const { view } = request;
  const many = session.framesToDecode(view) > Math.max(1 << 17, (view.width * view.framesPerPixel) / 4);
  // Read in place, the bytes the decode will read come first, in one request.
  const fetching = fetchSpan(load, session.bytesFor(view), { reach: PAN_REACH });
  if (fetching) {
    if (many) renderOnce(load, request, false);
    return fetching.then(() => {
      if (load.aborted || !load.session) return;
      renderOnce(load, request, !load.file?.error, true);
    });
  }
  if (many) renderOnce(load, request, false);
  renderOnce(load, request, true);
}

function renderOnce(load, request, decode, final = decode) {
  const t0 = performance.now();
  const result = load.session.render(request.view, decode);
  const renderMs = performance.now() - t0;
  if (!result.ok) {
    // Samples that could not be read (a refused range, an expired link, said by the load): the
    // view is drawn from the peaks instead, as its final frame (the element waits for one).
    if (load.file?.error) {
      if (decode) renderOnce(load, request, false, true);
      return;
    }
    load.post({ type: ERROR, code: result.code, message: result.message, fatal: false });
    return;
  }
  const pixels = framePixels(load.session);
  load.post({
    type: FRAME,
    target: request.target,
    request: request.request,
    interim: !final,
    width: request.view.width,
    height: request.view.height,
    fromSamples: result.fromSamples,
    decoded: result.decoded,
    // When the worker took the request (ms since the epoch) and what this frame's render took: a benchmark's split.
    received: request.received, renderMs, posted: performance.timeOrigin + performance.now(),
    pixels: pixels.buffer,
  }, [pixels.buffer]);
}
