// SPDX-License-Identifier: MIT
// A load's pauses: an expired link until the host hands a fresh URL, a lost connection until it answers.
import { ERROR, SOURCE_REFRESHED, SOURCE_RESUMED } from './protocol.js';
import { ErrorCode } from './error-codes.js';
import { PAUSING } from './remote-common.js';

// Reader errors that pause the load (nothing is thrown away) until the reads work again: a fresh
// URL for an expired link, the server answering again after a lost connection (the reader's list).
export const pauses = (error) => PAUSING.has(error?.code);

/** Why reading in place stopped, as a sentence. */
export function brokeOff(error) {
  const message = error?.message ?? String(error);
  return message.startsWith('Reading the media in place') ? message : `Reading the media in place broke off: ${message}`;
}

/** MediaLoad's pauses (mixed into it by media-load.js). */
export class LoadPauses {
  /**
   * Runs a fetch of the RemoteFile. An expired link holds its requests until a fresh URL came
   * (or rejects them, with another reader): either way the load waits here.
   */
  async wait(fetching) {
    for (;;) {
      try {
        return await fetching();
      } catch (err) {
        if (!pauses(err) || this.aborted) throw err;
        this.expired(err);
        await this.paused;
        if (this.aborted) throw err;
      }
    }
  }

  /**
   * The link expired or the connection was lost: said once per cause, and the load pauses until
   * refresh() or, for a lost connection, until the reader's onresume.
   */
  expired(error) {
    if (this.paused && this.pausedBy === error.code) return;
    this.pausedBy = error.code;
    this.paused ??= new Promise((resolve) => { this.resume = resolve; });
    this.post({ type: ERROR, code: error.code, message: error.message, fatal: false });
  }

  /** The reader answers again after a lost connection: the element clears its message. */
  resumed() {
    if (!this.paused) return;
    this.post({ type: SOURCE_RESUMED });
    this.unpause();
  }

  unpause() {
    const resume = this.resume;
    this.paused = null;
    this.pausedBy = null;
    this.resume = null;
    resume?.();
  }

  /** A fresh URL for the same media: checked against what was read, then the load goes on. */
  async refresh(url) {
    if (this.file) {
      try {
        await this.file.setUrl(url);
      } catch (err) {
        this.post({ type: SOURCE_REFRESHED, ok: false, code: err?.code ?? ErrorCode.FetchFailed, message: err?.message ?? String(err) });
        return;
      }
    }
    this.url = url;
    this.post({ type: SOURCE_REFRESHED, ok: true });
    this.unpause();
  }
}
