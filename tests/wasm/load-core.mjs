// SPDX-License-Identifier: MIT
// Loads the wasm core in Node: Emscripten 3.1.6's web loader can't fetch file paths, so the binary is handed over.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const dist = new URL('../../dist/', import.meta.url);

export async function loadModel() {
  const { default: createAvsegModel } = await import(new URL('avseg-model.js', dist).href);
  const wasmBinary = await readFile(fileURLToPath(new URL('avseg-model.wasm', dist)));
  return createAvsegModel({ wasmBinary });
}

export async function loadCore() {
  const { default: createAvsegCore } = await import(new URL('avseg-core.js', dist).href);
  const wasmBinary = await readFile(fileURLToPath(new URL('avseg-core.wasm', dist)));
  return createAvsegCore({ wasmBinary });
}

// Streams a file's bytes through a core Session in chunks, as the worker does, attaching the
// whole file at the end as the worker attaches its Blob (unless attach is false).
export function decodeBytes(core, bytes, chunk = 65536, { attach = true } = {}) {
  const session = new core.Session();
  let status;
  for (let at = 0; at < bytes.length; at += chunk) {
    session.push(bytes.subarray(at, at + chunk));
    do status = session.pump(64); while (status.state === 1);
    if (status.state < 0) return { session, status };
  }
  session.finish();
  if (attach) session.attachSeekable((position, length) => bytes.subarray(position, position + length), bytes.length);
  do status = session.pump(1 << 20); while (status.state === 1);
  return { session, status };
}
