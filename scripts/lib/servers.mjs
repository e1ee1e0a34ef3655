// SPDX-License-Identifier: MIT
// Three loopback HTTP servers laid out like SageMaker Ground Truth: the task page on the
// worker-portal origin, component assets on a CDN origin, media on an S3 presigned-URL origin.
import { createServer } from 'node:http';
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript',
  '.mjs': 'application/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.webm': 'audio/webm',
  '.mka': 'audio/x-matroska',
  '.ac3': 'audio/ac3',
  '.mp4': 'video/mp4',
};
const typeOf = (p) => TYPES[path.extname(p).toLowerCase()] ?? 'application/octet-stream';

const MEDIA_CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Content-Length, Content-Range, Accept-Ranges',
};

/**
 * @param {{pageRoot?: string, pages?: Record<string,string>,
 *          csp?: string | ((origins: {page: string, assets: string, media: string}) => string),
 *          assetRoot?: string, mediaRoot?: string, slowBytesPerSecond?: number,
 *          ports?: {page?: number, assets?: number, media?: number}, log?: boolean}} opts
 */
export async function startServers(opts = {}) {
  const requests = [];
  const slowRate = opts.slowBytesPerSecond ?? 2 * 1024 * 1024;
  const origins = {};
  const csp = () => (typeof opts.csp === 'function' ? opts.csp(origins) : opts.csp);

  const servers = {
    page: await listen('page', async (req, res, entry, pathname) => {
      const htmlHeaders = (type) => (type.startsWith('text/html') && csp() ? { 'content-security-policy': csp() } : {});
      const inline = opts.pages?.[pathname] ?? (pathname === '/' ? opts.pages?.['/index.html'] : undefined);
      if (inline !== undefined) {
        const type = typeOf(pathname === '/' ? '/index.html' : pathname);
        return send(req, res, entry, 200, { 'content-type': type, ...htmlHeaders(type) }, Buffer.from(inline));
      }
      const file = await resolveFile(opts.pageRoot, pathname);
      if (!file) return send(req, res, entry, 404, {}, 'not found');
      return sendFile(req, res, entry, file, htmlHeaders(typeOf(file.path)), { ranges: false });
    }),

    assets: await listen('assets', async (req, res, entry, pathname) => {
      const cors = { 'access-control-allow-origin': '*' };
      const file = await resolveFile(opts.assetRoot, pathname);
      if (!file) return send(req, res, entry, 404, cors, 'not found');
      return sendFile(req, res, entry, file, cors, { ranges: false });
    }),

    media: await listen('media', async (req, res, entry, pathname) => {
      let cors = MEDIA_CORS;
      let slow = false;
      const status = /^\/status\/(\d{3})(\/|$)/.exec(pathname);
      if (status) return send(req, res, entry, Number(status[1]), cors, `status ${status[1]}`);
      if (pathname.startsWith('/nocors/')) {
        cors = {};
        pathname = pathname.slice('/nocors'.length);
      } else if (pathname.startsWith('/slow/')) {
        slow = true;
        pathname = pathname.slice('/slow'.length);
      }
      if (req.method === 'OPTIONS') {
        const preflight = cors === MEDIA_CORS ? {
          ...cors,
          'access-control-allow-methods': 'GET, HEAD, OPTIONS',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'Range',
          'access-control-max-age': '600',
        } : {};
        return send(req, res, entry, 204, preflight);
      }
      const file = await resolveFile(opts.mediaRoot, pathname);
      if (!file) return send(req, res, entry, 404, cors, 'not found');
      return sendFile(req, res, entry, file, cors, { ranges: true, bytesPerSecond: slow ? slowRate : 0 });
    }),
  };

  async function listen(name, handler) {
    const server = createServer(async (req, res) => {
      const url = new URL(req.url, 'http://localhost');
      const entry = { server: name, method: req.method, path: url.pathname, query: url.search, range: req.headers.range ?? null, status: null };
      if (opts.log !== false) requests.push(entry);
      try {
        const pathname = decodeURIComponent(url.pathname);
        const allowed = name === 'media' ? ['GET', 'HEAD', 'OPTIONS'] : ['GET', 'HEAD'];
        if (!allowed.includes(req.method)) return send(req, res, entry, 405, { allow: allowed.join(', ') }, 'method not allowed');
        await handler(req, res, entry, pathname);
      } catch (err) {
        if (err instanceof URIError) return send(req, res, entry, 400, {}, 'bad request');
        if (!res.headersSent) send(req, res, entry, 500, {}, String(err?.stack ?? err));
        else res.destroy(err);
      }
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.ports?.[name] ?? 0, '127.0.0.1', resolve);
    });
    const origin = `http://127.0.0.1:${server.address().port}`;
    origins[name] = origin;
    return { origin, url: (p = '/') => new URL(p, origin).href, server };
  }

  return {
    /** Replaces an in-memory page (its content may depend on the origins known only now). */
    setPage(pathname, html) {
      opts.pages = { ...opts.pages, [pathname]: html };
    },
    page: servers.page,
    assets: servers.assets,
    media: servers.media,
    requests,
    async close() {
      await Promise.all(Object.values(servers).map(({ server }) => new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })));
    },
  };
}

// Resolves pathname inside root, following symlinks only if they stay inside root.
async function resolveFile(root, pathname) {
  if (!root || pathname.includes('\0')) return null;
  const realRoot = await realpath(root);
  let candidate = path.resolve(realRoot, '.' + path.posix.normalize('/' + pathname));
  try {
    if ((await stat(candidate)).isDirectory()) candidate = path.join(candidate, 'index.html');
    const real = await realpath(candidate);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : null;
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EACCES') return null;
    throw err;
  }
}

function send(req, res, entry, status, headers, body) {
  entry.status = status;
  const buf = body === undefined ? null : Buffer.from(body);
  res.writeHead(status, {
    'cache-control': 'no-store',
    ...(buf ? { 'content-type': headers['content-type'] ?? 'text/plain; charset=utf-8', 'content-length': buf.length } : {}),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

// Parses a single "bytes=" range; multi-range and malformed headers are ignored (RFC 9110 allows it).
function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start, end;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null;
  }
  return start >= size ? 'unsatisfiable' : { start, end };
}

async function sendFile(req, res, entry, file, headers, { ranges, bytesPerSecond = 0 }) {
  const base = { ...headers, 'content-type': typeOf(file.path), 'cache-control': 'no-store' };
  if (ranges) base['accept-ranges'] = 'bytes';
  let start = 0;
  let end = file.size - 1;
  let status = 200;
  const range = ranges ? parseRange(req.headers.range, file.size) : null;
  if (range === 'unsatisfiable') {
    return send(req, res, entry, 416, { ...base, 'content-type': 'text/plain; charset=utf-8', 'content-range': `bytes */${file.size}` }, 'range not satisfiable');
  }
  if (range) {
    ({ start, end } = range);
    status = 206;
    base['content-range'] = `bytes ${start}-${end}/${file.size}`;
  }
  const length = end - start + 1;
  entry.status = status;
  res.writeHead(status, { ...base, 'content-length': length });
  if (req.method === 'HEAD' || length === 0) return res.end();

  const fh = await open(file.path, 'r');
  try {
    // The client may have gone while the file was opening: its 'close' has fired already.
    if (res.destroyed) return;
    if (!bytesPerSecond) {
      await new Promise((resolve, reject) => {
        const stream = fh.createReadStream({ start, end, autoClose: false });
        entry.sent = 0;
        stream.on('data', (data) => { entry.sent += data.length; });
        stream.on('error', reject);
        res.on('close', () => { stream.destroy(); resolve(); });
        stream.pipe(res);
      });
      return;
    }
    // Throttled: a fixed-size chunk per tick so the client sees data arrive progressively.
    const tickMs = 50;
    const chunk = Math.max(1, Math.round((bytesPerSecond * tickMs) / 1000));
    let pos = start;
    await new Promise((resolve, reject) => {
      let busy = false;
      const timer = setInterval(async () => {
        if (busy || res.writableNeedDrain) return;
        busy = true;
        try {
          const n = Math.min(chunk, end + 1 - pos);
          const { bytesRead, buffer } = await fh.read(Buffer.alloc(n), 0, n, pos);
          if (res.destroyed) return;
          pos += bytesRead;
          const data = buffer.subarray(0, bytesRead);
          if (pos > end || bytesRead === 0) {
            clearInterval(timer);
            res.end(data);
          } else {
            res.write(data);
          }
        } catch (err) {
          clearInterval(timer);
          reject(err);
        } finally {
          busy = false;
        }
      }, tickMs);
      res.on('close', () => { clearInterval(timer); resolve(); });
    });
  } finally {
    await fh.close();
  }
}
