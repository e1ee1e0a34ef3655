// SPDX-License-Identifier: MIT
// The task templates' guard: a classic script (no module, no import) loaded before the editor's own
// script, so that when that script cannot load (an opaque sandboxed frame sending Origin: null to
// an asset host that does not answer CORS for it, a host with no CORS at all, module scripts
// refused) the annotator is told why in the template's [data-avseg-alert] and the form cannot
// submit an empty answer. Once <avseg-editor> is defined it does nothing (doc/ground-truth.md).
(function () {
  'use strict';
  var me = document.currentScript;
  if (!me || !me.src || typeof customElements === 'undefined') return;
  var base = new URL('.', me.src).href;
  var host = new URL(base).origin;
  // What defines the editor: the task glue (module or classic) or the element alone.
  var EDITOR_SCRIPT = /^(crowd-task|avseg)(\.classic)?\.js$/;
  var GRACE_MS = 2000;
  var CLASSIC = 'use the classic variant of this template (dist/templates/*-classic.liquid.html, made by scripts/build), which needs no CORS '
    + '(its scripts are classic, and it brings the editor\'s .wasm files in as scripts where fetching them is refused)';
  var over = false;

  function editorScript(el) {
    return el instanceof HTMLScriptElement && el !== me && el.src.indexOf(base) === 0
      && EDITOR_SCRIPT.test(el.src.slice(base.length).split(/[?#]/)[0]);
  }
  function defined() { return !!customElements.get('avseg-editor'); }

  function standDown() {
    over = true;
    document.removeEventListener('error', onError, true);
  }
  function onError(e) {
    if (!over && editorScript(e.target) && !defined()) fail(e.target);
  }
  document.addEventListener('error', onError, true);
  customElements.whenDefined('avseg-editor').then(standDown);
  // A script refused without an error event (dropped by the portal, or failing while it ran).
  function late() {
    setTimeout(function () {
      if (!over && !defined()) fail(null);
    }, GRACE_MS);
  }
  if (document.readyState === 'complete') late();
  else window.addEventListener('load', late, { once: true });

  // A request like the script's, with CORS (does the host answer this origin?) and without (does it answer at all?).
  function probe(url) {
    var out = { cors: false, status: 0, reachable: false };
    return fetch(url, { mode: 'cors', credentials: 'omit', cache: 'no-store' }).then(function (r) {
      out.cors = true;
      out.reachable = true;
      out.status = r.status;
    }, function () {
      return fetch(url, { mode: 'no-cors', credentials: 'omit', cache: 'no-store' }).then(function () { out.reachable = true; }, function () {});
    }).then(function () { return out; });
  }

  function fail(script) {
    if (over) return;
    over = true;
    document.removeEventListener('error', onError, true);
    var reason = 'This task cannot be submitted: the annotation editor did not load, so an answer from this page would be empty.';
    block(reason);
    var scripts = Array.prototype.filter.call(document.scripts, editorScript);
    var target = script || scripts[0] || null;
    say(reason);
    if (!target) {
      say('The annotation editor did not start: <avseg-editor> is still not defined after the page loaded. The page holds no editor script from the asset host '
        + host + ': the portal removed it (a portal that refuses module scripts may drop them). What to do: ' + CLASSIC + '. ' + reason + ' Please tell the requester of this task.');
      return;
    }
    var file = target.src.slice(base.length).split(/[?#]/)[0];
    probe(target.src).then(function (p) {
      say(explain({ file: file, module: target.type === 'module', errored: !!script, probe: p }) + ' ' + reason + ' Please tell the requester of this task.');
    });
  }

  function explain(o) {
    var opaque = self.origin === 'null';
    var head = o.errored
      ? 'The annotation editor could not be loaded: the browser refused its script ' + o.file + ' from the asset host ' + host + '.'
      : 'The annotation editor did not start: <avseg-editor> is still not defined after the page loaded (its script ' + o.file + ' from the asset host ' + host + ' did not run).';
    if (o.probe.cors && o.probe.status >= 400) {
      return head + ' The asset host answered HTTP ' + o.probe.status + ' for ' + o.file + ': upload dist/ whole to the asset base, or correct the asset base in the template.';
    }
    if (!o.probe.reachable) {
      return head + ' The asset host ' + host + ' did not answer a request from this page: it is unreachable, or the page\'s Content-Security-Policy refuses it (ask the portal\'s owner for ' + host + ' in script-src and connect-src).';
    }
    if (!o.module) {
      return head + ' The host answers, so the page refused the script: the portal\'s Content-Security-Policy (script-src) may not allow ' + host + ' (see the browser\'s console).';
    }
    var causes = [];
    if (!o.probe.cors && opaque) {
      causes.push('this task\'s frame has an opaque origin (the portal\'s iframe sandbox lacks allow-same-origin), so the module script\'s request carried Origin: null, and ' + host + ' does not answer CORS for that origin');
    }
    if (!o.probe.cors) {
      causes.push(host + ' sends no CORS header (Access-Control-Allow-Origin) ' + (opaque ? 'at all' : 'for this page\'s origin ' + self.origin) + ', which a module script needs');
    }
    causes.push('the portal refuses module scripts' + (o.probe.cors ? ' (' + host + ' answers CORS here, so the script itself was refused)' : ''));
    // The classic build needs no CORS at all: its scripts are classic, and where a .wasm's fetch is
    // refused it brings the bytes in as a script too (wasm-script.js).
    var todo;
    if (o.probe.cors) todo = 'What to do: ' + CLASSIC + '.';
    else if (opaque) {
      todo = 'What to do: ' + CLASSIC + ': it works in this frame as it is. Or ask the portal\'s owner to add allow-same-origin to the iframe sandbox '
        + '(the frame then sends the portal\'s origin), or have ' + host + ' answer CORS to any origin (Access-Control-Allow-Origin: *), since a sandboxed frame sends Origin: null.';
    } else {
      todo = 'What to do: ' + CLASSIC + '. Or have ' + host + ' answer CORS for the portal\'s origin ' + self.origin + ' (Access-Control-Allow-Origin).';
    }
    return head + ' Likely causes, in order: ' + causes.map(function (c, i) { return '(' + (i + 1) + ') ' + c; }).join('; ') + '. ' + todo;
  }

  function say(text) {
    var box = document.querySelector('[data-avseg-alert]');
    if (!box) {
      box = document.createElement('div');
      box.setAttribute('role', 'alert');
      box.setAttribute('data-avseg-alert', '');
      var form = document.querySelector('crowd-form');
      if (form) form.prepend(box);
      else document.body.prepend(box);
    }
    box.textContent = text;
    box.hidden = false;
    box.setAttribute('data-avseg-guard', '');
  }

  // crowd-form's submit: the stand-in dispatches a submit event on itself from its button; the real
  // one submits a form. Both are stopped before they reach their target, and the answer's input is
  // made invalid, so a form that submits with validation refuses it too.
  function block(reason) {
    var show = function () {
      var box = document.querySelector('[data-avseg-alert]');
      if (box && box.scrollIntoView) box.scrollIntoView({ block: 'nearest' });
    };
    var stop = function (e) {
      e.preventDefault();
      e.stopImmediatePropagation();
      show();
    };
    var SUBMITTERS = 'crowd-button[form-action="submit"], button[type="submit"], input[type="submit"]';
    var isSubmitter = function (e) { return e.target && e.target.closest && e.target.closest(SUBMITTERS); };
    window.addEventListener('submit', stop, true);
    window.addEventListener('click', function (e) { if (isSubmitter(e)) stop(e); }, true);
    window.addEventListener('keydown', function (e) { if ((e.key === 'Enter' || e.key === ' ') && isSubmitter(e)) stop(e); }, true);
    var editor = document.querySelector('avseg-editor');
    var name = (editor && editor.getAttribute('data-avseg-output')) || 'annotations';
    Array.prototype.forEach.call(document.querySelectorAll('input[name]'), function (input) {
      if (input.name !== name) return;
      input.value = '';
      input.type = 'text';
      input.hidden = true;
      input.required = true;
      input.setCustomValidity(reason);
      input.setAttribute('data-avseg-blocked', reason);
    });
  }
}());
