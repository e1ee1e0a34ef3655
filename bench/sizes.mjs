// SPDX-License-Identifier: MIT
// Section 4: sizes of what dist/ ships, raw and gzip -9 (each file compressed on its own, as served).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const GZIP_BUDGET = 1e6;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

export function benchSizes() {
  const files = readdirSync(dist, { recursive: true }).map(String).filter((f) => /\.(js|wasm)$/.test(f)).map((name) => {
    const bytes = readFileSync(path.join(dist, name));
    return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const total = (list) => ({ files: list.length, raw: list.reduce((a, f) => a + f.raw, 0), gzip: list.reduce((a, f) => a + f.gzip, 0) });
  const js = total(files.filter((f) => f.name.endsWith('.js')));
  const wasm = total(files.filter((f) => f.name.endsWith('.wasm')));
  const all = total(files);
  return { files, js, wasm, total: all, budget: GZIP_BUDGET, verdict: all.gzip < GZIP_BUDGET ? 'PASS' : 'MISS' };
}
