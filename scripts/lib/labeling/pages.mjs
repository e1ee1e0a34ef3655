// SPDX-License-Identifier: MIT
// The local run's own pages around a task: who is annotating, where they are in the manifest.
// Everything inserted is escaped; the task itself is the rendered template, as Ground Truth shows it.

export const esc = (v) => String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function page({ title, head = '', body }) {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/local.css">
<title>${esc(title)}</title>
${head}
<body>
${body}
</body>
</html>
`;
}

/** Loopback runs without personal links: annotators say who they are. */
export function namePage({ job, action, error = '' }) {
  return page({
    title: `${job}: who is annotating?`,
    body: `<main class="card">
  <h1>${esc(job)}</h1>
  <form method="get" action="${esc(action)}">
    <label>Your name <input name="worker" required maxlength="64" pattern="[A-Za-z0-9 ._\\-]+" autofocus></label>
    <button type="submit">Start</button>
  </form>
  ${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
  <p class="hint">Your name is recorded with each answer. Letters, digits, spaces, dots, dashes and underscores.</p>
</main>`,
  });
}

/**
 * @param {{job: string, worker: string, item: any, total: number, done: number[], template: string,
 *          submitUrl?: string, preview?: boolean, prev?: string, next?: string, answered: boolean,
 *          mediaLinkUrl?: string, freshLinks?: string, draftStoreUrl?: string, draftStore?: string}} o
 *          mediaLinkUrl: where the page asks for a fresh media link once its presigned one expires
 *          (freshLinks: the script that asks); draftStoreUrl: where the run keeps the task's draft
 *          (draftStore: the script giving it to the editor)
 */
export function taskPage(o) {
  const nav = [
    o.prev ? `<a href="${esc(o.prev)}" rel="prev">← Previous item</a>` : '<span></span>',
    `<span class="item-progress" aria-live="polite">Item ${o.item.index + 1} of ${o.total}${o.answered ? ' · answered (submitting again replaces your answer)' : ''}${o.full ? ' · already has all its answers' : ''} · ${o.done.length} of ${o.total} done by you</span>`,
    o.next ? `<a href="${esc(o.next)}" rel="next">Next item →</a>` : '<span></span>',
  ].join('\n    ');
  const head = [
    o.submitUrl ? `<meta name="avseg-submit" content="${esc(o.submitUrl)}">` : '',
    o.preview ? '<meta name="avseg-preview" content="">' : '',
    o.mediaLinkUrl ? `<meta name="avseg-media-link" content="${esc(o.mediaLinkUrl)}">` : '',
    o.freshLinks ? `<script type="module" src="${esc(o.freshLinks)}"></script>` : '',
    // The run keeps the draft too, for a browser that keeps none (a cross-site frame, a private window).
    o.draftStoreUrl ? `<meta name="avseg-draft-store" content="${esc(o.draftStoreUrl)}">` : '',
    o.draftStoreUrl && o.draftStore ? `<script type="module" src="${esc(o.draftStore)}"></script>` : '',
    // Drafts are kept per annotator: several may share one browser.
    `<meta name="avseg-task-scope" content="${esc(`${o.job}/${o.worker}`)}">`,
  ].join('\n');
  return page({
    title: `${o.job}: item ${o.item.index + 1} of ${o.total}`,
    head,
    body: `<header class="bar">
  <strong>${esc(o.job)}</strong> <span>${esc(o.worker)}</span>
  <nav>
    ${nav}
  </nav>
</header>
<div class="task">
${o.template}
</div>`,
  });
}

export function donePage({ job, worker, output, review }) {
  return page({
    title: `${job}: done`,
    body: `<main class="card">
  <h1>All done, ${esc(worker)}</h1>
  <p>Every item has its answers.${output ? ` The output is in <code>${esc(output)}</code>.` : ''}</p>
  <p><a href="${esc(review)}">Review your answers from the first item</a></p>
</main>`,
  });
}

/**
 * The person running the job: everyone's personal links, and a form making one for a new name.
 * @param {{job: string, annotators: {name: string, link: string, done: number}[], total: number,
 *          action: string, added?: string, error?: string}} o
 */
export function adminPage(o) {
  const rows = o.annotators.map((a) => `<tr><td>${esc(a.name)}</td><td><a href="${esc(a.link)}">${esc(a.link)}</a></td><td>${a.done} of ${o.total}</td></tr>`);
  return page({
    title: `${o.job}: annotators`,
    body: `<main class="card wide">
  <h1>${esc(o.job)}: annotators</h1>
  <p class="hint">Each link signs in as that annotator: give it to them alone. Whoever has it can see and change their answers.</p>
  ${o.added ? `<p class="ok" role="status">Link made for ${esc(o.added)}.</p>` : ''}
  ${o.error ? `<p class="error" role="alert">${esc(o.error)}</p>` : ''}
  <table>
    <thead><tr><th>Name</th><th>Personal link</th><th>Done</th></tr></thead>
    <tbody>${rows.join('') || '<tr><td colspan="3">No annotators yet.</td></tr>'}</tbody>
  </table>
  <form method="post" action="${esc(o.action)}">
    <label>New annotator <input name="name" required maxlength="64" pattern="[A-Za-z0-9 ._\\-]+"></label>
    <button type="submit">Make a link</button>
  </form>
</main>`,
  });
}

export const css = `body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2633; background: #f5f7fa; }
.card { max-width: 36rem; margin: 3rem auto; background: #fff; padding: 1.5rem 2rem; border: 1px solid #d5dce5; border-radius: 6px; }
.bar { display: flex; gap: 1rem; align-items: center; padding: .5rem 1rem; background: #fff; border-bottom: 1px solid #d5dce5; }
.bar nav { display: flex; gap: 1rem; flex: 1; justify-content: space-between; }
.task { padding: 1rem; background: #fff; }
.wide { max-width: 60rem; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { text-align: left; padding: .2rem .6rem; border-bottom: 1px solid #d5dce5; word-break: break-all; }
.ok { color: #1c5e2a; }
.error { color: #8a1c1c; }
.hint { color: #4a5566; }
crowd-alert { display: block; margin: .5rem 0; padding: .5rem .75rem; border: 1px solid #e0a3a3; background: #fdf0f0; color: #8a1c1c; border-radius: 4px; white-space: pre-wrap; }
crowd-alert[hidden] { display: none; }
crowd-button { display: inline-block; margin-top: 1rem; padding: .4rem 1.2rem; border-radius: 4px; background: #2f6fb3; color: #fff; cursor: pointer; }
crowd-button:focus-visible { outline: 2px solid #1d2633; outline-offset: 2px; }
.avseg-task-info { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: .5rem 0; }
.avseg-task-info dt { font-weight: 600; }
.avseg-task-info dd { margin: 0; }
#avseg-preview-output { margin: 1rem; padding: 1rem; background: #fff; border: 1px solid #d5dce5; white-space: pre-wrap; }
`;
