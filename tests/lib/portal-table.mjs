// SPDX-License-Identifier: MIT
// The portal matrix's verdicts and the Markdown table doc/ground-truth.md shows
// (tests/browser/portal-matrix.test.mjs checks that the doc holds exactly this table).

/**
 * A cell's verdict from what was recorded: works fully; degraded (ready and submits, but warns or
 * loses the draft on reload); fails (never ready, or no answer).
 * @param {{ready: boolean, codes: string[], draft: string, submit: string, messages: string[]}} row
 */
export function outcome(row) {
  if (!row.ready || row.submit !== 'answer') return 'fails';
  if (row.codes.length || row.draft !== 'kept') return 'degraded';
  return 'works';
}

/** What the annotator is shown; a cell that degrades or fails without a word is a bug. */
export const shownText = (e) => (e.messages.length ? e.messages.join(' / ') : e.result === 'works' ? '—' : 'no message: BUG');

const cellText = (s) => String(s).replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

/** The Markdown table: one row per cell (and per skipped cell), with what to ask the portal owner for. */
export function matrixTable(cells, skipped, expected, { ask, clear }, idOf) {
  const lines = [
    '| Sandbox (`allow-`) | Framing | Content-Security-Policy | Cross-site storage | Module scripts ran | Ready | Error codes | Draft after reload | Submit | Result | What the annotator is shown | Does it say the cause? | Ask the portal owner for |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const c of cells) {
    const id = idOf(c);
    const e = expected[id];
    if (!e) {
      lines.push(`| ${cellText(c.sandbox)} | ${c.framing} | ${cellText(c.csp)} | ${c.storage} | (not recorded) | | | | | | | | |`);
      continue;
    }
    const codes = e.codes.length ? e.codes.map((c) => `\`${c}\``).join(', ') : '—';
    lines.push(`| ${cellText(c.sandbox)} | ${c.framing} | ${cellText(c.csp)} | ${c.storage} | ${e.modules ? 'yes' : 'no'} | ${e.ready ? 'yes' : 'no'} | ${codes} | ${e.draft} | ${e.submit} | **${e.result}** | ${cellText(shownText(e))} | ${cellText(clear[id] ?? '—')} | ${cellText(ask[id] ?? '—')} |`);
  }
  for (const c of skipped) {
    lines.push(`| ${cellText(c.sandbox)} | ${c.framing} | ${cellText(c.csp)} | ${c.storage} | | | | | | skipped | ${cellText(c.reason)} | | |`);
  }
  return lines.join('\n');
}

/** The text of a `## heading` section of a Markdown document, up to the next `## `. */
export function section(markdown, heading) {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) return '';
  const rest = markdown.slice(start + heading.length + 5);
  const end = rest.search(/\n## /);
  return end < 0 ? rest : rest.slice(0, end);
}
