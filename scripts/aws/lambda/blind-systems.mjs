// SPDX-License-Identifier: MIT
// A comparison clip's system as the worker's page sees it in Ground Truth: sealed with AES-256-GCM
// under the job's AVSEG_BLIND_KEY (32 bytes, base64; both Lambdas get it), a random IV per token,
// so the page holds nothing that names or links the system, and the consolidation Lambda, which
// sees only the line's "source" and not its clips, can open the workers' systems again. The name is
// padded to a multiple of 32 bytes so a token does not tell a short name from a long one.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'avseg-blind:v1:';
const AAD = Buffer.from('avseg-blind-system');
const BLOCK = 32;

/** The key from the environment: a Buffer of 32 bytes, or null when AVSEG_BLIND_KEY is not set. */
export function blindKey(env = process.env) {
  const text = env.AVSEG_BLIND_KEY;
  if (text === undefined || text === '') return null;
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== text.trim().replace(/=+$/, '')) {
    throw new Error(`AVSEG_BLIND_KEY must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${key.length} bytes`);
  }
  return key;
}

/** The token of `system` under `key`: a new random IV each time. */
export function sealSystem(system, key) {
  const name = Buffer.from(system, 'utf8');
  const padded = Buffer.alloc(Math.ceil((name.length + 1) / BLOCK) * BLOCK);
  name.copy(padded);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(padded), cipher.final()]);
  return TOKEN_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

export const isToken = (value) => typeof value === 'string' && value.startsWith(TOKEN_PREFIX);

/** The system a token names; throws when it was not made under `key` (tampered with, or another job's key). */
export function openSystem(token, key) {
  const raw = Buffer.from(String(token).slice(TOKEN_PREFIX.length), 'base64url');
  if (!isToken(token) || raw.length < 12 + BLOCK + 16) throw new Error('is not a blind token');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(AAD);
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  let padded;
  try {
    padded = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
  } catch {
    throw new Error('does not open with AVSEG_BLIND_KEY (tampered with, or made under another key)');
  }
  const end = padded.indexOf(0);
  return padded.subarray(0, end < 0 ? padded.length : end).toString('utf8');
}

/** A comparison document with its clips' tokens opened (in place); throws naming the clip whose token does not open. */
export function openComparison(comparison, key) {
  if (!Array.isArray(comparison?.clips)) return comparison;
  comparison.clips.forEach((clip, k) => {
    if (!isToken(clip?.system)) return;
    if (!key) throw new Error(`clips[${k}].system is a blind token but this Lambda has no AVSEG_BLIND_KEY to open it: give it the pre-annotation Lambda's key`);
    try {
      clip.system = openSystem(clip.system, key);
    } catch (err) {
      throw new Error(`clips[${k}].system: the blind token ${JSON.stringify(clip.system.slice(0, 40))}... ${err.message}`);
    }
  });
  return comparison;
}
