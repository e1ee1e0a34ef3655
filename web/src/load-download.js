// SPDX-License-Identifier: MIT
// A load streamed whole (the server answers no Range requests): the file kept while small, decoded as it arrives.
import { isMp4 } from './load-in-place.js';
import { ErrorCode } from './error-codes.js';

const CHUNK_FOLD_BYTES = 8 << 20;     // fold downloaded chunks into the Blob every 8 MiB
const MAX_AHEAD_BYTES = 4 << 20;      // stop reading the network while this much awaits decoding
export const MAX_KEPT_BYTES = 256 << 20;   // without Range support, a larger file is not kept
// Streamed, a file whose demuxer cannot open before this much arrived (an MP4 with its index at
// the end) would sit whole in the wasm heap: the load stops with the reason instead.
export const MAX_UNOPENED_BYTES = MAX_KEPT_BYTES;
export const MIB = (bytes) => `${Math.round(bytes / (1 << 20))} MiB`;

/** MediaLoad's streamed download (mixed into it by media-load.js). */
export class StreamedLoad {
  async download(response) {
    this.totalBytes = Number(response.headers.get('content-length')) || 0;
    if (this.totalBytes > MAX_KEPT_BYTES) this.stopKeeping();
    if (!(await this.startSession())) return;
    const reader = response.body.getReader();
    for (;;) {
      // Not opened yet, the demuxer waits for more bytes whatever is buffered (an index at the end).
      while (!this.videoOnly && this.session.opened() && this.session.bytesAhead() > MAX_AHEAD_BYTES && !this.aborted) {
        if (!(await this.decodeSlice())) return;
      }
      let chunk;
      try {
        chunk = await reader.read();
      } catch (err) {
        this.fail(ErrorCode.FetchFailed, `The download broke off after ${this.loadedBytes} bytes: ${err.message}`);
        return;
      }
      if (this.aborted) { reader.cancel().catch(() => {}); return; }
      if (chunk.done) break;
      this.keep(chunk.value);
      if (!this.videoOnly && !this.session.opened() && this.loadedBytes > MAX_UNOPENED_BYTES) {
        reader.cancel().catch(() => {});
        this.fail(ErrorCode.RangeRequired, this.unopenable());
        return;
      }
      if (this.videoOnly) {
        // Without sound, the download is only for the frame index: pointless once not kept.
        if (!this.keeping) { reader.cancel().catch(() => {}); break; }
        this.maybeProgress();
        continue;
      }
      this.session.push(chunk.value);
      if (!(await this.decodeSlice())) return;
    }
    this.foldChunks();
    if (this.keeping) {
      const blob = this.blob;
      if (typeof FileReaderSync === 'function') {
        this.readFn = (position, length) => new Uint8Array(new FileReaderSync().readAsArrayBuffer(blob.slice(position, position + length)));
      } else {
        // On the page's thread (page-thread-core.js) a Blob cannot be read synchronously: the kept file is read once.
        const bytes = new Uint8Array(await blob.arrayBuffer());
        if (this.aborted) return;
        this.readFn = (position, length) => bytes.subarray(position, position + length);
      }
    }
    if (!this.videoOnly) {
      this.session.finish();
      // The complete file, for sample-level views and for continuing past an oversized packet.
      if (this.readFn) this.seekable = this.session.attachSeekable(this.readFn, this.blob.size).state >= 0;
      while (!this.done && !this.videoOnly) {
        if (!(await this.decodeSlice())) return;
      }
    }
    this.finishLoad();
  }

  /** Why a streamed file that could not be opened within MAX_UNOPENED_BYTES stopped, as sentences. */
  unopenable() {
    const head = this.head ?? new Uint8Array(0);
    const fix = 'Serve it from a server that answers Range requests (S3, CloudFront and common static servers do)';
    if (isMp4(head)) {
      return `This MP4 has its index (the moov box) at the end and the server does not answer Range requests, so nothing `
        + `can be decoded before the whole file has arrived, and it is larger than ${MIB(MAX_UNOPENED_BYTES)}, too large to hold. `
        + `${fix}, or move the index to the front: ffmpeg -i in.mp4 -c copy -movflags +faststart out.mp4`;
    }
    return `The first ${MIB(MAX_UNOPENED_BYTES)} of the file could not be opened (the server does not answer Range requests, `
      + `so the file cannot be read at its end before all of it has arrived). ${fix}.`;
  }

  stopKeeping() {
    this.keeping = false;
    this.blob = null;
    this.pending = [];
    this.pendingBytes = 0;
    this.seekableProblem = `The server does not answer Range requests and the file is larger than ${MIB(MAX_KEPT_BYTES)}, `
      + 'so it was not kept: views finer than the overview are drawn from its peaks, and the spectrogram is not available.';
  }

  keep(bytes) {
    if (!this.head) this.head = bytes.slice(0, 16);
    this.loadedBytes += bytes.length;
    if (!this.keeping) return;
    if (this.loadedBytes > MAX_KEPT_BYTES) {
      this.stopKeeping();
      return;
    }
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= CHUNK_FOLD_BYTES) this.foldChunks();
  }

  foldChunks() {
    // A Blob built from Blobs references them, so memory stays in the browser's blob store.
    if (this.keeping && this.pending.length) this.blob = new Blob([this.blob, ...this.pending]);
    this.pending = [];
    this.pendingBytes = 0;
  }
}
