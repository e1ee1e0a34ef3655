// SPDX-License-Identifier: MIT
// Presigned links (Ground Truth's grant_read_access, the local run's s3:// media) expire while an
// annotator works for hours. This says so once, in words for the annotator; notices when the
// <video>'s own link has expired (its later range reads are refused); and moves the <video> to a
// fresh link of the same media where it was, playing or not. The worker checks that a fresh link
// is the same file (RemoteFile.setUrl) before anything here changes.

// What S3 and signed-URL CDNs answer once a link's time is up (or its signature no longer holds).
const EXPIRED_STATUS = new Set([400, 401, 403, 410]);

/**
 * What the annotator reads. `reason` is the reader's own message ("... (HTTP 403) after 40
 * reads ..."): its status and read count are kept, the rest is said plainly.
 */
export function expiredMessage(reason, { drafts }) {
  const status = /HTTP (\d{3})/.exec(reason ?? '')?.[1];
  const reads = /after (\d+) (?:range )?(?:reads|requests)/.exec(reason ?? '')?.[1];
  const playing = /for playback/.test(reason ?? '');
  const why = status ? ` (the media server answered HTTP ${status}${reads ? ` after ${reads} reads` : ''}${playing ? ' for playback' : ''})` : '';
  const kept = drafts
    ? 'Everything drawn and annotated is kept, and saved as a draft in this browser. Reload or reopen the task to get a fresh link: your work comes back with it.'
    : 'Everything drawn and annotated is kept on this page; autosave is off, so do not reload it before your work is saved elsewhere.';
  return `The link to the media has expired${why}. ${kept}`;
}

/** Asks the URL for its first byte: the status when it is one of an expired link's, else 0. */
export async function expiredStatus(url, fetchImpl = globalThis.fetch) {
  try {
    const response = await fetchImpl(url, { headers: { Range: 'bytes=0-0' }, credentials: 'omit', cache: 'no-store' });
    response.body?.cancel().catch(() => {});
    return EXPIRED_STATUS.has(response.status) ? response.status : 0;
  } catch {
    return 0; // unreachable or refused by CORS: not a link that expired
  }
}

export class SourceLinks {
  #media;
  #report;
  #message;
  #expired = null;      // the message shown, while the link is expired
  #hadMedia = false;    // the <video> read its link at least once
  #playing = false;     // playing, or was when its link failed
  #probing = null;
  #again = false;       // failed again while a probe was out: ask once more when it is back

  /**
   * @param {HTMLMediaElement} media the element's <video>
   * @param {{report: (message: string) => void, message: (reason: string) => string}} o
   *   report: the link expired, said once until a fresh one is given; message: the words for it
   */
  constructor(media, { report, message }) {
    this.#media = media;
    this.#report = report;
    this.#message = message;
    media.addEventListener('loadedmetadata', () => { this.#hadMedia = true; });
    // Chromium pauses the <video> when a read fails: that pause is not the annotator's.
    media.addEventListener('play', () => { this.#playing = true; });
    media.addEventListener('pause', () => { if (!media.error) this.#playing = false; });
    media.addEventListener('ended', () => { this.#playing = false; });
    // Chromium may stall rather than fail when a later range read is refused.
    media.addEventListener('stalled', () => { this.mediaFailed(); });
  }

  get expired() { return this.#expired !== null; }

  /** Another media: nothing expired yet. */
  reset() {
    this.#expired = null;
    this.#hadMedia = false;
    this.#playing = false;
  }

  /** The link expired (the worker's reads or the <video>'s): reported once until a fresh one is given. */
  expire(reason) {
    if (this.#expired !== null) return;
    this.#expired = this.#message(reason);
    this.#report(this.#expired);
  }

  /**
   * The <video> failed or stalled: resolves true when its link, read before, now answers as an
   * expired one (then reported as such), false for any other failure.
   */
  mediaFailed() {
    const url = this.#media.getAttribute('src');
    if (!this.#hadMedia || !url) return Promise.resolve(false);
    // Already expired: the player's failure is that expiry, even if a probe now would pass.
    if (this.#expired !== null) return Promise.resolve(true);
    // A probe that began before this failure (a stall) may have found the link still good.
    if (this.#probing) this.#again = true;
    else this.#probing = this.#probe(url);
    return this.#probing;
  }

  async #probe(url) {
    try {
      do {
        this.#again = false;
        const status = await expiredStatus(new URL(url, globalThis.document?.baseURI).href);
        if (this.#media.getAttribute('src') !== url) return false;
        if (status) {
          this.expire(`the player's read was refused: HTTP ${status} for playback`);
          return true;
        }
      } while (this.#again);
      return false;
    } finally {
      this.#probing = null;
    }
  }

  /**
   * A fresh link of the same media, already accepted by the worker: the <video> reads it from
   * where it was, playing if it played. Returns the expired message that was shown, or null.
   * @param {number} time the element's current time (the <video>'s may have been lost to the error)
   * @param {(time: number) => void} seekLater seeks once the new source's metadata is there
   */
  adopt(url, time, seekLater) {
    const media = this.#media;
    const playing = this.#playing;
    const rate = media.playbackRate;
    const shown = this.#expired;
    this.#expired = null;
    this.#hadMedia = false;
    seekLater(time);
    media.src = url;
    // Loading a source resets the rate to the default one.
    media.addEventListener('loadedmetadata', () => {
      media.playbackRate = rate;
      if (playing) media.play().catch(() => {});
    }, { once: true });
    return shown;
  }
}
