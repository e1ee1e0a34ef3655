// SPDX-License-Identifier: MIT
// A local stand-in for the few crowd-html-elements the avseg templates use (crowd-form,
// crowd-button, crowd-alert), for previews and local labeling runs: Ground Truth's own script is
// not reachable outside its worker portal. What a form submits follows Ground Truth's rules:
// text inputs as strings, a checkbox as {"name": {"its value": bool}}, a radio group as
// {"group": {"option": true}}. The page says where answers go with
// <meta name="avseg-submit" content="URL"> (POSTed as JSON) or shows them with
// <meta name="avseg-preview">. Once the server has stored an answer (a 2xx), the form fires a
// bubbling `avseg-accepted` event, {answer, waitUntil(promise)}, and navigates only when the
// promises given to waitUntil settle (at most 3 s): the page deletes its draft then. Unlike Ground
// Truth's, this form says so (`reportsAcceptance`).

const meta = (name) => document.querySelector(`meta[name="${name}"]`);

function collect(form) {
  const answer = {};
  for (const el of form.querySelectorAll('input[name], textarea[name], select[name]')) {
    if (el.disabled) continue;
    // Keyed by the value attribute ("on" when it has none), as Ground Truth does; checkboxes sharing a name merge.
    if (el.type === 'checkbox') (answer[el.name] ??= {})[el.value] = el.checked;
    else if (el.type === 'radio') {
      answer[el.name] ??= {};
      answer[el.name][el.value] = el.checked;
    } else answer[el.name] = el.value;
  }
  return answer;
}

const ACCEPT_WAIT_MS = 3000;

class CrowdForm extends HTMLElement {
  #sending = false;

  get reportsAcceptance() { return true; }

  connectedCallback() {
    // Upgraded as soon as its start tag is parsed: look for a submit button once its content is there.
    const addButton = () => {
      if (this.querySelector('crowd-button[form-action="submit"]')) return;
      const button = document.createElement('crowd-button');
      button.setAttribute('form-action', 'submit');
      button.textContent = 'Submit';
      this.append(button);
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', addButton, { once: true });
    else addButton();
  }

  async submit() {
    if (this.#sending) return;
    const event = new Event('submit', { cancelable: true });
    this.dispatchEvent(event);
    if (event.defaultPrevented) return;
    const answer = collect(this);
    const preview = meta('avseg-preview');
    if (preview) {
      let out = document.getElementById('avseg-preview-output');
      if (!out) {
        out = document.createElement('pre');
        out.id = 'avseg-preview-output';
        document.body.append(out);
      }
      out.textContent = JSON.stringify(answer, null, 2);
      this.dispatchEvent(new CustomEvent('avseg-submitted', { detail: answer }));
      return;
    }
    const target = meta('avseg-submit')?.content;
    if (!target) throw new Error('this page has no <meta name="avseg-submit">: nowhere to send the answer');
    this.#sending = true;
    try {
      const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer }) });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.error ?? `the server answered ${response.status}`);
      const pending = [];
      this.dispatchEvent(new CustomEvent('avseg-accepted', { bubbles: true, detail: { answer, waitUntil: (p) => { pending.push(p); } } }));
      await Promise.race([Promise.allSettled(pending), new Promise((resolve) => { setTimeout(resolve, ACCEPT_WAIT_MS); })]);
      this.dispatchEvent(new CustomEvent('avseg-submitted', { detail: answer }));
      if (body.next) location.assign(body.next);
    } catch (err) {
      const alert = this.querySelector('crowd-alert') ?? document.createElement('crowd-alert');
      alert.setAttribute('type', 'error');
      alert.hidden = false;
      alert.textContent = `Not submitted (nothing is lost, try again): ${err.message}`;
      if (!alert.isConnected) this.prepend(alert);
    } finally {
      this.#sending = false;
    }
  }
}

class CrowdButton extends HTMLElement {
  connectedCallback() {
    if (!this.hasAttribute('role')) this.setAttribute('role', 'button');
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    if (this.dataset.wired) return;
    this.dataset.wired = '1';
    const press = () => {
      if (this.getAttribute('form-action') === 'submit') this.closest('crowd-form')?.submit();
    };
    this.addEventListener('click', press);
    this.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        press();
      }
    });
  }
}

class CrowdAlert extends HTMLElement {
  connectedCallback() {
    if (!this.hasAttribute('role')) this.setAttribute('role', 'alert');
  }
}

customElements.define('crowd-form', CrowdForm);
customElements.define('crowd-button', CrowdButton);
customElements.define('crowd-alert', CrowdAlert);
