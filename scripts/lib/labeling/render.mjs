// SPDX-License-Identifier: MIT
// Renders a task template as Ground Truth does: Liquid (liquidjs) with `task.input`, and the
// filters templates use. grant_read_access maps a source to a URL the browser can read.
import { filters, Liquid } from 'liquidjs';

export const ASSET_PLACEHOLDER = '__AVSEG_ASSET_BASE__';
export const CROWD_ELEMENTS = 'https://assets.crowd.aws/crowd-html-elements.js';
export const TEMPLATE_LIMIT = 128000;

/**
 * @param {string} template the Liquid HTML
 * @param {object} input `task.input` (the manifest line, or the pre-annotation Lambda's taskInput)
 * @param {{grant: (source: string) => string}} opts
 */
export async function renderTemplate(template, input, { grant }) {
  // Values are HTML-escaped on output, as Ground Truth does, unless the last filter escapes them
  // already or says not to: a template written for Ground Truth shows a manifest's text as text.
  const engine = new Liquid({ strictFilters: true, outputEscape: 'escape' });
  engine.registerFilter('escape', { handler: filters.escape, raw: true });
  engine.registerFilter('escape_once', { handler: escapeOnce, raw: true });
  engine.registerFilter('skip_autoescape', { handler: (v) => v, raw: true });
  engine.registerFilter('grant_read_access', (v) => (v ? grant(String(v)) : ''));
  // Ground Truth's documented example shows to_json's output as plain JSON, not auto-escaped
  // (doc/ground-truth.md, "Liquid").
  engine.registerFilter('to_json', { handler: toJson, raw: true });
  return engine.parseAndRender(template, { task: { input } });
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/** Shopify Liquid's escape_once: an `&` that already starts an entity (named or numeric) is kept. */
export function escapeOnce(value) {
  return String(value ?? '').replace(/["<>']|&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#\d+|#[xX][0-9a-fA-F]+);)/g, (c) => ESCAPES[c]);
}

/**
 * JSON whose text holds no `<`, `>`, `&` or `'` (written as \u escapes, the same value to a JSON
 * reader), so it cannot close a <script> or a single-quoted attribute, nor start an entity.
 */
export function toJson(value) {
  return (JSON.stringify(value ?? null) ?? 'null')
    .replace(/[<>&'\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Points a rendered template at local copies of its scripts: the component and the crowd stand-in. */
export function localize(html, { assetBase, crowdElements }) {
  return html.split(ASSET_PLACEHOLDER).join(assetBase).split(CROWD_ELEMENTS).join(crowdElements);
}
