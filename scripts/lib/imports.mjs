// SPDX-License-Identifier: MIT
// The importers for Node (scripts/import, tests): the page's own (web/src/imports.js), with
// ELAN EAF's XML read by fast-xml-parser into the same element tree the page's DOMParser gives.
// fast-xml-parser keeps text as written when told to (no number parsing, no trimming); XML's
// own rules it leaves to its reader are applied here as a conforming parser (the browser's)
// applies them: line ends as LF, character and predefined entity references decoded, an
// attribute's literal tabs and newlines as spaces, and an unknown entity refused.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  IMPORT_FORMATS, ImportError, fromAudacity, fromEaf as fromEafWith, fromTextGrid, fromWebVtt, importDocument,
} from '../../web/src/imports.js';

export { IMPORT_FORMATS, ImportError, fromAudacity, fromTextGrid, fromWebVtt };

const PREDEFINED = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

function references(text) {
  return text.replace(/&([^;&<]*);?/g, (all, body) => {
    if (!all.endsWith(';')) throw new ImportError(`not an EAF file: not well-formed XML: "&" must begin a reference such as &amp; (near ${JSON.stringify(all.slice(0, 20))})`);
    if (PREDEFINED[body]) return PREDEFINED[body];
    const m = /^#(?:(\d+)|x([0-9a-fA-F]+))$/.exec(body);
    const code = m ? (m[1] ? Number(m[1]) : parseInt(m[2], 16)) : NaN;
    const valid = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!m) throw new ImportError(`not an EAF file: not well-formed XML: the entity &${body.slice(0, 20)}; is not defined`);
    if (!valid) throw new ImportError(`not an EAF file: not well-formed XML: &${body.slice(0, 20)}; is not a character XML allows`);
    return String.fromCodePoint(code);
  });
}

const parser = new XMLParser({
  preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, parseAttributeValue: false,
  trimValues: false, processEntities: false, cdataPropName: '#cdata', ignoreDeclaration: true, ignorePiTags: true,
});

/** XML text as the element tree of web/src/import-eaf.js. */
export function parseXml(text) {
  const xml = text.replace(/\r\n?/g, '\n');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ImportError(`not an EAF file: not well-formed XML: line ${valid.err.line}: ${valid.err.msg}`);
  let items;
  try {
    items = parser.parse(xml);
  } catch (err) {
    throw new ImportError(`not an EAF file: not well-formed XML: ${err.message}`);
  }
  const convert = (item, depth) => {
    if (depth > 64) throw new ImportError('not an EAF file: its elements nest deeper than EAF\'s');
    const name = Object.keys(item).find((k) => k !== ':@');
    if (name === undefined || !Array.isArray(item[name])) throw new ImportError('not an EAF file: an element this reader cannot follow');
    const attrs = {};
    for (const [k, v] of Object.entries(item[':@'] ?? {})) attrs[k] = references(String(v).replace(/[\t\n]/g, ' '));
    const children = [];
    for (const child of item[name]) {
      if ('#text' in child) children.push(references(String(child['#text'])));
      else if ('#cdata' in child) children.push(child['#cdata'].map((c) => String(c['#text'] ?? '')).join(''));
      else if (!Object.keys(child).some((k) => k.startsWith('?') || k.startsWith('!'))) children.push(convert(child, depth + 1));
    }
    return { name, attrs, children };
  };
  const roots = items.filter((item) => !('#text' in item) && !Object.keys(item).some((k) => k.startsWith('?') || k.startsWith('!')));
  if (roots.length !== 1) throw new ImportError(`not an EAF file: ${roots.length ? 'more than one' : 'no'} root element`);
  return convert(roots[0], 0);
}

export const fromEaf = (input, options) => fromEafWith(input, options, parseXml);

export const IMPORTS = { audacity: fromAudacity, textgrid: fromTextGrid, eaf: fromEaf, vtt: fromWebVtt };

/** importDocument of web/src/imports.js, with Node's XML reader. */
export const importFile = (format, input, options) => importDocument(format, input, options, { parseXml });
