// SPDX-License-Identifier: MIT
// The blind order of a comparison: its seed from annotator and task (SHA-256) and the shuffle it
// drives (Fisher-Yates on splitmix64), both specified in doc/comparison-format.md so that any
// language reproduces them (pure; browsers and Node 18+).

export const LABELS = ['A', 'B', 'C', 'D'];

const MASK = (1n << 64n) - 1n;
const GOLDEN = 0x9E3779B97F4A7C15n;

/**
 * The order seed of `annotator` on `taskId`: the first 16 hex digits of the SHA-256 of
 * "avseg-order\n{salt}\n{annotator}\n{taskId}" (UTF-8).
 * @returns {Promise<string>}
 */
export async function orderSeed(annotator, taskId, salt = '') {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('the blind order needs crypto.subtle (a secure context: https or localhost)');
  const text = `avseg-order\n${salt ?? ''}\n${annotator ?? ''}\n${taskId ?? ''}`;
  const digest = new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** splitmix64 from a 64-bit state: a function giving the next unsigned 64-bit BigInt. */
export function splitmix64(seedHex) {
  let state = parseSeed(seedHex);
  return () => {
    state = (state + GOLDEN) & MASK;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK;
    return z ^ (z >> 31n);
  };
}

/** order[k] = the manifest index of the clip shown at position k, for `n` clips. */
export function shuffledOrder(n, seedHex) {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`the number of clips must be a positive integer, got ${n}`);
  const next = splitmix64(seedHex);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i >= 1; i--) {
    const j = Number(next() % BigInt(i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function parseSeed(seedHex) {
  if (typeof seedHex !== 'string' || !/^[0-9a-fA-F]{1,16}$/.test(seedHex)) {
    throw new TypeError(`an order seed is 1 to 16 hex digits, got ${JSON.stringify(seedHex)}`);
  }
  return BigInt(`0x${seedHex}`);
}
