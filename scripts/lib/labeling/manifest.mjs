// SPDX-License-Identifier: MIT
// A Ground Truth input manifest: JSON Lines, one data object per line, its media under
// "source-ref" (or "taskObject" or "source", the names the published sample mixes up).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export const SOURCE_KEYS = ['source-ref', 'taskObject', 'source'];

export class ManifestError extends Error {}

/**
 * Reads a manifest. Each item: {index, line (the object as read), raw (its text), source (the
 * media as written), kind: 'file' | 'http' | 's3', path (for files: absolute)}.
 * A blank line is skipped; a malformed one stops the run with its line number.
 */
export async function readManifest(file) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(`cannot read the manifest ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
  const dir = path.dirname(path.resolve(file));
  const items = [];
  const lines = text.split(/\r?\n/);
  for (const [n, raw] of lines.entries()) {
    if (!raw.trim()) continue;
    const where = `${file}, line ${n + 1}`;
    let line;
    try {
      line = JSON.parse(raw);
    } catch (err) {
      throw new ManifestError(`${where}: not valid JSON (${err.message})`);
    }
    if (line === null || typeof line !== 'object' || Array.isArray(line)) throw new ManifestError(`${where}: each line must be a JSON object`);
    const key = SOURCE_KEYS.find((k) => typeof line[k] === 'string' && line[k].trim());
    if (!key) throw new ManifestError(`${where}: no media: give "source-ref" (or "taskObject" or "source") as a path or URL`);
    const source = line[key].trim();
    const item = { index: items.length, lineNumber: n + 1, line, raw, source };
    if (/^s3:\/\//i.test(source)) {
      const m = /^s3:\/\/([^/]+)\/(.+)$/i.exec(source);
      if (!m) throw new ManifestError(`${where}: "${source}" is not an s3://bucket/key URI`);
      Object.assign(item, { kind: 's3', bucket: m[1], key: m[2] });
    } else if (/^https?:\/\//i.test(source)) {
      Object.assign(item, { kind: 'http' });
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
      throw new ManifestError(`${where}: "${source}": only local paths, http(s) and s3 URIs are supported`);
    } else {
      const absolute = path.resolve(dir, source.replace(/^file:\/\//, ''));
      const info = await stat(absolute).catch(() => null);
      if (!info?.isFile()) throw new ManifestError(`${where}: the media file ${absolute} does not exist`);
      Object.assign(item, { kind: 'file', path: absolute });
    }
    items.push(item);
  }
  if (!items.length) throw new ManifestError(`${file}: the manifest has no items`);
  return items;
}
