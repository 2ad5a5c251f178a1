// Shared by every console page: htmx requests carry the session's CSRF token; Ensemble.fetch does the same for scripts.
(function () {
  function csrf() {
    var token = document.querySelector('meta[name="csrf-token"]');
    var header = document.querySelector('meta[name="csrf-header"]');
    return token && header ? { header: header.content, token: token.content } : null;
  }
  // The console's Content-Security-Policy allows no inline style or eval: htmx must not add its
  // indicator <style> (console.css has those rules) nor evaluate hx-on or filter expressions.
  if (window.htmx) {
    window.htmx.config.includeIndicatorStyles = false;
    window.htmx.config.allowEval = false;
  }
  // <select data-autosubmit> submits its form on change (no inline onchange handlers under the CSP).
  document.addEventListener('change', function (event) {
    var field = event.target;
    if (field.matches && field.matches('[data-autosubmit]') && field.form) { field.form.submit(); }
  });
  // <form data-confirm="question"> asks before it is sent (no inline onsubmit handlers under the CSP).
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // Bars drawn to a width given in data-percent (a style attribute would be blocked by the CSP).
  function sizeBars(root) {
    root.querySelectorAll('[data-percent]').forEach(function (bar) {
      var percent = parseFloat(bar.getAttribute('data-percent'));
      if (!isNaN(percent)) { bar.style.width = Math.max(0, Math.min(100, percent)) + '%'; }
    });
  }
  document.addEventListener('DOMContentLoaded', function () { sizeBars(document); });
  document.addEventListener('htmx:afterSwap', function (event) { sizeBars(event.detail.target || document); });
  // Forms marked data-swap-client-errors show a 4xx answer's fragment (htmx swaps only 2xx by default).
  document.addEventListener('htmx:beforeSwap', function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (source && source.closest && source.closest('[data-swap-client-errors]') && event.detail.xhr.status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener('htmx:configRequest', function (event) {
    var c = csrf();
    if (c) { event.detail.headers[c.header] = c.token; }
  });
  window.Ensemble = {
    /** fetch() with the CSRF header added for unsafe methods. */
    fetch: function (url, options) {
      options = options || {};
      var c = csrf();
      if (c && options.method && options.method.toUpperCase() !== 'GET') {
        options.headers = Object.assign({}, options.headers || {}, { [c.header]: c.token });
      }
      options.credentials = 'same-origin';
      return window.fetch(url, options);
    }
  };
})();

// Copy buttons (data-copy="<id of the element holding the text>"): the clipboard where the browser
// allows it; otherwise, and always as visible feedback, the text is selected for Ctrl+C.
document.addEventListener('click', function (event) {
  var button = event.target.closest('button[data-copy]');
  if (!button) { return; }
  var source = document.getElementById(button.getAttribute('data-copy'));
  var status = button.parentElement.querySelector('.copy-status');
  var range = document.createRange();
  range.selectNodeContents(source);
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  function say(text) { if (status) { status.textContent = text; } }
  function fallback() {
    var copied = false;
    try { copied = document.execCommand('copy'); } catch (e) { copied = false; }
    say(copied ? 'Copied.' : 'Selected: press Ctrl+C (⌘C) to copy.');
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.textContent.trim()).then(function () { say('Copied.'); }, fallback);
  } else {
    fallback();
  }
});
