// SPDX-License-Identifier: MIT
// A load's video frame index: every frame's time from the container, indexed in slices between messages.
import { NoReadAhead } from './read-ahead.js';
import { MAX_KEPT_BYTES, MIB } from './load-download.js';
import { SLICE_MS, yieldToMessages } from './load-decode.js';
import { brokeOff, pauses } from './load-pause.js';
import { ERROR, FRAMES } from './protocol.js';
import { ErrorCode } from './error-codes.js';

/**
 * readFn for the frame indexer of a planned MP4: its audio runs read as zeros. The indexer needs no
 * sample bytes, but the demuxer's short forward seeks read through the sound between two pictures,
 * which the decoder has left behind (evicted): a synchronous request for each.
 */
function skippingSound(readFn, media) {
  return (position, length) => {
    let lo = 0;
    let hi = media.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (media[2 * mid + 1] <= position) lo = mid + 1; else hi = mid;
    }
    if (lo < media.length >> 1 && media[2 * lo] <= position) return new Uint8Array(Math.min(length, media[2 * lo + 1] - position));
    return readFn(position, length);
  };
}

/** MediaLoad's video frame index (mixed into it by media-load.js). */
export class VideoIndexing {
  /**
   * Every video frame's time from the container (demuxing only), in slices between messages.
   * hold: the frames message is kept for finishLoad (the index runs beside the decode).
   */
  async indexVideo({ hold = false } = {}) {
    if (!this.readFn) {
      if (this.videoOnly || this.session?.info().hasVideo) {
        this.post({ type: ERROR, code: ErrorCode.FramesUnavailable, fatal: false,
          message: `The video's frames could not be indexed: the server does not answer Range requests and the file is larger than ${MIB(MAX_KEPT_BYTES)}, so it was not kept. Playback works; stepping by frames does not.` });
      }
      return;
    }
    const M = await this.core();
    const index = new M.VideoIndex();
    const file = this.file;
    // An MP4's index is pinned in the cache; other containers are read start to end again.
    const ahead = this.indexAhead ?? new NoReadAhead();
    const broke = () => {
      if (!file?.error) return false;
      this.post({ type: ERROR, code: pauses(file.error) ? file.error.code : ErrorCode.FetchFailed, fatal: false,
        message: `The video's frames could not be indexed. ${brokeOff(file.error)}` });
      this.warned = file.error;
      return true;
    };
    try {
      this.reading = ahead;
      const facts = index.open(this.plan?.media ? skippingSound(this.readFn, this.plan.media) : this.readFn, file ? file.size : this.blob.size);
      this.reading = null;
      if (broke()) return;
      if (!facts.ok) {
        if (facts.code !== ErrorCode.NoVideo) this.post({ type: ERROR, code: facts.code, message: `The video's frames could not be indexed: ${facts.message}`, fatal: false });
        return;
      }
      let more = true;
      while (more && !this.aborted) {
        if (file) await this.wait(() => ahead.before());
        // Beside the decode, an expired link or a lost connection pauses it too.
        while (hold && pauses(file?.error) && this.paused && !this.aborted) await this.paused;
        const started = performance.now();
        this.reading = ahead;
        do more = index.step(64); while (more && performance.now() - started < SLICE_MS && ahead.canPump() && !file?.error);
        this.reading = null;
        if (broke()) return;
        if (more) await yieldToMessages();
      }
      if (this.aborted) return;
      const frames = index.frames();
      const keyFrames = index.keyFrames();
      this.analysis?.videoFrames(frames.length - 1);
      const { width, height, codec, timeBaseNum, timeBaseDen } = facts;
      const message = [{ type: FRAMES, video: { width, height, codec, timeBaseNum, timeBaseDen }, frames, keyFrames }, [frames.buffer, keyFrames.buffer]];
      if (hold) this.heldFrames = message; else this.post(...message);
    } finally {
      this.reading = null;
      index.delete();
    }
  }
}
