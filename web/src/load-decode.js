// SPDX-License-Identifier: MIT
// A load's decoding: slices of the core's pump between messages, and the progress said on the way.
import { brokeOff, pauses } from './load-pause.js';
import { ERROR, OPENED, PROGRESS } from './protocol.js';
import { ErrorCode } from './error-codes.js';

export const SLICE_MS = 12;           // decode this long, then let messages through
const INTERRUPTED = 3;                // Session.pump's state: a read failed, the decode goes on once reads work
const PROGRESS_MS = 100;
export const NO_AUDIO = { format: '', codec: '', sampleRate: 0, channels: 0, frames: 0, declaredDuration: -1, startTime: 0, bytesReceived: 0 };

export const yieldToMessages = () => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => resolve();
  channel.port2.postMessage(null);
});

/** MediaLoad's decoding (mixed into it by media-load.js). */
export class Decoding {
  /**
   * Decodes for one slice of time, stopping early where the read-ahead says the next bytes have
   * not arrived (the caller awaits them). Returns false when the load ended in an error.
   */
  async decodeSlice(ahead = null) {
    if (this.aborted) return false;
    const started = performance.now();
    let status;
    this.reading = ahead;
    try {
      do {
        status = this.session.pump(32);
      } while (status.state === 1 && performance.now() - started < SLICE_MS && (!ahead || ahead.canPump()) && !this.file?.error);
    } finally {
      this.reading = null;
    }
    if (status.state < 0 && status.code === ErrorCode.NoAudio && !this.videoOnly) {
      // A video without sound: no waveform, but its frames are indexed.
      this.videoOnly = true;
      this.session.delete();
      this.session = null;
      this.post({ type: ERROR, code: ErrorCode.NoAudio, message: 'This video has no audio track: there is no waveform to show.', fatal: false });
      return true;
    }
    // A refused range is the cause of whatever the demuxer then makes of the missing bytes.
    const refused = this.file?.error;
    // A synchronous read refused as expired or lost: the core stopped where it was (state 3,
    // interrupted) and goes on from there once reads work again.
    if (status.state === INTERRUPTED && pauses(refused)) return 'interrupted';
    if (status.state === INTERRUPTED && !refused) {
      this.fail(ErrorCode.FetchFailed, 'Reading the media in place broke off: a read of it came back empty.');
      return false;
    }
    // A core that took the missing bytes for the end (or for damage): decoded again once a fresh
    // link came.
    if (pauses(refused) && status.state !== 1) return 'expired';
    if (status.state < 0 || (refused && !pauses(refused))) {
      this.fail(refused ? ErrorCode.FetchFailed : status.code, refused ? brokeOff(refused) : status.message);
      return false;
    }
    if (status.state === 2) this.done = true;
    this.maybeProgress();
    await yieldToMessages();
    return !this.aborted;
  }

  maybeProgress(force = false) {
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_MS) return;
    this.lastProgress = now;
    const info = this.session ? this.session.info() : NO_AUDIO;
    this.analysis?.progress();
    if (!this.announced && this.session?.opened()) {
      this.announced = true;
      this.post({ type: OPENED, info, wasmVia: this.wasmVia ?? null });
    }
    const file = this.file;
    this.post({
      type: PROGRESS,
      loadedBytes: file ? file.bytesFetched : this.loadedBytes,
      requests: file ? file.requests : 0,
      syncRequests: file ? file.syncRequests : 0,
      multiRange: file ? file.multiRange : null,
      totalBytes: this.totalBytes || (this.done ? this.loadedBytes : 0),
      decodedSeconds: info.sampleRate ? info.frames / info.sampleRate : 0,
      frames: info.frames,
      declaredDuration: info.declaredDuration,
    });
  }
}
