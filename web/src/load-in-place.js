// SPDX-License-Identifier: MIT
// A load read in place (the server answers Range requests): the read-ahead chosen, decoded in slices as bytes arrive.
import { NoReadAhead, PlannedAhead, SequentialAhead, planMp4, tailRead } from './read-ahead.js';
import { brokeOff, pauses } from './load-pause.js';
import { ErrorCode } from './error-codes.js';

/** An MP4/MOV file: its first box is "ftyp". */
export const isMp4 = (bytes) => bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === 'ftyp';

/** MediaLoad's reading in place (mixed into it by media-load.js). */
export class InPlaceLoad {
  /**
   * Decodes from the server through Range requests; the cache keeps a window of the file (and
   * an MP4's index, pinned), never the whole.
   */
  async readInPlace(file, head) {
    this.file = file;
    this.totalBytes = file.size;
    file.onerror = (err) => { if (pauses(err)) this.expired(err); };
    file.onresume = () => this.resumed();
    if (!file.has(0, head.length)) file.seed(0, head);
    if (!(await this.startSession())) return;
    try {
      this.ahead = await this.readAhead(file, head);
    } catch (err) {
      this.fail(ErrorCode.FetchFailed, brokeOff(err));
      return;
    }
    if (this.aborted) return;
    this.readFn = (position, length) => {
      const bytes = file.read(position, length);
      this.reading?.noteRead(position, bytes.length);
      return bytes;
    };
    const status = this.session.openSeekable(this.readFn, file.size);
    if (status.state < 0) {
      this.fail(status.code, status.message);
      return;
    }
    this.seekable = true;
    // A planned MP4's index boxes are pinned and its sound is skipped: its frames are indexed
    // beside the decode (in its waits on the network) rather than after it; said at `ready`.
    if (this.plan?.media) {
      this.indexing = this.indexVideo({ hold: true });
      this.indexing.catch(() => {});
    }
    while (!this.done && !this.videoOnly) {
      try {
        await this.wait(() => this.ahead.before());
      } catch (err) {
        if (!this.aborted) this.fail(ErrorCode.FetchFailed, brokeOff(err));
        return;
      }
      // Expired or lost under a view's read between slices: no slice starts on a dead link.
      if (pauses(file.error)) {
        this.expired(file.error);
        await this.paused;
        continue;
      }
      const decoded = await this.decodeSlice(this.ahead);
      if (!decoded) return;
      // A synchronous read refused as expired or lost: the slice stopped; on from there once reads work.
      if (pauses(file.error)) {
        this.expired(file.error);
        await this.paused;
      }
      if (decoded === 'expired' && !(await this.decodeAgain(file, head))) return;
    }
    this.finishLoad();
  }

  /** A new session decoding from the start (what was drawn stays drawn until it is redrawn). */
  async decodeAgain(file, head) {
    if (this.aborted) return false;
    this.session.delete();
    this.session = null;
    if (!(await this.startSession())) return false;
    this.ahead = await this.readAhead(file, head);
    const status = this.session.openSeekable(this.readFn, file.size);
    if (status.state < 0) this.fail(status.code, status.message);
    return status.state >= 0;
  }

  /** How this file is read ahead of the demuxer: whole, by its MP4 read plan, or sequentially. */
  async readAhead(file, head) {
    if (file.size < this.rangeThreshold) {
      file.prefetch(0, file.size);
      // An MP4's demuxer jumps about: everything is there first (one request).
      if (isMp4(head)) await this.wait(() => file.ready(0, file.size));
      this.indexAhead = new NoReadAhead();
      return new SequentialAhead(file, { tail: tailRead(head), keep: true });
    }
    if (isMp4(head)) {
      const plan = await planMp4(await this.core(), file, head, (fetching) => this.wait(fetching));
      this.plan = plan;
      // The opening request would read on through the pictures: its job (the head) is done.
      file.cancelStream();
      this.indexAhead = new NoReadAhead();
      // Without a plan, the demuxer's reads are answered as they come (synchronously): reading
      // the file start to end would fetch its pictures too.
      return plan.problem ? new NoReadAhead() : new PlannedAhead(file, plan.media);
    }
    this.indexAhead = new SequentialAhead(file);
    return new SequentialAhead(file, { tail: tailRead(head) });
  }
}
