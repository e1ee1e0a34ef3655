// SPDX-License-Identifier: MIT
// The report as one self-contained HTML page: inline SVG plots, one stylesheet allowed by its
// hash in a Content-Security-Policy that allows nothing else (no script, no network).
import { createHash } from 'node:crypto';
import { formatP } from './figures.mjs';
import { bars, dotWhisker, esc, heatMap, short } from './svg.mjs';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 980px; padding: 16px 24px 48px; }
h1 { font-size: 1.5em; margin: 0.4em 0; }
h2 { font-size: 1.2em; margin: 1.6em 0 0.4em; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
h3 { font-size: 1em; margin: 1em 0 0.3em; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; vertical-align: top; }
th { background: #f3f3f3; }
th[scope=row], th[scope=col]:first-child, td.text { text-align: left; max-width: 28em; overflow-wrap: anywhere; }
dl.counts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
dl.counts dt { font-weight: 600; }
dl.counts dd { margin: 0; overflow-wrap: anywhere; }
.plot { display: block; max-width: 100%; height: auto; margin: 8px 0; font: 12px sans-serif; }
.plot .grid { stroke: #e4e4e4; }
.plot .axis { stroke: #888; }
.plot .tick, .plot .na { fill: #555; font-size: 11px; }
.plot .axis-label { fill: #333; }
.plot .label, .plot .cell-text { fill: #1a1a1a; }
.plot .dot { fill: #2166ac; }
.plot .whisker { stroke: #2166ac; stroke-width: 2; }
.plot .reference { stroke: #b2182b; stroke-dasharray: 4 3; }
.plot .bar { fill: #2166ac; }
.plot .bar.negative { fill: #b2182b; }
p.verdict { font-weight: 600; }
p.verdict.significant { color: #8a1020; }
.note { color: #555; }
`;

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const ci = (c, reason) => (Array.isArray(c) && Number.isFinite(c[0]) && Number.isFinite(c[1]) ? `${fmt(c[0])} to ${fmt(c[1])}` : reason ? `n/a (${reason})` : 'n/a');
// Names, prompts and reasons come from the answers: isolated, so a right-to-left or override
// character in one cannot reorder the text around it.
const iso = (t) => `<bdi>${esc(t)}</bdi>`;
const fsi = (t) => `\u2068${t}\u2069`;
const taskName = (t, i) => (t.taskId !== null && t.taskId !== undefined ? String(t.taskId) : t.prompt !== null && t.prompt !== undefined ? String(t.prompt) : `task ${i + 1}`);

const majorityText = (m) => (!m ? 'n/a' : { html: m.value === null ? `none (${m.tied.map(iso).join(' / ')} tied)` : `${iso(m.value)} (${m.share === 1 ? 'all' : `${Math.round(100 * m.share)}%`} of ${m.n})` });

/** Numbers (and n/a, ranges) are right-aligned; words are not (and are isolated); {html} is written as is. */
const numeric = (c) => typeof c === 'number' || /^(n\/a|-?[\d.e+-]+( to -?[\d.e+-]+)?|yes|no|)$/.test(String(c));

function table(head, rows, caption) {
  return `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${head.map((h) => `<th scope="col">${h?.html ?? esc(h)}</th>`).join('')}</tr></thead>`
    + `<tbody>${rows.map((r) => `<tr>${r.map((c, i) => {
      const html = c?.html ?? (numeric(c) ? esc(c) : iso(c));
      return i === 0 ? `<th scope="row">${html}</th>` : `<td${c?.html === undefined && numeric(c) ? '' : ' class="text"'}>${html}</td>`;
    }).join('')}</tr>`).join('')}</tbody></table>`;
}

const section = (id, title, body) => `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${esc(title)}</h2>${body}</section>`;

/** @param {ReturnType<import('./figures.mjs').figures> & {generatedAt: string, inputs: string[]}} r */
export function reportHtml(r) {
  const names = r.systems.map((s) => s.system);
  const summary = section('summary', 'Job', `<dl class="counts">
<dt>Tasks</dt><dd>${r.counts.tasks}</dd>
<dt>Annotators</dt><dd>${r.counts.annotators}</dd>
<dt>Judgements</dt><dd>${r.counts.judgements} (${plural(r.counts.pairs, 'pairwise comparison')})</dd>
<dt>Systems</dt><dd>${names.length}</dd>
<dt>Made</dt><dd><time datetime="${esc(r.generatedAt)}">${esc(r.generatedAt)}</time></dd>
<dt>Inputs</dt><dd>${r.inputs.map((i) => `<code>${esc(i)}</code>`).join('<br>')}</dd>
</dl>`);

  const bt = section('bradley-terry', 'Bradley-Terry scores', dotWhisker(r.systems.map((s) => ({ label: s.system, value: s.score, lo: s.ci?.[0], hi: s.ci?.[1] })), {
    title: 'Bradley-Terry score per system',
    desc: `Log-strength of each system (mean 0) with its 95% bootstrap confidence interval, best first: ${r.systems.map((s) => `${fsi(s.system)} ${fmt(s.score)}`).join(', ')}.`,
    axisLabel: 'Bradley-Terry score (log-strength)',
    reference: 0,
  }) + table(['System', 'Score', '95% CI', 'Wins', 'Losses', 'Ties', 'Comparisons'], r.systems.map((s) => [s.system, fmt(s.score), ci(s.ci, s.ciReason), s.wins, s.losses, s.ties, s.n])));

  const w = r.winRates;
  const wr = section('win-rates', 'Win rates', `<p class="note">Each cell: how often the row's system beat the column's (ties count half).</p>`
    + heatMap(w.systems, w.rate, w.n, { title: 'Win-rate matrix', desc: 'Share of comparisons the row system won against the column system; blue above half, red below.' })
    + `<table class="heat"><thead><tr><th scope="col">Row beat column</th>${w.systems.map((s) => `<th scope="col">${iso(s)}</th>`).join('')}</tr></thead><tbody>`
    + w.systems.map((a, i) => `<tr><th scope="row">${iso(a)}</th>${w.systems.map((_, j) => (i === j ? '<td>\u2013</td>' : `<td>${Number.isFinite(w.rate[i][j]) ? `${(100 * w.rate[i][j]).toFixed(0)}% <span class="note">(${w.n[i][j]})</span>` : 'n/a'}</td>`)).join('')}</tr>`).join('')
    + '</tbody></table>');

  const mos = section('mos', 'MOS per criterion', r.criteria.length
    ? r.criteria.map((c) => {
      const rows = r.mos.filter((m) => m.criterion === c);
      return `<h3>${iso(c)}</h3>` + dotWhisker(rows.map((m) => ({ label: m.system, value: m.mean, lo: m.ci[0], hi: m.ci[1] })), {
        title: `MOS for ${c} per system`,
        desc: `Mean rating for ${fsi(c)} with its 95% confidence interval: ${rows.map((m) => `${fsi(m.system)} ${fmt(m.mean)}`).join(', ')}.`,
        axisLabel: `Mean ${c} rating`,
      }) + table(['System', 'MOS', '95% CI', 'Ratings'], rows.map((m) => [m.system, fmt(m.mean), ci(m.ci), m.n]));
    }).join('')
    : '<p>No ratings in these answers.</p>');

  const cmos = section('cmos', 'CMOS per pair', r.cmos.length
    ? '<p class="note">Mean comparison score of the second system relative to the first (+3 much better, \u22123 much worse), with its 95% confidence interval.</p>'
      + dotWhisker(r.cmos.map((c) => ({ label: `${short(c.second, 12)} vs ${short(c.first, 12)}`, full: `${fsi(c.second)} vs ${fsi(c.first)}`, value: c.mean, lo: c.ci[0], hi: c.ci[1] })), {
        title: 'CMOS per pair of systems',
        desc: `Mean CMOS of each pair: ${r.cmos.map((c) => `${c.second} vs ${c.first} ${fmt(c.mean)}`).join(', ')}.`,
        axisLabel: 'CMOS (second relative to first)',
        domain: [-3, 3],
        reference: 0,
      }) + table(['Pair', 'CMOS', '95% CI', 'Judgements'], r.cmos.map((c) => [{ html: `${iso(c.second)} vs ${iso(c.first)}` }, fmt(c.mean), ci(c.ci), c.n]))
    : '<p>No two-clip preferences with a CMOS in these answers.</p>');

  const a = r.agreement;
  const agreementRows = [
    { label: "Overall: Fleiss' kappa (judgements)", value: a.overall.kappa },
    ...r.criteria.map((c) => ({ label: `Overall: Krippendorff's alpha (${c})`, value: a.overall.alpha[c] })),
    ...a.tasks.flatMap((t, i) => [{ label: `${taskName(t, i)}: kappa`, value: t.kappa }, ...r.criteria.map((c) => ({ label: `${taskName(t, i)}: alpha (${c})`, value: t.alpha[c] }))]),
  ];
  const agreement = section('agreement', 'Agreement', bars(agreementRows, {
    title: 'Agreement overall and per task',
    desc: `Fleiss' kappa of the judgements and Krippendorff's alpha (interval) of each rating criterion; 1 is full agreement, 0 what chance gives. Overall kappa ${fmt(a.overall.kappa, 3)}.`,
    axisLabel: 'Agreement (kappa, alpha)',
    domain: [-1, 1],
  }) + `<p class="note">${a.overall.kappaItems ? `Overall kappa is over the ${plural(a.overall.kappaItems, 'pair')} of clips judged by ${a.overall.kappaRaters} annotators (the usual number; kappa needs the same number for each)` : 'Kappa needs at least two annotators of a task'}; n/a means too few answers for the figure.</p>`
    + table(['Task', 'Prompt', 'Annotators', 'Majority judgement', "Fleiss' kappa", ...r.criteria.map((c) => ({ html: `alpha (${iso(c)})` }))], [
      ['Overall', '', r.counts.annotators, '', fmt(a.overall.kappa, 3), ...r.criteria.map((c) => fmt(a.overall.alpha[c], 3))],
      ...a.tasks.map((t, i) => [taskName(t, i), t.prompt ?? '', t.annotators, majorityText(t.majority), fmt(t.kappa, 3), ...r.criteria.map((c) => fmt(t.alpha[c], 3))]),
    ]));

  const b = r.orderBias;
  const bias = section('order-bias', 'Order bias', `<p class="verdict${b.significant ? ' significant' : ''}">${esc(b.sentence)}</p>`
    + bars([{ label: 'First-shown clip won', value: b.share }], {
      title: 'Share of comparisons won by the first-shown clip',
      desc: `The first-shown clip won ${Number.isFinite(b.share) ? `${fmt(100 * b.share, 1)}%` : 'none'} of ${b.n} decided comparisons; without order bias it would be near 50% (dashed line). Two-sided binomial p = ${Number.isFinite(b.pValue) ? formatP(b.pValue) : 'n/a'}.`,
      axisLabel: 'Share won by the first-shown clip',
      domain: [0, 1],
      reference: 0.5,
    }) + table(['Measure', 'Value'], [['Share won by the first-shown clip', fmt(b.share, 3)], ['Decided comparisons', b.n], ['p-value (two-sided binomial)', Number.isFinite(b.pValue) ? formatP(b.pValue) : 'n/a'], ['Significant at 0.05', b.significant ? 'yes' : 'no']]));

  const style = STYLE.trim();
  const hash = createHash('sha256').update(style).digest('base64');
  const csp = `default-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; base-uri 'none'; form-action 'none'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>avseg comparison report (${plural(r.counts.tasks, 'task')}, ${plural(r.counts.judgements, 'judgement')})</title>
<style>${style}</style>
</head>
<body>
<main>
<h1>Comparison report</h1>
${summary}
${bt}
${wr}
${mos}
${cmos}
${agreement}
${bias}
</main>
</body>
</html>
`;
}
