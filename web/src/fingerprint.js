// SPDX-License-Identifier: MIT
// Which host document a draft was started from (doc/element-api.md, "Drafts"): a stable hash of
// the document's canonical JSON, with the time the host gave for it. A plain hash rather than
// crypto.subtle, which a page served over plain HTTP (the local run's LAN mode) does not have.

// Gives JSON.stringify each object with its keys in sorted order (a copy only when they are not).
function sortedKeys(_key, value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] <= keys[i];
  if (sorted) return value;
  const copy = {};
  for (const k of keys.sort()) copy[k] = value[k];
  return copy;
}

/** JSON with object keys sorted at every depth, so the same document always reads the same. */
export function canonicalJson(value) {
  return JSON.stringify(value, sortedKeys) ?? 'null';
}

const hex = (n) => (n >>> 0).toString(16).padStart(8, '0');

/** A 64-bit hash of a string's UTF-16 code units, as 16 hex digits (two independent 32-bit lanes). */
export function hash64(text) {
  let a = 0x811c9dc5 ^ text.length;
  let b = 0x2545f491;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  // Final mixing, so that neighbouring inputs differ in every digit.
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  a ^= a >>> 16;
  b = Math.imul(b ^ (b >>> 15), 0x2c1b3c6d);
  b = Math.imul(b ^ (b >>> 12), 0x297a2d39);
  b ^= b >>> 15;
  return hex(a) + hex(b);
}

/** The document a host gave (an object or its JSON text) as a fingerprint; null when none was given. */
export function documentFingerprint(doc) {
  if (doc === null || doc === undefined) return null;
  let text = doc;
  if (typeof doc === 'string') {
    try {
      text = canonicalJson(JSON.parse(doc));
    } catch {
      // Not JSON (the editor refused it): the text itself is what the host gave.
    }
  } else text = canonicalJson(doc);
  return `v1:${hash64(text)}`;
}

/**
 * What a draft records of the host's document it started from: {doc, time}, doc a fingerprint
 * (null: the host gave none), time in epoch ms (null: none given or unreadable).
 */
export function hostBase(doc, timeMs) {
  return { doc: documentFingerprint(doc), time: Number.isFinite(timeMs) ? timeMs : null };
}

/** Whether a stored draft's base is this one. A draft saved before bases were recorded has none: never. */
export function sameBase(stored, current) {
  return !!stored && typeof stored === 'object' && stored.doc === current.doc && (stored.time ?? null) === current.time;
}
