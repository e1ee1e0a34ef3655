// SPDX-License-Identifier: MIT
// The importers for Node (scripts/import, tests): the shared ones (web/src/imports.js), WebVTT
// with the npm package of the W3C's parser, and ELAN EAF with fast-xml-parser.
import { XMLParser } from 'fast-xml-parser';
import webvtt from 'webvtt-parser';
import { ImportError, documentOf, fromAudacity, fromTextGrid, fromWebVtt as fromWebVttWith, splitName } from '../../web/src/imports.js';

export { ImportError, fromAudacity, fromTextGrid };

export const fromWebVtt = (text, opts) => fromWebVttWith(text, opts, webvtt.WebVTTParser);

export function fromEaf(text, { rate = 48000, category = 'tier' } = {}) {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['TIME_SLOT', 'TIER', 'ANNOTATION'].includes(name) });
  let root;
  try {
    root = parser.parse(text).ANNOTATION_DOCUMENT;
  } catch (err) {
    throw new ImportError(`not an EAF file: ${err.message}`);
  }
  if (!root) throw new ImportError('not an EAF file: no ANNOTATION_DOCUMENT');
  const slots = new Map((root.TIME_ORDER?.TIME_SLOT ?? []).map((s) => [s.TIME_SLOT_ID, Number(s.TIME_VALUE)]));
  const tracks = [];
  const segments = [];
  for (const tier of root.TIER ?? []) {
    const track = tracks.push(splitName(String(tier.TIER_ID), tier.LINGUISTIC_TYPE_REF ?? category)) - 1;
    for (const a of tier.ANNOTATION ?? []) {
      const al = a.ALIGNABLE_ANNOTATION;
      if (!al) continue; // reference annotations hang on others: no times of their own
      const start = slots.get(al.TIME_SLOT_REF1);
      const end = slots.get(al.TIME_SLOT_REF2);
      if (!Number.isFinite(start) || !Number.isFinite(end)) throw new ImportError(`annotation ${al.ANNOTATION_ID}: a time slot without a time`);
      const value = al.ANNOTATION_VALUE;
      segments.push({ track, start: start / 1000, end: end / 1000, text: value === undefined || value === '' ? '' : String(value) });
    }
  }
  return documentOf(tracks, segments, rate);
}

export const IMPORTS = { audacity: fromAudacity, textgrid: fromTextGrid, eaf: fromEaf, vtt: fromWebVtt };
