// SPDX-License-Identifier: MIT
// Owns naming the real cause of a failed fetch or worker start: the page's Content-Security-Policy
// (from the `securitypolicyviolation` events of this scope: the document, or a worker's global,
// where its own refusals are reported and the document hears nothing), an opaque origin (a
// sandboxed frame without allow-same-origin, whose requests carry `Origin: null`), a host that
// refuses CORS, or one that does not answer.

/** @typedef {'wasm'|'worker'|'media'|'script'} FailureKind what failed: a .wasm fetch, a worker start, a media fetch, a script */
/** @typedef {{directive: string, effective: string, blockedURI: string, origin: string|null, policy: string, at: number}} Violation */
/** @typedef {{cause: 'csp'|'opaque-origin'|'cors'|'unreachable', message: string, directive?: string, origin?: string|null}} Explanation */

// Browsers report the directive a fetch falls under (effectiveDirective); the policy may instead
// hold one it falls back to, and the owner must be asked to edit the one that is there.
const FALLBACK = {
  'connect-src': ['connect-src', 'default-src'],
  'worker-src': ['worker-src', 'child-src', 'script-src', 'default-src'],
  'media-src': ['media-src', 'default-src'],
  'script-src-elem': ['script-src-elem', 'script-src', 'default-src'],
  'script-src': ['script-src', 'default-src'],
};
const KIND_DIRECTIVES = {
  wasm: ['connect-src'],
  worker: ['worker-src', 'child-src', 'script-src', 'script-src-elem'],
  media: ['connect-src', 'media-src'],
  script: ['script-src-elem', 'script-src'],
};
const KEEP = 50;
// Chromium reports the violation just after the failed fetch rejects (measured: under 1 ms, in a
// task of its own); under load that task can come later.
const WAIT_MS = 250;

const seen = [];
const waiters = new Set();
let watching = false;

/** Starts collecting this scope's violations (once); done on import, before anything is fetched. */
export function watchViolations(scope = globalThis) {
  if (watching || typeof scope?.addEventListener !== 'function') return watching;
  watching = true;
  // Capturing on the global: a document's violations (fired at it or at an element) reach the
  // window; a worker's are fired at its global itself.
  scope.addEventListener('securitypolicyviolation', (event) => {
    const violation = {
      effective: event.effectiveDirective || event.violatedDirective || '',
      directive: directiveInForce(event.effectiveDirective || event.violatedDirective || '', event.originalPolicy ?? ''),
      blockedURI: event.blockedURI ?? '',
      origin: originOf(event.blockedURI),
      policy: event.originalPolicy ?? '',
      at: Date.now(),
    };
    seen.push(violation);
    if (seen.length > KEEP) seen.shift();
    for (const waiter of waiters) waiter(violation);
  }, true);
  return watching;
}
watchViolations();

/** The directive of `policy` that governs what the browser reported under `effective`. */
export function directiveInForce(effective, policy) {
  const names = new Set(policy.split(';').map((part) => part.trim().split(/\s+/)[0]?.toLowerCase()).filter(Boolean));
  return (FALLBACK[effective] ?? [effective]).find((name) => names.has(name)) ?? effective;
}

function originOf(uri) {
  try {
    const url = new URL(uri);
    return /^https?:$/.test(url.protocol) ? url.origin : null;
  } catch {
    return null;
  }
}

const sameResource = (blocked, url) => {
  try {
    const a = new URL(blocked);
    const b = new URL(url);
    // A blocked redirect is reported by its origin only.
    return a.origin === b.origin && (a.pathname === b.pathname || a.pathname === '/' || blocked === a.origin);
  } catch {
    return false;
  }
};

function matches(violation, { kind, url }) {
  if (kind && !KIND_DIRECTIVES[kind]?.includes(violation.effective)) return false;
  if (url) return sameResource(violation.blockedURI, String(url)) || (kind === 'worker' && violation.blockedURI === 'blob');
  if (kind === 'wasm') return /\.wasm(\?|#|$)/.test(violation.blockedURI);
  return true;
}

/** True when this scope's origin is opaque: a frame sandboxed without allow-same-origin (or a worker it started). */
export const opaqueOrigin = () => globalThis.origin === 'null';

/**
 * The violation that refused `url` (a URL of what failed) or, without one, the last one of `kind`;
 * waits up to `wait` ms for it, as the browser reports it after the failure. Null when there is
 * none (or where no violations are reported at all, as in Node).
 * @param {{kind?: FailureKind, url?: string|URL, wait?: number}} what
 * @returns {Promise<Violation|null>}
 */
export function violationFor({ kind, url, wait = WAIT_MS } = {}) {
  const found = [...seen].reverse().find((v) => matches(v, { kind, url }));
  if (found || !watching || wait <= 0) return Promise.resolve(found ?? null);
  return new Promise((resolve) => {
    const done = (violation) => {
      waiters.delete(waiter);
      clearTimeout(timer);
      resolve(violation);
    };
    const waiter = (violation) => { if (matches(violation, { kind, url })) done(violation); };
    const timer = setTimeout(() => done(null), wait);
    waiters.add(waiter);
  });
}

const HOSTS = { wasm: 'the asset host', worker: 'the asset host', script: 'the asset host', media: 'the media host' };
const what = (kind, file) => (kind === 'media' ? 'the media' : file ?? 'its files');
const verb = (kind) => (kind === 'media' ? 'reads' : 'loads');

/**
 * The annotator's message for a violation: the directive and the refused origin, and what to ask for.
 * @param {Violation} violation
 * @param {{kind: FailureKind, file?: string, origin?: string|null}} o
 */
export function cspMessage(violation, { kind, file, origin = null }) {
  const { directive } = violation;
  const host = violation.origin ?? origin;
  if (violation.blockedURI === 'blob' || !host) {
    const source = violation.blockedURI === 'blob' ? 'blob:' : violation.blockedURI || 'this source';
    const from = origin ? ` from the asset host ${origin}` : '';
    // A policy without worker-src governs workers through script-src or default-src: the narrower
    // grant is a worker-src of its own, which leaves the page's scripts as they are.
    const ask = /^(worker|child)-src$/.test(directive) ? `add ${source} to ${directive}` : `add "worker-src ${source}" (or ${source} in ${directive})`;
    return `The page's Content-Security-Policy (${directive}) does not allow workers from ${source} URLs, which the editor uses `
      + `to start its decoder${from}: ask the portal's owner to ${ask}.`;
  }
  return `The page's Content-Security-Policy (${directive}) does not allow ${HOSTS[kind] ?? 'the host'} ${host}, from which the editor `
    + `${verb(kind)} ${what(kind, file)}: ask the portal's owner to add ${host} to ${directive}.`;
}

/** The message for a host that does not answer CORS for this frame's `Origin: null`. */
export function opaqueCorsMessage({ kind, file, origin }) {
  return `This task's frame has an opaque origin (the portal's iframe sandbox lacks allow-same-origin), so its requests carry `
    + `Origin: null, and ${HOSTS[kind] ?? 'the host'} ${origin} does not allow that origin to read ${what(kind, file)} (CORS): ask the `
    + `portal's owner to add allow-same-origin to the sandbox, or have ${origin} answer CORS with Access-Control-Allow-Origin: *.`;
}

/** The message for a worker that an opaque origin did not start. */
export function opaqueWorkerMessage({ origin } = {}) {
  return `This task's frame has an opaque origin (the portal's iframe sandbox lacks allow-same-origin), where the browser does not `
    + `start the editor's decoder worker${origin ? ` from ${origin}` : ''}: ask the portal's owner to add allow-same-origin to the sandbox.`;
}

/** Whether `url` answers at all: an opaque no-cors request gets through where CORS refuses. */
async function answers(url) {
  try {
    await fetch(url, { mode: 'no-cors', credentials: 'omit', cache: 'no-store' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a fetch of `url` (or a worker start) failed, in words for the annotator, or null when that
 * cannot be told (the caller keeps its own message). In order: the page's CSP refused it; this
 * frame's opaque origin is refused by the host's CORS; the host refuses this page's CORS; the host
 * does not answer. A worker start is only explained by the CSP or an opaque origin.
 * @param {{kind: FailureKind, url?: string|URL|null, file?: string, wait?: number}} o
 * @returns {Promise<Explanation|null>}
 */
export async function explainFailure({ kind, url = null, file, wait = WAIT_MS }) {
  const origin = url ? originOf(String(url)) : null;
  const violation = await violationFor({ kind, url: url ?? undefined, wait });
  if (violation) return { cause: 'csp', directive: violation.directive, origin: violation.origin ?? origin, message: cspMessage(violation, { kind, file, origin }) };
  if (kind === 'worker') {
    return opaqueOrigin() ? { cause: 'opaque-origin', origin, message: opaqueWorkerMessage({ origin }) } : null;
  }
  if (!url || !origin || typeof fetch !== 'function') return null;
  if (await answers(url)) {
    if (opaqueOrigin()) return { cause: 'opaque-origin', origin, message: opaqueCorsMessage({ kind, file, origin }) };
    return {
      cause: 'cors', origin,
      message: `${cap(HOSTS[kind] ?? 'the host')} ${origin} does not allow this page (${globalThis.location?.origin}) to read `
        + `${what(kind, file)} (no Access-Control-Allow-Origin for it): it must answer CORS for the page's origin.`,
    };
  }
  return { cause: 'unreachable', origin, message: `${cap(HOSTS[kind] ?? 'the host')} ${origin} did not answer (${what(kind, file)} could not be fetched).` };
}

const cap = (s) => s[0].toUpperCase() + s.slice(1);

/**
 * `err` (a module's failure to start: the glue's rejection) as it should be reported: when its
 * fetch of `file` failed (a TypeError), an Error saying why, its `reason` the cause
 * (wasm-refusal.js leaves such an Error alone); else `err` itself.
 * @param {unknown} err
 * @param {{kind?: FailureKind, url?: string|URL|null, file: string}} o
 */
export async function explainedError(err, { kind = 'wasm', url = null, file }) {
  if (!(err instanceof TypeError)) return err;
  const why = await explainFailure({ kind, url, file });
  return why ? Object.assign(new Error(why.message, { cause: err }), { reason: why.cause }) : err;
}
