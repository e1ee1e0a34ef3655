// SPDX-License-Identifier: MIT
// ELAN EAF (2.7 to 3.0) from a plain element tree ({name, attrs, children: [element | text]}),
// which the page builds with its DOMParser (here) and Node with fast-xml-parser
// (scripts/lib/imports.mjs), so both read a document the same way. Times are ELAN's own:
// an unaligned time slot (no TIME_VALUE) sits between the aligned slots around it on its tier,
// evenly spaced in whole milliseconds; a reference annotation spans its parent, and the
// annotations of a symbolic subdivision split their parent's span evenly, in the order their
// PREVIOUS_ANNOTATION links give. What cannot be placed is named, tier and annotation.
import { ImportError, Records, decode, importOptions, sniffEncoding, splitName } from './import-records.js';

const MAX_DEPTH = 64;

/** The text of an XML file given as a string or bytes: a byte order mark, UTF-16, or the declared encoding. */
export function xmlText(input) {
  let text;
  if (typeof input === 'string') {
    text = input.replace(/^\uFEFF/, '');
  } else if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    const { encoding, bom } = sniffEncoding(bytes);
    if (encoding) {
      text = decode(bytes.subarray(bom ? (encoding === 'utf-8' ? 3 : 2) : 0), encoding);
    } else {
      const declared = /^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(String.fromCharCode(...bytes.subarray(0, 200)))?.[1];
      text = decode(bytes, declared?.toLowerCase() ?? 'utf-8');
    }
  } else {
    throw new ImportError(`expected the file's text or bytes, got ${input === null ? 'null' : typeof input}`);
  }
  // A document type with entities is not EAF, and would let a file expand itself without bound.
  if (/<!ENTITY/i.test(text)) throw new ImportError('not an EAF file: it declares XML entities, which EAF never does');
  return text;
}

/** The page's path: the browser's own XML parser, as a plain element tree. */
export function parseXmlWithDom(text, DOMParserClass = globalThis.DOMParser) {
  const xml = new DOMParserClass().parseFromString(text, 'application/xml');
  const error = xml.getElementsByTagName('parsererror')[0];
  if (error || !xml.documentElement) throw new ImportError(`not an EAF file: not well-formed XML${error ? `: ${error.textContent.trim().split('\n')[0].slice(0, 200)}` : ''}`);
  const convert = (node, depth) => {
    if (depth > MAX_DEPTH) throw new ImportError('not an EAF file: its elements nest deeper than EAF\'s');
    const attrs = {};
    for (const a of node.attributes) attrs[a.name] = a.value;
    const children = [];
    for (const child of node.childNodes) {
      if (child.nodeType === 1) children.push(convert(child, depth + 1));
      else if (child.nodeType === 3 || child.nodeType === 4) children.push(child.data);
    }
    return { name: node.nodeName, attrs, children };
  };
  return convert(xml.documentElement, 0);
}

const elements = (node, name) => node.children.filter((c) => typeof c !== 'string' && c.name === name);
const first = (node, name) => node.children.find((c) => typeof c !== 'string' && c.name === name);
const textContent = (node) => node.children.map((c) => (typeof c === 'string' ? c : textContent(c))).join('');

/** TIME_VALUE as whole (or decimal) milliseconds, or why not. */
function slotValue(raw) {
  const text = raw.trim();
  if (/^-\d+(\.\d+)?$/.test(text)) return { why: `its TIME_VALUE ${text} is negative` };
  if (!/^\+?\d+(\.\d+)?$/.test(text)) return { why: `its TIME_VALUE ${JSON.stringify(raw.slice(0, 30))} is not a number of milliseconds` };
  const value = Number(text);
  return Number.isFinite(value) ? { value } : { why: `its TIME_VALUE ${text.slice(0, 30)} is out of range` };
}

/** ELAN EAF from a plain element tree as an avseg document: a track per tier. */
export function fromEafTree(root, options) {
  const o = importOptions(options);
  const records = new Records(o);
  if (!root || root.name !== 'ANNOTATION_DOCUMENT') throw new ImportError(`not an EAF file: no ANNOTATION_DOCUMENT${root ? ` (the document is a ${root.name})` : ''}`);
  const format = root.attrs.FORMAT ?? root.attrs.VERSION ?? '3.0';
  if (!['2.7', '2.8', '3.0'].includes(format)) records.warn(`EAF ${format}: read as EAF 3.0 (this reader knows 2.7 to 3.0)`);
  const units = first(root, 'HEADER')?.attrs.TIME_UNITS ?? 'milliseconds';
  if (units !== 'milliseconds') throw new ImportError(`EAF with TIME_UNITS="${units}": only milliseconds are read (ELAN writes milliseconds)`);

  // Time slots in TIME_ORDER's order: a value, a reason it has none, or unaligned (null).
  const slots = new Map();
  for (const s of elements(first(root, 'TIME_ORDER') ?? { children: [] }, 'TIME_SLOT')) {
    const id = s.attrs.TIME_SLOT_ID;
    if (id === undefined) throw new ImportError(`not an EAF file: time slot ${slots.size + 1} has no TIME_SLOT_ID`);
    if (slots.has(id)) throw new ImportError(`not an EAF file: the time slot id ${JSON.stringify(id)} is used twice`);
    const v = s.attrs.TIME_VALUE === undefined ? { value: null } : slotValue(s.attrs.TIME_VALUE);
    slots.set(id, { index: slots.size, ...v });
  }
  const constraints = new Map(elements(root, 'LINGUISTIC_TYPE').map((t) => [t.attrs.LINGUISTIC_TYPE_ID, t.attrs.CONSTRAINTS]));

  const tiers = elements(root, 'TIER').map((t, k) => {
    const id = t.attrs.TIER_ID ?? '';
    const type = t.attrs.LINGUISTIC_TYPE_REF ?? '';
    const tier = { id, parent: t.attrs.PARENT_REF, subdivision: constraints.get(type) === 'Symbolic_Subdivision', annotations: [] };
    tier.track = records.track(splitName(id, type || o.category), `tier ${k + 1}`);
    for (const a of elements(t, 'ANNOTATION')) {
      const al = first(a, 'ALIGNABLE_ANNOTATION');
      const ref = first(a, 'REF_ANNOTATION');
      const e = al ?? ref;
      if (!e) continue;
      const value = first(e, 'ANNOTATION_VALUE');
      tier.annotations.push({
        id: e.attrs.ANNOTATION_ID, tier, alignable: Boolean(al), slot1: e.attrs.TIME_SLOT_REF1, slot2: e.attrs.TIME_SLOT_REF2,
        ref: e.attrs.ANNOTATION_REF, previous: e.attrs.PREVIOUS_ANNOTATION, text: value ? textContent(value) : '',
      });
    }
    return tier;
  });
  const byId = new Map();
  for (const a of tiers.flatMap((t) => t.annotations)) {
    if (a.id === undefined) throw new ImportError(`not an EAF file: an annotation on tier ${JSON.stringify(a.tier.id)} has no ANNOTATION_ID`);
    if (byId.has(a.id)) throw new ImportError(`not an EAF file: the annotation id ${JSON.stringify(a.id)} is used twice`);
    byId.set(a.id, a);
  }

  const proposed = proposeTimes(tiers, slots);
  const slotTime = (id) => {
    const s = slots.get(id);
    if (!s) return { why: `it refers to the time slot ${JSON.stringify(id)}, which TIME_ORDER does not have` };
    if (s.why) return { why: `time slot ${id}: ${s.why}` };
    if (s.value !== null) return { value: s.value };
    const p = proposed.get(id);
    return typeof p === 'number' ? { value: p } : { why: `time slot ${id} has no TIME_VALUE and ${p}` };
  };

  // The next annotation of each in a symbolic subdivision (ELAN keeps the last link made).
  const next = new Map();
  for (const a of byId.values()) if (!a.alignable && a.previous !== undefined) next.set(a.previous, a);
  const spans = new Map();
  const span = (a, depth = 0) => {
    if (spans.has(a)) return spans.get(a) ?? { why: 'its ANNOTATION_REF links go round in a circle' };
    if (depth > 500) return { why: 'its parents nest too deeply' };
    spans.set(a, null);
    const s = a.alignable ? alignedSpan(a) : refSpan(a, depth);
    spans.set(a, s);
    return s;
  };
  const alignedSpan = (a) => {
    const start = slotTime(a.slot1);
    const end = slotTime(a.slot2);
    return start.why || end.why ? { why: start.why ?? end.why } : { start: start.value, end: end.value };
  };
  const parentSpan = (a, depth) => {
    const parent = byId.get(a.ref);
    if (!parent) return { why: `it refers to the annotation ${JSON.stringify(a.ref ?? '')}, which the document does not have` };
    const s = span(parent, depth + 1);
    return s.why ? { why: `its parent ${parent.id}: ${s.why}` } : s;
  };
  const refSpan = (a, depth) => {
    if (!a.tier.subdivision) return parentSpan(a, depth);
    let firstOf = a;
    let left = 0;
    const seen = new Set([a]);
    while (firstOf.previous !== undefined) {
      const p = byId.get(firstOf.previous);
      if (!p) return { why: `its PREVIOUS_ANNOTATION ${JSON.stringify(firstOf.previous)} is not in the document` };
      if (seen.has(p)) return { why: 'its PREVIOUS_ANNOTATION links go round in a circle' };
      seen.add(p);
      firstOf = p;
      left++;
    }
    let lastOf = a;
    let right = 0;
    while (next.has(lastOf.id) && !seen.has(next.get(lastOf.id))) {
      lastOf = next.get(lastOf.id);
      seen.add(lastOf);
      right++;
    }
    const from = parentSpan(firstOf, depth);
    const to = parentSpan(lastOf, depth);
    if (from.why || to.why) return { why: from.why ?? to.why };
    const each = (to.end - from.start) / (left + right + 1);
    return { start: from.start + Math.trunc(left * each), end: from.start + Math.trunc((left + 1) * each) };
  };

  for (const tier of tiers) {
    for (const a of tier.annotations) {
      const where = `tier ${JSON.stringify(tier.id)}, annotation ${a.id}`;
      const s = span(a);
      if (s.why) records.bad(where, `cannot be placed: ${s.why}`);
      else records.record(tier.track, s.start / 1000, s.end / 1000, a.text, where);
    }
  }
  return records.document();
}

/**
 * ELAN's times for unaligned slots: on each dependent tier, parents first, a run of slots
 * without a time between two with one gets times evenly spaced between them (whole ms, as
 * ELAN computes them). Returns slot id → ms, or → why it cannot be placed.
 */
function proposeTimes(tiers, slots) {
  const proposed = new Map();
  const byName = new Map(tiers.map((t) => [t.id, t]));
  const depth = (t) => {
    let d = 0;
    for (let p = byName.get(t.parent); p && d <= tiers.length; p = byName.get(p.parent)) d++;
    return d;
  };
  const ordered = tiers.map((t, i) => ({ t, d: depth(t), i })).sort((a, b) => a.d - b.d || a.i - b.i).map((x) => x.t);
  const known = (id) => {
    const s = slots.get(id);
    return s.value ?? (typeof proposed.get(id) === 'number' ? proposed.get(id) : null);
  };
  const open = (id) => {
    const s = slots.get(id);
    return s.value === null && !s.why && typeof proposed.get(id) !== 'number';
  };
  for (const tier of ordered) {
    const ids = [...new Set(tier.annotations.filter((a) => a.alignable).flatMap((a) => [a.slot1, a.slot2]))]
      .filter((id) => slots.has(id)).sort((a, b) => slots.get(a).index - slots.get(b).index);
    for (let i = 0; i < ids.length; i++) {
      if (!open(ids[i])) continue;
      let j = i;
      while (j < ids.length && open(ids[j])) j++;
      const before = i > 0 ? known(ids[i - 1]) : null;
      const after = j < ids.length ? known(ids[j]) : null;
      if (tier.parent === undefined || !byName.has(tier.parent)) {
        for (let k = i; k < j; k++) proposed.set(ids[k], `tier ${JSON.stringify(tier.id)} has no parent tier to place it in`);
      } else if (before === null || after === null) {
        for (let k = i; k < j; k++) if (!proposed.has(ids[k])) proposed.set(ids[k], `no time slot with a usable time ${before === null ? 'before' : 'after'} it on tier ${JSON.stringify(tier.id)}`);
      } else {
        const count = j - i + 1;
        const step = Math.trunc((after - before) / count);
        for (let k = 1; k < count; k++) proposed.set(ids[i + k - 1], before + k * step);
      }
      i = j;
    }
  }
  return proposed;
}

/** ELAN EAF (string or bytes) as an avseg document, through `parseXml` (text → element tree). */
export function fromEaf(input, options, parseXml = parseXmlWithDom) {
  importOptions(options);
  return fromEafTree(parseXml(xmlText(input)), options);
}
