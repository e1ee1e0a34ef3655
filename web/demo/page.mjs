// SPDX-License-Identifier: MIT
// The local page: the element loaded from the asset origin, media from the media origin,
// under the same strict Content-Security-Policy the browser tests use.

export function strictCsp({ assets, media }) {
  return [
    "default-src 'none'",
    `script-src 'self' ${assets} 'wasm-unsafe-eval'`,
    `connect-src ${assets} ${media}`,
    `media-src ${media}`,
    // The worker's own module imports are checked against worker-src, not script-src.
    `worker-src blob: ${assets}`,
    "style-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

export function demoPage({ assets, media }, file) {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>avseg — ${file}</title>
<script type="module" src="${assets}/avseg.js"></script>
<body>
<main>
  <h1>avseg</h1>
  <avseg-editor src="${media}/${encodeURIComponent(file)}"></avseg-editor>
</main>
</body>
</html>
`;
}
