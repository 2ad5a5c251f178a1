// Shared by every console page: htmx requests carry the session's CSRF token; Ensemble.fetch does the same for scripts.
(function () {
  function csrf() {
    var token = document.querySelector('meta[name="csrf-token"]');
    var header = document.querySelector('meta[name="csrf-header"]');
    return token && header ? { header: header.content, token: token.content } : null;
  }
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
