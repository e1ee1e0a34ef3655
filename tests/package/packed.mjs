// SPDX-License-Identifier: MIT
// The package as an embedder gets it: `npm pack` of the working tree into a temporary folder,
// installed from the tarball into throwaway projects without the network.
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const run = promisify(execFile);
const NPM_QUIET = ['--offline', '--no-audit', '--no-fund', '--loglevel=error'];

/** Packs the repository into `dir`: {tarball, name, version, files: [paths], size, unpackedSize}. */
export async function pack(dir) {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir, ...NPM_QUIET], { cwd: root, maxBuffer: 16 << 20 });
  const [info] = JSON.parse(stdout);
  return { ...info, tarball: path.join(dir, info.filename), files: info.files.map((f) => f.path).sort() };
}

/** A new project folder with the tarball installed by npm (it has no dependencies: nothing is fetched). */
export async function installInto(dir, tarball) {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: path.basename(dir), private: true }));
  await run('npm', ['install', '--no-package-lock', ...NPM_QUIET, tarball], { cwd: dir });
  return path.join(dir, 'node_modules/avseg');
}

/** Unpacks the tarball into `dir` as a CDN serves a package version (package/ stripped). */
export async function unpackInto(dir, tarball) {
  await mkdir(dir, { recursive: true });
  await run('tar', ['-xzf', tarball, '--strip-components=1', '-C', dir]);
  return dir;
}

/**
 * The relative files a module loads: static and dynamic imports, and `new URL('x', import.meta.url)`
 * (the worker, the wasm). Closed over from `entries` inside `dir`, not following the files in
 * `skip`; a file referenced but absent is listed under `missing`.
 */
export async function moduleClosure(dir, entries, { skip = [] } = {}) {
  const seen = new Set(skip);
  const missing = [];
  const todo = [...entries];
  while (todo.length) {
    const file = todo.pop();
    if (seen.has(file)) continue;
    let text;
    try {
      text = await readFile(path.join(dir, file), 'utf8');
    } catch {
      missing.push(file);
      continue;
    }
    seen.add(file);
    if (!file.endsWith('.js')) continue;
    const refs = [
      ...text.matchAll(/\b(?:import|export)\b[^'"();]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g),
      ...text.matchAll(/\bimport\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g),
      ...text.matchAll(/new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g),
    ];
    for (const [, ref] of refs) todo.push(path.posix.join(path.posix.dirname(file), ref));
  }
  return { files: [...seen].filter((f) => !skip.includes(f)).sort(), missing };
}

export async function listFiles(dir, prefix = '') {
  const out = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...await listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** A 3 s, 48 kHz mono WAV made by sox: 144,000 sample frames. */
export async function makeClip(file) {
  await run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', file, 'synth', '3', 'sine', '440', 'vol', '0.5']);
  return { rate: 48000, frames: 144000 };
}
