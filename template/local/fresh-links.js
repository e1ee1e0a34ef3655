// SPDX-License-Identifier: MIT
// The local run's task page: s3:// media is read through a presigned link that works for a
// limited time (AVSEG_S3_LINK_SECONDS, 6 hours by default). When the editor says the link expired
// (`link-expired`), the page asks the run for a fresh link of the same item
// (<meta name="avseg-media-link">) and hands it to the editor, which checks it is the same file
// and reads on: nothing drawn or annotated is lost. Ground Truth cannot do this (its
// grant_read_access signs when the task is rendered): there, the task is reopened.

const endpoint = document.querySelector('meta[name="avseg-media-link"]')?.content;
let asking = null;

function say(text) {
  let box = document.querySelector('[data-avseg-link-problem]');
  if (!box && text) {
    box = document.createElement('p');
    box.className = 'error';
    box.setAttribute('role', 'alert');
    box.dataset.avsegLinkProblem = '';
    (document.querySelector('.task') ?? document.body).prepend(box);
  }
  if (box) {
    box.textContent = text;
    box.hidden = !text;
  }
}

async function freshLink(editor, clip) {
  // A comparison's clip is named by its place in the manifest line.
  const url = new URL(endpoint, location.href);
  if (clip !== undefined) url.searchParams.set('clip', String(clip));
  const response = await fetch(url, { method: 'POST', credentials: 'same-origin', cache: 'no-store' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.url !== 'string') throw new Error(body.error ?? `the run answered HTTP ${response.status}`);
  await editor.refreshSource(body.url);
}

function onExpired(e, editor, clip) {
  if (!endpoint || editor?.localName !== 'avseg-editor' || e.detail?.code !== 'link-expired' || asking) return;
  asking = freshLink(editor, clip).then(
    () => {
      say('');
      document.dispatchEvent(new CustomEvent('avseg-link-refreshed', { detail: { src: editor.src } }));
    },
    (err) => say(`A fresh link to the media could not be had: ${err.message}. Your work is kept as a draft in this browser: reload the page to go on.`),
  ).finally(() => { asking = null; });
}

// Capturing: the element's `error` events do not bubble.
document.addEventListener('error', (e) => onExpired(e, e.target), true);

// A comparison's editors are inside <avseg-compare>, whose events do not leave it: each is
// listened to once the clips are shown, and known by the address it was given (the template's
// list of clips, in manifest order).
const compare = document.querySelector('avseg-compare');
compare?.addEventListener('ready', () => {
  const given = [...document.querySelectorAll('[data-avseg-clips] li')].map((li) => li.dataset.src);
  for (const editor of compare.editors) {
    const clip = given.indexOf(editor.src);
    if (clip < 0 || editor.avsegFreshLinks) continue;
    editor.avsegFreshLinks = true;
    editor.addEventListener('error', (e) => onExpired(e, editor, clip));
  }
});
