// SPDX-License-Identifier: MIT
// Types of `avseg/imports` (dist/imports.js): other tools' files read as avseg documents, to set
// as the element's `value` (pre-annotations). Bad times are refused naming each record, unless
// skipInvalid or pointDuration say otherwise (doc/exports.md).
import type { AvsegDocument } from './avseg.js';

export type ImportFormat = 'audacity' | 'textgrid' | 'eaf' | 'vtt';
export type ImportInput = string | ArrayBuffer | ArrayBufferView;

export interface ImportOptions {
  /** Samples per second of the positions written (default 48000). */
  rate?: number;
  category?: string;
  tag?: string;
  /** Leave out records with bad times instead of refusing the file. */
  skipInvalid?: boolean;
  /** Seconds given to a point (start === end), which a segment cannot be. */
  pointDuration?: number;
  onWarning?: (message: string) => void;
}

/** Why an import was refused; `problems` names each record that stopped it. */
export declare class ImportError extends Error {
  constructor(message: string, options?: { problems?: { where: string; why: string }[] });
  problems: { where: string; why: string }[];
}

export declare const IMPORT_FORMATS: ImportFormat[];
/** A file in `format` (text, bytes or a Blob) as an avseg document; EAF's XML is read with `parseXml` (default: DOMParser). */
export declare function importDocument(format: ImportFormat, input: ImportInput | Blob, options?: ImportOptions,
  reader?: { parseXml?: (text: string) => unknown }): Promise<AvsegDocument>;
export declare function fromAudacity(input: ImportInput, options?: ImportOptions): AvsegDocument;
export declare function fromTextGrid(input: ImportInput, options?: ImportOptions): AvsegDocument;
export declare function fromWebVtt(input: ImportInput, options?: ImportOptions): AvsegDocument;
export declare function fromEaf(input: ImportInput, options?: ImportOptions, parseXml?: (text: string) => unknown): AvsegDocument;
/** "category: tag" (how avseg names tiers) as {category, tag}, or the whole name as a tag of `category`. */
export declare function splitName(name: string, category: string): { category: string; tag: string };
