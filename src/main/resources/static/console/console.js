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
