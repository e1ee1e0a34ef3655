// SPDX-License-Identifier: MIT
// The annotation model's wasm module (dist/avseg-model.js, wasm/bindings/ModelBindings.cpp), as
// the element uses it on the page's main thread: one Annotations object per editor. Documents,
// configs and field values cross as JSON text; times as whole frames of the timebase (doubles).
// tests/wasm/types.test.mjs checks this file against the module itself.

import type { AvsegErrorCode } from './avseg.js';
import type { BindingResult, EmbindHandle, ModuleOptions } from './avseg-core.js';

export type { BindingResult, EmbindHandle, ModuleOptions };

/**
 * The answer of every edit and load: ok, or the code ('refused', 'invalid-config',
 * 'invalid-document', 'invalid-value') and message saying why; nothing changed then.
 */
export interface Result extends BindingResult {
  code: AvsegErrorCode | 'none';
  /** The same text as message, kept for callers written before it. */
  reason: string;
  /** The track or segment made or edited, if any. */
  id: string;
}

/** Tracks, segments and classifications, with undo, transactions and validation against a label config. */
export declare class Annotations implements EmbindHandle {
  constructor();
  /** A label config as JSON text (doc/label-config.md); 'invalid-config' if it is not one. */
  setConfig(json: string): Result;
  /** The config in force, as JSON text. */
  config(): string;
  /** Frames per second, and the media's length in frames (0 if not known yet). */
  setTimebase(rate: number, frames: number): void;
  /** What the saved document says about the media (JSON text of an object), and the task. */
  setMedia(mediaJson: string, taskId: string): void;
  /** Replaces everything by an annotation document's JSON text; 'invalid-document' and the model kept if it is not one. */
  load(json: string): Result;
  /** The versioned annotation document, as JSON text. */
  save(): string;
  /** One segment as the document writes it (JSON text), or '' if there is none. */
  segment(id: string): string;
  /** [{id, category, tag, allowOverlap, minLength}] as JSON text. */
  tracks(): string;
  /** The whole-file answers, as JSON text of an object. */
  classifications(): string;
  rate(): number;
  segmentCount(): number;
  /** The id of the next segment on the same track, or ''. */
  nextOnTrack(id: string): string;

  addTrack(category: string, tag: string): Result;
  renameTrack(id: string, tag: string): Result;
  removeTrack(id: string): Result;
  /** fieldsJson: '' or the JSON text of an object. */
  addSegment(track: string, start: number, end: number, fieldsJson: string): Result;
  setBounds(id: string, start: number, end: number): Result;
  /** track '' keeps it on its own. */
  moveSegment(id: string, start: number, track: string): Result;
  /** New bounds on another track, checked in that final place only. */
  placeSegment(id: string, track: string, start: number, end: number): Result;
  /** Result.id is the new right-hand part. */
  splitSegment(id: string, at: number): Result;
  mergeSegments(first: string, second: string): Result;
  removeSegment(id: string): Result;
  /** valueJson: JSON text ('null' removes the field); typing: keystrokes are one undo step until endTyping(). */
  setField(id: string, name: string, valueJson: string, typing: boolean): Result;
  setClassification(name: string, valueJson: string, typing: boolean): Result;
  endTyping(): void;

  /** Edits until the matching commit are one undo step; rollback takes them all back. They nest. */
  beginTransaction(): void;
  /** false if none was open. */
  commitTransaction(): boolean;
  rollbackTransaction(): boolean;
  transactionDepth(): number;
  /** A transaction that is always committed: the edits not refused stay, as one undo step. */
  beginGroup(): void;
  endGroup(): void;

  /** false inside a transaction or when there is nothing to undo. */
  undo(): boolean;
  redo(): boolean;
  canUndo(): boolean;
  canRedo(): boolean;
  /** Names the state: equal revisions mean equal content. */
  revision(): number;
  /** [{segment, track, field, message}] as JSON text: what blocks submitting. */
  validate(): string;

  /** [start, end, track index] of every segment overlapping frames [from, to), in time order. */
  spans(from: number, to: number): Float64Array;
  /** The id of the i-th span of the last spans() call ('' past the end). */
  spanId(i: number): string;
  /** [start, end, track index] of every segment, by time or by track. */
  listing(byTrack: boolean): Float64Array;
  listingId(byTrack: boolean, i: number): string;

  delete(): void;
  isDeleted(): boolean;
  clone(): this;
  isAliasOf(other: unknown): boolean;
  deleteLater(): this;
}

export interface AvsegModelModule {
  Annotations: typeof Annotations;
}

export default function createAvsegModel(options?: ModuleOptions): Promise<AvsegModelModule>;
