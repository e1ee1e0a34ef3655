// SPDX-License-Identifier: MIT
// The local run's task page: the run keeps the annotator's unsaved draft of the item
// (<meta name="avseg-draft-store">), and the editor saves there first (`editor.draftStore`), so a
// page whose browser keeps no draft (framed by another site with third-party storage blocked, a
// private window) loses nothing on a reload. Only this page's own origin may reach it.

const endpoint = document.querySelector('meta[name="avseg-draft-store"]')?.content;

async function call(method, body) {
  const response = await fetch(endpoint, {
    method,
    credentials: 'same-origin',
    cache: 'no-store',
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 204) return {};
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error ?? `the labeling run answered HTTP ${response.status}`);
  return answer;
}

// One task, one draft: the run keys it by the annotator and the item, whatever the editor's key.
const store = {
  description: 'saved by the labeling run',
  load: async () => (await call('GET')).draft ?? undefined,
  save: (key, draft) => call('PUT', { draft }),
  remove: () => call('DELETE'),
};

const give = () => { for (const editor of document.querySelectorAll('avseg-editor')) editor.draftStore = store; };
// Also runs as a classic script (no imports): one in the head waits for the task's markup.
if (endpoint && document.readyState === 'loading') document.addEventListener('DOMContentLoaded', give, { once: true });
else if (endpoint) give();
