// SPDX-License-Identifier: MIT
// Who may reach a local run. Every page, API and media URL carries a secret: the run's own token
// (kept with its output folder), or an annotator's personal one. The three servers answer only to
// the Host names they are bound to (a DNS-rebinding page gets nothing), allow CORS to the run's
// page origin only, and the pages refuse any request whose Origin is another site's, so another
// page open in the same browser can neither read the media and answers nor submit.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeAtomic } from './output.mjs';

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
 * A run's secrets: its page token (the admin's, when annotators have their own links), its media
 * token, and each annotator's personal secret. Kept in <output>/.avseg-access.json, readable by its
 * owner only, so a restarted run keeps its addresses (open tabs and autosaved drafts stay valid);
 * deleting the file makes new ones. A preview keeps nothing (file null).
 */
export class RunSecrets {
  #doc = { runToken: newSecret(), mediaToken: newSecret(), annotators: [] };
  #chain = Promise.resolve();

  constructor(file) {
    this.file = file;
  }

  async load() {
    if (!this.file) return;
    let doc;
    try {
      doc = JSON.parse(await readFile(this.file, 'utf8'));
    } catch (err) {
      if (err.code !== 'ENOENT') throw new Error(`the run's secrets in ${this.file} cannot be read (${err.message}); move the file aside to make new links`);
      await this.#write(this.#doc);
      return;
    }
    const ok = (v) => typeof v === 'string' && v.length >= 32;
    if (!ok(doc?.runToken) || !ok(doc?.mediaToken)) throw new Error(`the run's secrets in ${this.file} lack a token; move the file aside to make new links`);
    const annotators = (Array.isArray(doc.annotators) ? doc.annotators : []).filter((a) => typeof a?.name === 'string' && ok(a?.secret));
    this.#doc = { runToken: doc.runToken, mediaToken: doc.mediaToken, annotators };
  }

  #write(doc) {
    return writeAtomic(this.file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
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

export const secretsFile = (outputDir) => path.join(outputDir, '.avseg-access.json');

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
    [new RegExp(`https?://[^/\\s"'<>\\\\]+/${escape(mediaToken)}/(media|peaks)/([\\w-]+)/[^\\s"'<>?#\\\\]*`, 'g'), (slot, item) => sourceOf(slot, item)],
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
