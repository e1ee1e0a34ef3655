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

const yesNo = (v) => (v === true ? 'yes' : v === false ? 'no' : '?');
const code = (v) => (v ? `\`${v}\`` : '—');

/** The Markdown table: one row per cell, with what to ask the portal owner for. */
export function matrixTable(cells, expected, { ask, clear }, idOf) {
  const lines = [
    '| Browser | Template | Sandbox (`allow-`) | Framing | Content-Security-Policy | CDN answers CORS to | Cross-site storage | Element defined | Module code | Ready | Core ran on | Wasm via | Drafts kept in | Storage access asked on a click | Error codes | Draft after reload | Submit | Result | What the annotator is shown | Does it say the cause? | Ask the portal owner for |',
    `|${' --- |'.repeat(21)}`,
  ];
  const where = (c) => `| ${c.browser} | ${c.template} | ${cellText(c.sandbox)} | ${c.framing} | ${cellText(c.csp)} | ${c.cdn === 'any' ? 'any origin' : cellText(c.cdn)} | ${c.storage} |`;
  for (const c of cells) {
    const id = idOf(c);
    const e = expected[id];
    if (!e) {
      lines.push(`${where(c)} (not recorded) |${' |'.repeat(13)}`);
      continue;
    }
    const codes = e.codes.length ? e.codes.map((c) => `\`${c}\``).join(', ') : '—';
    lines.push(`${where(c)} ${yesNo(e.defined)} | ${yesNo(e.modules)} | ${yesNo(e.ready)} | ${code(e.coreThread)} | ${code(e.wasmVia)} | ${code(e.draftStorage)} | ${e.storageAccess} | ${codes} | ${e.draft} | ${e.submit} | **${e.result}** | ${cellText(shownText(e))} | ${cellText(clear[id] ?? '—')} | ${cellText(ask[id] ?? '—')} |`);
  }
  return lines.join('\n');
}

/** The sentence doc/ground-truth.md gives the counts of each result in. */
export function summary(expected) {
  const n = { works: 0, degraded: 0, fails: 0 };
  for (const e of Object.values(expected)) n[e.result] += 1;
  return `Of ${Object.keys(expected).length} cells, ${n.works} work fully, ${n.degraded} degrade with a message and submit the answer, ${n.fails} fail.`;
}

/** The text of a `## heading` section of a Markdown document, up to the next `## `. */
export function section(markdown, heading) {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) return '';
  const rest = markdown.slice(start + heading.length + 5);
  const end = rest.search(/\n## /);
  return end < 0 ? rest : rest.slice(0, end);
}
