// SPDX-License-Identifier: MIT
// A Ground Truth input manifest: JSON Lines, one data object per line, its media under
// "source-ref" (or "taskObject" or "source", the names the published sample mixes up) and
// optionally precomputed peaks under "peaks-ref" (or "peaks") and an analysis sidecar under
// "analysis-ref" (only that name: "analysis" is a common field of other manifests and stays
// an ordinary field). Local paths are served only from
// inside one folder (the manifest's, or --media-root), symlinks resolved and hidden files refused,
// so a manifest cannot make the run serve ~/.aws/credentials.
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEED_PATTERN } from '../../../web/src/comparison-doc.js';

export const SOURCE_KEYS = ['source-ref', 'taskObject', 'source'];
export const PEAKS_KEYS = ['peaks-ref', 'peaks'];
// An analysis sidecar (doc/analysis-format.md), as scripts/precompute names it; a bare "analysis"
// is the manifest's own field (a note, a label), passed through untouched.
export const ANALYSIS_KEYS = ['analysis-ref'];

export class ManifestError extends Error {}

/** JSON with object keys sorted at every level: the same data hashes the same however it is spaced. */
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const lineHash = (line) => createHash('sha256').update(canonicalJson(line)).digest('hex');

/** An item's identity, as stored with its answers: its media as written, its line's hash, and which copy of that line it is. */
export const identityKey = (id) => `${id.source}\n${id.lineHash}\n${id.occurrence ?? 1}`;
/**
 * A short name for an identity, in the addresses of an item's media and submit: an answer reaches
 * only the item its page showed, and the browser's draft (keyed by the media's address) follows
 * the item, not its place in the manifest.
 */
export const identityTag = (id) => createHash('sha256').update(identityKey(id)).digest('base64url').slice(0, 16);

/** A manifest's value as it may be printed: control and direction characters escaped (no terminal escapes), a long value cut. */
export function printable(value, max = 200) {
  const s = String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return s.length > max ? `${s.slice(0, max - 60)}…(${s.length} characters)…${s.slice(-30)}` : s;
}

const hiddenPart = (parts) => parts.find((p) => p.startsWith('.') && p !== '.' && p !== '..');
const inside = (root, p) => {
  const rel = path.relative(root, p);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
};

/**
 * Where a manifest value points: {kind: 's3', bucket, key} | {kind: 'http'} | {kind: 'file', path (real), name}.
 * Throws a message (a string) when the value is refused.
 */
export async function resolveSource(source, { base, root, rootReal }) {
  if (/^s3:\/\//i.test(source)) {
    const m = /^s3:\/\/([^/]+)\/(.+)$/i.exec(source);
    if (!m) throw `"${printable(source)}" is not an s3://bucket/key URI`;
    return { kind: 's3', bucket: m[1], key: m[2] };
  }
  if (/^https?:\/\//i.test(source)) return { kind: 'http' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !/^file:/i.test(source)) throw `"${printable(source)}": only local paths, http(s) and s3 URIs are supported`;
  let written = source;
  if (/^file:/i.test(source)) {
    try {
      written = fileURLToPath(source); // percent-decoded, its host localhost or none
    } catch (err) {
      throw `"${printable(source)}" is not a file URL on this machine (${err.message})`;
    }
  }
  const absolute = path.resolve(base, written);
  if (!inside(root, absolute)) throw `"${printable(source)}" is outside the media folder ${root}; only files inside it are served (--media-root names another folder)`;
  const hidden = hiddenPart(path.relative(root, absolute).split(path.sep)) ?? hiddenPart(written.split(/[\\/]/));
  if (hidden) throw `"${printable(source)}": hidden files and folders (${printable(hidden)}) are never served`;
  let real;
  try {
    real = await realpath(absolute);
  } catch (err) {
    throw err.code === 'ENOENT' ? `the media file ${printable(absolute)} does not exist` : `cannot read ${printable(absolute)} (${err.code ?? err.message})`;
  }
  if (!inside(rootReal, real)) throw `"${printable(source)}" is a link to ${printable(real)}, outside the media folder ${root}; only files inside it are served`;
  const hiddenReal = hiddenPart(path.relative(rootReal, real).split(path.sep));
  if (hiddenReal) throw `"${printable(source)}" is a link to ${printable(real)}: hidden files and folders (${printable(hiddenReal)}) are never served`;
  const info = await stat(real).catch((err) => { throw `cannot read ${printable(absolute)} (${err.code ?? err.message})`; });
  if (!info.isFile()) throw `${printable(absolute)} is not a file`;
  return { kind: 'file', path: real, name: path.basename(absolute) };
}

/** A file beside the media (an analysis sidecar) named under one of `keys`, resolved as media are; null when absent. */
async function companion(obj, keys, where, what = '') {
  const key = keys.find((k) => obj[k] !== undefined);
  if (!key) return null;
  const value = typeof obj[key] === 'string' ? obj[key].trim() : '';
  if (!value) throw `${what}"${key}" must be a path or URL`;
  return { source: value, ...(await resolveSource(value, where).catch((why) => { throw `${what}${key}: ${why}`; })) };
}

/** Checks, when a file is about to be served, that it still resolves to where it did at start (no link swapped in since). */
export async function stillInPlace(file) {
  return (await realpath(file).catch(() => null)) === file;
}

export const MIN_CLIPS = 2;
export const MAX_CLIPS = 4;

/** A clip's own short name, in the addresses of its media (as an item's tag is for a single clip). */
const clipTag = (tag, k) => createHash('sha256').update(`${tag}\nclip ${k}`).digest('base64url').slice(0, 16);

/**
 * A comparison line (doc/comparison-format.md, "Manifest"): {"prompt", "id"?, "clips": [{"source-ref",
 * "system", "peaks-ref"?}, ...]}, 2 to 4 clips with distinct systems. Its item has kind 'comparison',
 * `source` naming every clip's media (for messages and the identity), and `clips`, each resolved as
 * a single clip's media is, with its own tag. Throws a message (a string) when the line is refused.
 */
async function readComparison(line, { index, lineNumber, raw, seen, where }) {
  const { clips } = line;
  if (!Array.isArray(clips)) throw '"clips" must be a list of 2 to 4 clips, each {"source-ref": ..., "system": ...}';
  if (clips.length < MIN_CLIPS || clips.length > MAX_CLIPS) throw `"clips" has ${clips.length} clip${clips.length === 1 ? '' : 's'}: a comparison has 2 to 4`;
  // Ground Truth wants "source-ref" or "source" on every line: a comparison's is "source" (the prompt or task id).
  for (const key of ['source-ref', 'taskObject']) {
    if (line[key] !== undefined) throw `${key}: a comparison line gives its media in "clips"; a top-level "${key}" would make Ground Truth take the line as one media item (give the prompt or task id as "source")`;
  }
  if (line.source !== undefined && !(typeof line.source === 'string' && line.source.trim())) {
    throw `source: must be non-empty text (the prompt or task id, which Ground Truth passes as dataObject.content), got ${printable(JSON.stringify(line.source))}`;
  }
  if (line.prompt !== undefined && line.prompt !== null && typeof line.prompt !== 'string') throw '"prompt" must be text or null';
  if (line.id !== undefined && !(typeof line.id === 'string' && line.id.trim())) throw '"id" must be non-empty text when given';
  if (line.seed !== undefined && !(typeof line.seed === 'string' && SEED_PATTERN.test(line.seed))) {
    throw `"seed" must be an order seed of 1 to 16 hex digits (doc/comparison-format.md, "Blind order"), got ${printable(JSON.stringify(line.seed))}`;
  }
  const systems = new Map();
  const sources = clips.map((clip, k) => {
    const what = `clip ${k + 1}`;
    if (!clip || typeof clip !== 'object' || Array.isArray(clip)) throw `${what} must be an object {"source-ref": ..., "system": ...}`;
    const key = SOURCE_KEYS.find((s) => typeof clip[s] === 'string' && clip[s].trim());
    if (!key) throw `${what} has no media: give "source-ref" as a path or URL`;
    if (typeof clip.system !== 'string' || !clip.system.trim()) throw `${what} has no "system" (the name of the system that made it)`;
    const system = clip.system.trim();
    if (systems.has(system)) throw `clips ${systems.get(system) + 1} and ${k + 1} both have the system "${printable(system)}": each clip of a comparison comes from a different system`;
    systems.set(system, k);
    return clip[key].trim();
  });
  const source = sources.join(' | ');
  const hash = lineHash(line);
  const occurrence = (seen.get(hash) ?? 0) + 1;
  seen.set(hash, occurrence);
  const identity = { source, lineHash: hash, occurrence };
  const tag = identityTag(identity);
  // Without "prompt", the prompt is the line's "source" (doc/comparison-format.md, "Manifest").
  const prompt = line.prompt === undefined ? line.source ?? null : line.prompt;
  const item = { index, lineNumber, line, raw, source, kind: 'comparison', prompt, peaks: null, identity, tag, clips: [] };
  for (const [k, clip] of clips.entries()) {
    const what = `clip ${k + 1}`;
    const resolved = { source: sources[k], system: clip.system.trim(), tag: clipTag(tag, k), lineNumber, peaks: null, analysis: null };
    Object.assign(resolved, await resolveSource(sources[k], where).catch((why) => { throw `${what}: ${why}`; }));
    const peaksKey = PEAKS_KEYS.find((p) => clip[p] !== undefined);
    if (peaksKey) {
      const peaks = typeof clip[peaksKey] === 'string' ? clip[peaksKey].trim() : '';
      if (!peaks) throw `${what}: "${peaksKey}" must be a path or URL`;
      resolved.peaks = { source: peaks, ...(await resolveSource(peaks, where).catch((why) => { throw `${what}: ${peaksKey}: ${why}`; })) };
    }
    resolved.analysis = await companion(clip, ANALYSIS_KEYS, where, `${what}: `);
    item.clips.push(resolved);
  }
  return item;
}

/** The media an item serves: a single clip's own, or each clip of a comparison (each with its tag and peaks). */
export const mediaOf = (item) => (item.kind === 'comparison' ? item.clips : [item]);

/**
 * Reads a manifest. Each item: {index, lineNumber, line (the object as read), raw (its text),
 * source (the media as written), kind: 'file' | 'http' | 's3', path (for files: real and absolute),
 * peaks (null, or {source, kind, path...} the same way), identity {source, lineHash, occurrence}, tag (identityTag)}.
 * A line with "clips" is a comparison (readComparison): kind 'comparison' and its `clips`.
 * A blank line is skipped. Every refused line is named with its number and why, and nothing starts.
 * @param {string} file
 * @param {{mediaRoot?: string}} [opts] the folder local media must be in (default: the manifest's)
 */
export async function readManifest(file, { mediaRoot } = {}) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(`cannot read the manifest ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
  const base = path.dirname(path.resolve(file));
  const root = path.resolve(mediaRoot ?? base);
  let rootReal;
  try {
    rootReal = await realpath(root);
    if (!(await stat(rootReal)).isDirectory()) throw new Error('not a folder');
  } catch (err) {
    throw new ManifestError(`the media folder ${root} cannot be used: ${err.code === 'ENOENT' ? 'no such folder' : err.message}`);
  }
  const where = { base, root, rootReal };
  const items = [];
  const problems = [];
  const seen = new Map();
  // A byte order mark (as Windows editors write) is not part of the first line.
  for (const [n, raw] of text.replace(/^\uFEFF/, '').split(/\r?\n/).entries()) {
    if (!raw.trim()) continue;
    const refuse = (why) => problems.push(`${file}, line ${n + 1}: ${why}`);
    let line;
    try {
      line = JSON.parse(raw);
    } catch (err) {
      refuse(`not valid JSON (${printable(err.message)})`);
      continue;
    }
    if (line === null || typeof line !== 'object' || Array.isArray(line)) {
      refuse('each line must be a JSON object');
      continue;
    }
    if (line.clips !== undefined) {
      try {
        items.push(await readComparison(line, { index: items.length, lineNumber: n + 1, raw, seen, where }));
      } catch (why) {
        if (typeof why !== 'string') throw why;
        refuse(why);
      }
      continue;
    }
    const key = SOURCE_KEYS.find((k) => typeof line[k] === 'string' && line[k].trim());
    if (!key) {
      refuse('no media: give "source-ref" (or "taskObject" or "source") as a path or URL');
      continue;
    }
    const source = line[key].trim();
    const hash = lineHash(line);
    const occurrence = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, occurrence);
    const identity = { source, lineHash: hash, occurrence };
    const item = { index: items.length, lineNumber: n + 1, line, raw, source, peaks: null, analysis: null, identity, tag: identityTag(identity) };
    try {
      Object.assign(item, await resolveSource(source, where));
      const peaksKey = PEAKS_KEYS.find((k) => line[k] !== undefined);
      if (peaksKey) {
        const peaks = typeof line[peaksKey] === 'string' ? line[peaksKey].trim() : '';
        if (!peaks) throw `"${peaksKey}" must be a path or URL`;
        item.peaks = { source: peaks, ...(await resolveSource(peaks, where).catch((why) => { throw `${peaksKey}: ${why}`; })) };
      }
      item.analysis = await companion(line, ANALYSIS_KEYS, where);
    } catch (why) {
      if (typeof why !== 'string') throw why;
      refuse(why);
      continue;
    }
    items.push(item);
  }
  if (problems.length) throw new ManifestError(problems.join('\n'));
  if (!items.length) throw new ManifestError(`${file}: the manifest has no items`);
  return items;
}
