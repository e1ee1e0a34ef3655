// SPDX-License-Identifier: MIT
// Validation of the server's answers: what is not exactly what was asked for is refused, with why.
import { rangeAnswerProblem } from './byte-range.js';
import { EXPIRY_STATUSES, RemoteError } from './remote-common.js';
import { ErrorCode } from './error-codes.js';

/** RemoteFile's checks of answers (mixed into it by remote-reader.js). */
export class AnswerChecks {
  /**
   * A RemoteError when an answer's validators say the file on the server is no longer the one
   * read so far (replaced while an annotator works): its bytes must not be spliced with those.
   */
  changed(lastModified, etag) {
    let why = null;
    if (lastModified && this.lastModified && lastModified !== this.lastModified) why = `Last-Modified "${lastModified}", not "${this.lastModified}"`;
    else if (etag && this.etag && etag !== this.etag) why = `ETag ${etag}, not ${this.etag}`;
    return why && this.refused(`the file on the server changed while it was read (${why}); reload the media`, 0);
  }

  changedIn(headers) {
    return this.changed(headers.get('last-modified'), headers.get('etag'));
  }

  /** The RemoteError for an answer to a request for [start, end), or null when it is exactly that. */
  refusal(status, contentRange, received, start, end) {
    if (EXPIRY_STATUSES.has(status) && this.successes > 0) return this.expired(status);
    const hidden = status === 206 && contentRange === null && this.contentRangeHidden;
    const problem = rangeAnswerProblem({ status, contentRange, received, hidden }, start, end, this.size);
    if (!problem) return null;
    if (status >= 500 || status === 429 || status === 0) {
      return new RemoteError(ErrorCode.FetchFailed, `Reading the media in place broke off: ${problem}.`, status);
    }
    return this.refused(problem, status);
  }

  refused(problem, status) {
    return new RemoteError(ErrorCode.RangeRefused, `Reading the media in place stopped: ${problem}; nothing of that answer was used.`, status);
  }

  expired(status) {
    return new RemoteError(ErrorCode.LinkExpired, `The link to the media has expired (HTTP ${status}) after ${this.successes} reads; `
      + 'what is drawn and annotated stays, and reading resumes once the page is given a fresh link to the same file.', status);
  }
}

/** The first [start, end) of `ranges` (sorted) not covered by `parts` ({first, bytes}), or null. */
export function uncoveredBy(ranges, parts) {
  const spans = parts.map((p) => [p.first, p.first + p.bytes.length]).sort((a, b) => a[0] - b[0]);
  let i = 0;
  let reach = -Infinity;   // the end of the spans starting at or before the position looked at
  for (const [s, e] of ranges) {
    let pos = s;
    for (;;) {
      while (i < spans.length && spans[i][0] <= pos) reach = Math.max(reach, spans[i++][1]);
      if (reach <= pos) return [pos, e];
      if (reach >= e) break;
      pos = reach;
    }
  }
  return null;
}
