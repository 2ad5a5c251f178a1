// The audit page's export links follow the filter form as it is now, not as the page was loaded.
(function () {
  var form = document.getElementById('audit-filters');
  if (!form) {
    return;
  }
  document.querySelectorAll('a.export').forEach(function (link) {
    link.addEventListener('click', function () {
      var query = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (value !== '' && name !== 'limit') {
          query.append(name, value);
        }
      });
      query.set('format', link.dataset.format);
      link.href = link.pathname + '?' + query.toString();
    });
  });
})();
