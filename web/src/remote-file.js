// SPDX-License-Identifier: MIT
// A remote file read in place through HTTP Range requests: few, large, concurrent, coalesced
// requests (multi-range where the server proves it answers them), one open-ended request for
// reading start to end, a bounded cache, and synchronous reads for what the demuxer asks for
// that is not there yet. An answer that is not exactly what was asked for is never used.
// This module opens a file (openRemote) and is the reader's entry; its parts: remote-reader.js
// (RemoteFile), byte-cache.js, remote-stream.js, remote-plan.js, remote-fetch.js,
// remote-sync-read.js, remote-pause.js, remote-answers.js, remote-stall.js, remote-common.js.
import { parseContentRange } from './byte-range.js';
import { EMPTY, RETRY_MS, RemoteError, STALL_MS, cancelBody, decimal, originOf, pageOrigin, sleep } from './remote-common.js';
import { Watchdog, watched } from './remote-stall.js';
import { streamReader } from './remote-stream.js';
import { RemoteFile } from './remote-reader.js';
import { ErrorCode } from './error-codes.js';
import { cspMessage, opaqueCorsMessage, opaqueOrigin, violationFor } from './csp-report.js';

export { RemoteError, RemoteFile };

/**
 * Opens `url` for reading in place with one `Range: bytes=0-` request (CORS-safelisted: no
 * preflight). See the RemoteFile class; `fileOptions` go to its constructor.
 * Returns { kind: 'ranges', file, head } or { kind: 'stream', response } (the server answered with
 * the whole file); throws a RemoteError.
 */
export async function openRemote(url, { headBytes = 1 << 20, fetchImpl, signal, ...fileOptions } = {}) {
  const fetchFn = fetchImpl ?? ((u, o) => fetch(u, o));
  const stallMs = fileOptions.stallMs ?? STALL_MS;
  let response;
  let asked = performance.now();
  try {
    // S3 asks clients to retry its 500 InternalError and 503 SlowDown; a silent server is given up on.
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      const abort = () => controller.abort();
      signal?.addEventListener('abort', abort);
      if (signal?.aborted) abort();
      const watch = new Watchdog(stallMs, abort);
      watch.start();
      asked = performance.now();
      try {
        response = await fetchFn(url, { headers: { Range: 'bytes=0-' }, credentials: 'omit', signal: controller.signal });
      } catch (err) {
        if (!watch.stalled || signal?.aborted) throw err;
        if (attempt >= RETRY_MS.length) throw new TypeError(`no answer in ${stallMs / 1000} s`);
      } finally {
        watch.stop();
        signal?.removeEventListener('abort', abort);
      }
      if (response && !(response.status >= 500 || response.status === 429) || attempt >= RETRY_MS.length) break;
      if (response) cancelBody(response);
      response = null;
      await sleep(RETRY_MS[attempt]);
    }
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    const origin = originOf(url);
    // Fetch hides why: the page's CSP says so in a violation event (csp-report.js) ...
    const refused = await violationFor({ kind: 'media', url });
    if (refused) throw new RemoteError(ErrorCode.FetchFailed, cspMessage(refused, { kind: 'media', origin }));
    // ... and an opaque no-cors request tells a CORS refusal from an unreachable server.
    let reachable = false;
    try {
      await fetchFn(url, { mode: 'no-cors', credentials: 'omit', signal });
      reachable = !!pageOrigin();
    } catch { /* unreachable */ }
    if (reachable && opaqueOrigin()) {
      throw new RemoteError(ErrorCode.CorsBlocked, `${opaqueCorsMessage({ kind: 'media', origin })} The waveform cannot be drawn; playback may still work.`);
    }
    if (reachable) {
      throw new RemoteError(ErrorCode.CorsBlocked, `The media server ${origin} does not allow this page to read the file `
        + '(no Access-Control-Allow-Origin header), so the waveform cannot be drawn. Playback may still work. '
        + `Add a CORS rule to the bucket or server allowing GET from ${pageOrigin() === 'null' ? 'this page' : 'the page origin'}.`);
    }
    throw new RemoteError(ErrorCode.FetchFailed, `Could not download the media from ${origin}: the server is unreachable (${err?.message ?? err}).`);
  }
  const { status } = response;
  if (status === 200) return { kind: 'stream', response: watched(response, stallMs) };
  if (status !== 206) {
    cancelBody(response);
    throw new RemoteError(ErrorCode.FetchFailed, `Could not download the media: the server answered HTTP ${status}`
      + `${response.statusText ? ` ${response.statusText}` : ''}${status === 403 ? ' (an expired or unsigned link?)' : ''}.`, status);
  }
  // A range of a compressed representation cannot be read in place (S3 serves an object stored
  // with Content-Encoding gzip so whatever the request's Accept-Encoding); its whole body, which
  // the browser decodes, can be streamed.
  const encoding = response.headers.get('content-encoding');
  if (encoding && !/^\s*identity\s*$/i.test(encoding)) return { kind: 'stream', response: watched(response, stallMs) };
  const contentRange = response.headers.get('content-range');
  let size;
  if (contentRange !== null) {
    const range = parseContentRange(contentRange);
    // A server may answer an open-ended range with less than the rest (the stream reads on).
    if (!range || range.first !== 0) {
      cancelBody(response);
      throw new RemoteError(ErrorCode.RangeRefused, `The media could not be read in place: the server answered a request for bytes 0- `
        + `(the whole file) with Content-Range "${contentRange}"; nothing of that answer was used.`, status);
    }
    size = range.total;
  } else {
    // S3 behind Ground Truth's usual CORS rule exposes no Content-Range; Content-Length is always readable.
    size = decimal(response.headers.get('content-length'));
  }
  // The whole file from its first byte, of a size not said: it can only be streamed.
  if (!(size > 0)) return { kind: 'stream', response: watched(response, stallMs) };
  if (!Number.isSafeInteger(size)) {
    cancelBody(response);
    throw new RemoteError(ErrorCode.RangeRefused, `The media could not be read in place: the server says it has ${contentRange ?? response.headers.get('content-length')} bytes, more than can be addressed.`, status);
  }
  const answered = performance.now();
  const file = new RemoteFile(url, size, { fetchImpl: fetchFn, ...fileOptions });
  file.measure(answered - asked);
  file.lastModified = response.headers.get('last-modified');
  file.etag = response.headers.get('etag');
  file.contentRangeHidden = contentRange === null;
  file.requests = 1;
  file.successes = 1;
  const sent = contentRange !== null ? parseContentRange(contentRange).last + 1 : size;
  file.attachStream(streamReader(response.body), 0, Math.min(size, headBytes), sent);
  // An expired link pauses a want; here it ends the opening.
  const failed = new Promise((resolve) => { file.onerror = resolve; });
  try {
    await Promise.race([file.want([[0, Math.min(size, headBytes)]]), failed]);
  } catch (err) {
    file.close();
    throw err;
  }
  file.onerror = null;
  if (file.error) {
    file.close();
    // Nothing was read yet: a lost connection fails the opening.
    if (file.error.code === ErrorCode.ConnectionLost) throw new RemoteError(ErrorCode.FetchFailed, `Could not download the media: ${file.error.message.replace(/;.*$/, '')}.`);
    throw file.error;
  }
  file.measure(null, Math.min(size, headBytes), performance.now() - answered);
  const head = file.cache.read(0, Math.min(size, headBytes)) ?? EMPTY;
  return { kind: 'ranges', file, head: head.slice() };
}
