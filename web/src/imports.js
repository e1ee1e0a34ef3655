// SPDX-License-Identifier: MIT
// Segments from other tools' files, as avseg documents (pre-annotations), shared by the element
// (importAs) and scripts/import: Audacity labels (here), Praat TextGrid, WebVTT and ELAN EAF
// (their own modules). Every importer takes the file as a string or as bytes, and the options
// of import-records.js: rate, category, tag, skipInvalid, pointDuration, onWarning(message).
import { ImportError, Records, documentOf, importOptions, parseSeconds, splitName, textOf } from './import-records.js';
import { fromTextGrid } from './import-textgrid.js';
import { fromWebVtt } from './import-webvtt.js';
import { fromEaf, fromEafTree, parseXmlWithDom } from './import-eaf.js';
import { ErrorCode, codedError } from './error-codes.js';

export { ImportError, documentOf, splitName, fromTextGrid, fromWebVtt, fromEaf, fromEafTree, parseXmlWithDom };

/**
 * Audacity's label track: `start<TAB>end<TAB>label` a line, seconds; a point label has
 * start = end; a spectral label adds a line `\<TAB>low<TAB>high`, skipped.
 */
export function fromAudacity(input, options) {
  const o = importOptions(options, { category: 'speaker' });
  const records = new Records(o);
  const track = records.track({ category: o.category, tag: o.tag }, 'the track');
  textOf(input).split(/\r\n|\n|\r/).forEach((line, n) => {
    if (!line.trim() || line.startsWith('\\')) return;
    const where = `line ${n + 1}`;
    const [a, b, ...label] = line.split('\t');
    if (b === undefined) {
      records.bad(where, `expected "start<TAB>end<TAB>label", got ${JSON.stringify(line.slice(0, 80))}`);
      return;
    }
    const start = parseSeconds(a, 'start');
    const end = parseSeconds(b, 'end');
    if (start.why || end.why) records.bad(where, `expected "start<TAB>end<TAB>label" in seconds: ${start.why ?? end.why}`);
    else records.record(track, start.value, end.value, label.join('\t'), where);
  });
  return records.document();
}

export const IMPORT_FORMATS = ['audacity', 'textgrid', 'eaf', 'vtt'];

/**
 * A file in `format` (text, bytes, or a Blob) as an avseg document. `parseXml` reads EAF's
 * XML (default: the browser's DOMParser).
 */
export async function importDocument(format, input, options = {}, { parseXml = parseXmlWithDom } = {}) {
  const data = typeof Blob !== 'undefined' && input instanceof Blob ? new Uint8Array(await input.arrayBuffer()) : input;
  if (format === 'audacity') return fromAudacity(data, options);
  if (format === 'textgrid') return fromTextGrid(data, options);
  if (format === 'eaf') return fromEaf(data, options, parseXml);
  if (format === 'vtt') return fromWebVtt(data, options);
  throw codedError(ErrorCode.InvalidValue, `unknown import format "${format}" (${IMPORT_FORMATS.join(', ')})`);
}
