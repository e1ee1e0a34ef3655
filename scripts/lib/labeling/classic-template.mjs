// SPDX-License-Identifier: MIT
// The classic-script variant of a task template (doc/ground-truth.md, "Classic scripts"): each
// module script from the asset base, <script type="module" src="__AVSEG_ASSET_BASE__/NAME.js">,
// becomes <script src="__AVSEG_ASSET_BASE__/NAME.classic.js" defer> (scripts/build-classic.mjs's
// bundle of it; defer runs it after the page is parsed, as a module script would be).
const MODULE_SCRIPT = /<script\s+type="module"\s+src="__AVSEG_ASSET_BASE__\/([\w-]+)\.js"\s*><\/script>/g;

/** `html` (a Liquid template) with its module scripts swapped for their classic bundles. */
export function classicTemplate(html) {
  const out = html.replace(MODULE_SCRIPT, '<script src="__AVSEG_ASSET_BASE__/$1.classic.js" defer></script>');
  // Anything else of type module (inline, another host) has no classic bundle: say so, not a page that half works.
  const left = /<script\b[^>]*\btype\s*=\s*["']?module\b[^>]*>/i.exec(out);
  if (left) throw new Error(`the template has a module script with no classic bundle: ${left[0]}`);
  return out;
}
