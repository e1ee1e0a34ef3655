// SPDX-License-Identifier: MIT
// Who may reach a local run. Every page, API and media URL carries a secret: the run's own token
// (kept in the user's state folder, never in the output folder, which is shared as results), or an
// annotator's personal one. The three servers answer only to the Host names they are bound to (a
// DNS-rebinding page gets nothing), allow CORS to the run's page origin only, and the pages refuse
// any request whose Origin is another site's, so another page open in the same browser can neither
// read the media and answers nor submit.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, realpath, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ManifestError } from './manifest.mjs';
import { syncDir, writeAtomic } from './output.mjs';

export const newSecret = () => randomBytes(32).toString('base64url');

const digest = (s) => createHash('sha256').update(String(s)).digest();
export const sameSecret = (a, b) => timingSafeEqual(digest(a), digest(b));

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;
export const isLoopback = (host) => LOOPBACK.test(host);
const ANY = new Set(['0.0.0.0', '::', '']);

const bracket = (h) => (h.includes(':') ? `[${h}]` : h);

/**
 * The host names a server bound to `host` answers to (as they appear in a Host header, IPv6 in
 * brackets), and the one to print in links.
 */
export function hostNames(host) {
  const names = new Set();
  if (ANY.has(host)) {
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(bracket(a.address.replace(/%.*$/, '')));
    names.add('localhost');
    const me = os.hostname().toLowerCase();
    if (me) names.add(me).add(`${me}.local`);
  } else {
    names.add(bracket(host.toLowerCase()));
    if (isLoopback(host)) names.add('localhost').add('127.0.0.1').add('[::1]');
  }
  let shown = host === '::' ? '::1' : host;
  if (ANY.has(host)) {
    const lan = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    shown = lan?.address ?? '127.0.0.1';
  }
  return { names, shown: bracket(shown) };
}

/** Express middleware: only the bound names with this server's port, else 421 (a DNS-rebound name). */
export function hostGuard(names, port) {
  return (req, res, next) => {
    const host = String(req.headers.host ?? '').toLowerCase();
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
    const ok = m && names.has(m[1]) && (m[2] ? Number(m[2]) === port() : port() === 80);
    if (ok) return next();
    res.status(421).type('text').send(`this server answers only to ${[...names].map((n) => `${n}:${port()}`).join(', ')}, not to "${host}"`);
  };
}

/** The origins the run's pages have: one per name the page server answers to (port 80 is not written in an origin). */
export const pageOrigins = (names, port) => new Set([...names].map((n) => (port === 80 ? `http://${n}` : `http://${n}:${port}`)));

/**
 * Express middleware for the media and component servers: CORS for the run's pages only; a request
 * from any other origin is refused outright.
 */
export function corsFor(origins, { expose } = {}) {
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    if (!origins().has(origin)) return res.status(403).type('text').send(`not served to pages from ${origin}`);
    res.set('access-control-allow-origin', origin);
    if (expose) res.set('access-control-expose-headers', expose);
    next();
  };
}

/**
 * Express middleware for the page server: a request that says it comes from another origin (every
 * POST does, a no-cors one too) is refused before anything else happens.
 */
export function sameOriginOnly(origins) {
  return (req, res, next) => {
    const origin = req.headers.origin;
    // A browser also says where a GET comes from: another page's fetch (not a link followed) is refused too.
    const site = req.headers['sec-fetch-site'];
    const fetchedElsewhere = site !== undefined && site !== 'same-origin' && site !== 'none' && req.headers['sec-fetch-mode'] !== 'navigate';
    if (!fetchedElsewhere && (origin === undefined ? req.method === 'GET' || req.method === 'HEAD' : origins().has(origin))) return next();
    res.status(403).json({ error: `refused: this request comes from ${origin ?? 'another site'}, not from the run's own pages` });
  };
}

/**
 * The user's folder for what runs keep between starts: $AVSEG_STATE_DIR, else $XDG_STATE_HOME/avseg,
 * else ~/.local/state/avseg (an empty or, for XDG, relative value counts as unset, as the XDG spec says).
 */
export function stateDir(env = process.env) {
  if (env.AVSEG_STATE_DIR) return path.resolve(env.AVSEG_STATE_DIR);
  const xdg = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(env.HOME || os.homedir(), '.local/state');
  return path.join(xdg, 'avseg');
}

/**
 * Where a run keeps its secrets: outside its output folder, which is copied, uploaded and shared
 * as results. <state>/runs/<16 hex of the SHA-256 of the output folder's real path>.json, so a
 * restart on the same folder (by any path to it) finds them. The folder must exist.
 */
export async function secretsFile(outputDir, { state = stateDir() } = {}) {
  const real = await realpath(outputDir);
  return path.join(state, 'runs', `${createHash('sha256').update(real).digest('hex').slice(0, 16)}.json`);
}

/** Where avseg kept a run's secrets before: inside the output folder. */
export const legacySecretsFile = (outputDir) => path.join(outputDir, '.avseg-access.json');

const tokenLike = (v) => typeof v === 'string' && v.length >= 32;

/** A stored secrets document, checked; throws a message naming the file. */
function parseSecrets(text, file) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(`the run's secrets in ${file} cannot be read (${err.message}); delete the file to make new links`);
  }
  if (!tokenLike(doc?.runToken) || !tokenLike(doc?.mediaToken)) throw new ManifestError(`the run's secrets in ${file} lack a token; delete the file to make new links`);
  const annotators = (Array.isArray(doc.annotators) ? doc.annotators : []).filter((a) => typeof a?.name === 'string' && tokenLike(a?.secret));
  return { runToken: doc.runToken, mediaToken: doc.mediaToken, annotators };
}

const readIfThere = (file) => readFile(file, 'utf8').catch((err) => {
  if (err.code === 'ENOENT') return null;
  throw new ManifestError(`cannot read the run's secrets in ${file} (${err.code ?? err.message})`);
});

/**
 * A run's secrets: its page token (the admin's, when annotators have their own links), its media
 * token, and each annotator's personal secret. Kept in the user's state folder (secretsFile),
 * readable by its owner only, so a restarted run keeps its addresses (open tabs and autosaved
 * drafts stay valid) while the output folder holds no secret; deleting the file makes new ones.
 * A file left in the output folder by an older avseg (`legacy`) is moved there. A preview keeps
 * nothing (file null).
 */
export class RunSecrets {
  #doc = { runToken: newSecret(), mediaToken: newSecret(), annotators: [] };
  #chain = Promise.resolve();

  /** @param {string | null} file @param {{legacy?: string | null, output?: string, warn?: (m: string) => void}} [opts] */
  constructor(file, { legacy = null, output, warn = (m) => console.warn(`avseg: ${m}`) } = {}) {
    Object.assign(this, { file, legacy, output, warn });
  }

  async load() {
    if (!this.file) return;
    await privateDir(path.dirname(this.file));
    const kept = await readIfThere(this.file);
    const old = this.legacy ? await readIfThere(this.legacy) : null;
    if (kept !== null) this.#doc = parseSecrets(kept, this.file);
    else if (old !== null) this.#doc = parseSecrets(old, this.legacy);
    if (kept === null) await this.#write(this.#doc);
    if (old === null) return;
    await unlink(this.legacy);
    await syncDir(path.dirname(this.legacy));
    // Both there: a move cut short (the same tokens), or a file copied in with another run's output.
    const moved = kept === null || (() => {
      try {
        return JSON.parse(old).runToken === this.#doc.runToken;
      } catch {
        return false;
      }
    })();
    this.warn(moved
      ? `the run's secrets (its tokens and annotators' links) were moved out of the output folder, from ${this.legacy} to ${this.file}; the links stay the same`
      : `${this.legacy} was deleted: it held another run's links, and this run's secrets are kept in ${this.file}, outside the output folder`);
  }

  #write(doc) {
    return writeAtomic(this.file, `${JSON.stringify({ ...doc, output: this.output }, null, 2)}\n`, { mode: 0o600 });
  }

  get runToken() { return this.#doc.runToken; }
  get mediaToken() { return this.#doc.mediaToken; }
  get names() { return this.#doc.annotators.map((a) => a.name); }
  secretOf(name) { return this.#doc.annotators.find((a) => a.name === name)?.secret; }

  /** The name a personal secret signs in as, or null. */
  nameFor(secret) {
    return this.#doc.annotators.find((a) => sameSecret(a.secret, secret))?.name ?? null;
  }

  /** Adds annotators (those already known keep their links); resolves once the file is written. */
  add(names) {
    const run = async () => {
      const added = [...new Set(names)].filter((n) => !this.secretOf(n));
      if (!added.length) return added;
      const next = { ...this.#doc, annotators: [...this.#doc.annotators, ...added.map((name) => ({ name, secret: newSecret() }))] };
      if (this.file) await this.#write(next);
      this.#doc = next;
      return added;
    };
    const result = this.#chain.then(run);
    this.#chain = result.catch(() => {});
    return result;
  }
}

/** Creates a folder (and its parents) for the user alone; one that exists is made the user's alone too. */
async function privateDir(dir) {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  } catch (err) {
    throw new ManifestError(`cannot keep the run's secrets in ${dir} (${err.code ?? err.message}): set AVSEG_STATE_DIR to a folder of yours`);
  }
}

/**
 * An answer as it is kept: the element records the address it read the media from, which here
 * holds the run's media token (or, for s3:// media, a presigned URL with the machine's AWS key
 * and session token), and the output is shared further than the run (training data). Each such
 * address becomes the manifest's own value (as Ground Truth's output names the s3:// URI), any
 * other secret of the run and any AWS signature left is removed, the rest kept byte for byte.
 * Where a source needs escaping, strings holding JSON (the templates' "annotations") are
 * rewritten as JSON, so it stays valid.
 * @param {unknown} value the answer
 * @param {{mediaToken: string, secrets?: string[], sourceOf?: (slot: string, item: string) => string | undefined,
 *          signed?: [string, string][]}} run signed: [presigned URL without its query, the s3:// URI]
 */
export function withoutSecrets(value, { mediaToken, secrets = [], sourceOf = () => undefined, signed = [] }) {
  const escape = (x) => x.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  const rest = `[^\\s"'<>\\\\]`; // what can follow in a URL, inside JSON at any depth
  const addresses = [
    [new RegExp(`https?://[^/\\s"'<>\\\\]+/${escape(mediaToken)}/(media|peaks|analysis)/([\\w-]+)/[^\\s"'<>?#\\\\]*`, 'g'), (slot, item) => sourceOf(slot, item)],
    ...signed.map(([base, source]) => [new RegExp(`${escape(base)}(?:\\?${rest}*)?`, 'g'), () => source]),
  ];
  const left = [mediaToken, ...secrets].filter(Boolean);
  const signature = /(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"'<>\\]*/gi;
  const holds = (s) => addresses.some(([re]) => s.search(re) >= 0) || left.some((x) => s.includes(x)) || s.search(signature) >= 0;
  const text = (s) => left.reduce((t, x) => t.split(x).join('[removed]'),
    addresses.reduce((t, [re, source]) => t.replace(re, (_, ...groups) => source(...groups) ?? '[removed]'), s)).replace(signature, '$1[removed]');
  // A source that needs no escaping in JSON is put in place as it is, at whatever depth of JSON the address was.
  const plain = (s) => addresses.every(([re, source]) => [...s.matchAll(re)].every(([, ...groups]) => {
    const v = source(...groups) ?? '';
    return JSON.stringify(v) === `"${v}"`;
  }));
  const walk = (v) => {
    if (typeof v === 'string') {
      if (!holds(v)) return v;
      if (plain(v)) return text(v);
      let doc;
      try {
        doc = /^\s*[[{]/.test(v) ? JSON.parse(v) : undefined;
      } catch {
        doc = undefined;
      }
      return doc && typeof doc === 'object' ? JSON.stringify(walk(doc)) : text(v);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}
