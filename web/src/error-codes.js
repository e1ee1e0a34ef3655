// SPDX-License-Identifier: MIT
// Owns the list of error codes: the `code` of the element's `error` events, of the Errors its
// methods throw and of the bindings' results. The core's codes are spelled in
// wasm/core/MediaError.h (kErrorCodes) under the same names; tests/web/error-codes.test.mjs
// checks this list against it, web/avseg.d.ts's AvsegErrorCode and doc/element-api.md.

export const ErrorCode = Object.freeze({
  // The core's (MediaError.h), in its order.
  None: 'none',
  FetchFailed: 'fetch-failed',
  CorsBlocked: 'cors-blocked',
  UnsupportedFormat: 'unsupported-format',
  CorruptMedia: 'corrupt-media',
  TruncatedMedia: 'truncated-media',
  EmptyMedia: 'empty-media',
  NoAudio: 'no-audio',
  NoVideo: 'no-video',
  Internal: 'internal',
  InvalidConfig: 'invalid-config',
  InvalidDocument: 'invalid-document',
  InvalidValue: 'invalid-value',
  Refused: 'refused',
  InvalidPeaks: 'invalid-peaks',
  InvalidAnalysis: 'invalid-analysis',
  // The worker's: reading the media.
  LinkExpired: 'link-expired',
  ConnectionLost: 'connection-lost',
  RangeRefused: 'range-refused',
  RangeRequired: 'range-required',
  SamplesUnavailable: 'samples-unavailable',
  FramesUnavailable: 'frames-unavailable',
  // The element's.
  PlaybackFailed: 'playback-failed',
  MotionScanFailed: 'motion-scan-failed',
  NotReady: 'not-ready',
  NoMedia: 'no-media',
  LoadFailed: 'load-failed',
  Superseded: 'superseded',
  AutosaveFailed: 'autosave-failed',
  DraftInOtherTab: 'draft-in-other-tab',
  DraftUnreadable: 'draft-unreadable',
  InvalidDraftDays: 'invalid-draft-days',
  DraftsInMemory: 'drafts-in-memory',
  WasmRefused: 'wasm-refused',
  CoreOnPageThread: 'core-on-page-thread',
});

/** @typedef {typeof ErrorCode[keyof typeof ErrorCode]} ErrorCodeName one of the codes above */

/** Codes a host never sees: success, and the worker's own sign that a file has no video stream. */
export const UNREPORTED = Object.freeze([ErrorCode.None, ErrorCode.NoVideo]);

/**
 * An Error carrying `code`, as the element's methods throw them.
 * @param {ErrorCodeName} code
 * @param {string} message
 */
export function codedError(code, message) {
  return Object.assign(new Error(message), { code });
}
