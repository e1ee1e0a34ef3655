// SPDX-License-Identifier: MIT
// Types of `avseg/exports` (dist/exports.js): annotation documents written in other tools'
// formats (doc/exports.md). Every writer takes the document as the element's `value` gives it
// and the label config it was made with.
import type { AvsegDocument } from './avseg.js';

export type AvsegConfig = Record<string, unknown>;
export type ExportFormat = 'jsonl' | 'vtt' | 'srt' | 'audacity' | 'textgrid' | 'eaf' | 'rttm' | 'csv';

/** One writer per format, with the file extension it is saved under. */
export declare const EXPORTS: Record<ExportFormat, {
  extension: string;
  write(doc: AvsegDocument, config: AvsegConfig, options?: Record<string, unknown>): string;
}>;

/** The categories as [{name, tags}], whichever form the config uses, plus those of the document's tracks. */
export declare function categoriesOf(config: AvsegConfig | null | undefined, doc: AvsegDocument | null | undefined): { name: string; tags: string[] }[];
export declare function segmentText(segment: AvsegDocument['segments'][number], config: AvsegConfig): string;
export declare function segmentLabel(segment: AvsegDocument['segments'][number], config: AvsegConfig, tag?: string): string;
/** hh:mm:ss.mmm (WebVTT) or hh:mm:ss,mmm (SRT, `comma`), rounded to the millisecond. */
export declare function clock(seconds: number, comma?: boolean): string;
/** JSON Lines for training: one record per segment, then one per item with the whole-file answers. */
export declare function toJsonl(doc: AvsegDocument, options?: { media?: string; item?: string }): string;
export declare function toWebVtt(doc: AvsegDocument, config: AvsegConfig): string;
export declare function toSrt(doc: AvsegDocument, config: AvsegConfig): string;
/** Audacity labels; options.track: one track's labels only. */
export declare function toAudacity(doc: AvsegDocument, config: AvsegConfig, options?: { track?: string }): string;
/** Praat TextGrid (long form); throws when the document has neither segments nor a length. */
export declare function toTextGrid(doc: AvsegDocument, config: AvsegConfig): string;
/** ELAN EAF 3.0. */
export declare function toEaf(doc: AvsegDocument, config: AvsegConfig, options?: { media?: string; mediaUrl?: string; mimeType?: string }): string;
/** NIST RTTM: a SPEAKER line per segment of the speaker tracks. */
export declare function toRttm(doc: AvsegDocument, options?: { fileId?: string; category?: string }): string;
/** CSV (RFC 4180): a row per segment, a column per segment field. */
export declare function toCsv(doc: AvsegDocument, config: AvsegConfig, options?: { media?: string }): string;
/** One CSV table of several documents, with the union of their fields. */
export declare function csvTable(entries: { doc: AvsegDocument; config: AvsegConfig; media?: string; item?: string; worker?: string }[]): string;
export declare function mimeTypeOf(url: string): string;
