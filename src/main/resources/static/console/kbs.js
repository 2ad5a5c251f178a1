// A knowledge base's page: uploads with a progress bar (XMLHttpRequest upload events), then the
// ingestion job polled until it finishes and the documents table refreshed.
(function () {
  function csrfHeaders(xhr) {
    var token = document.querySelector('meta[name="csrf-token"]');
    var header = document.querySelector('meta[name="csrf-header"]');
    if (token && header) { xhr.setRequestHeader(header.content, token.content); }
  }

  function errorMessage(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body.error && body.error.message) { return body.error.message; }
      if (body.message) { return body.message; }
    } catch (ignored) { /* not JSON */ }
    return 'The server answered ' + xhr.status;
  }

  function refreshDocuments() {
    var documents = document.getElementById('documents');
    if (documents && window.htmx) {
      htmx.ajax('GET', documents.dataset.refresh, { target: '#documents', swap: 'outerHTML' });
    }
  }

  function poll(page, jobId, statusLine, errors) {
    Ensemble.fetch('/console/kbs/' + encodeURIComponent(page.dataset.kbId) + '/jobs/' + jobId)
      .then(function (response) {
        if (!response.ok) { throw new Error('The server answered ' + response.status); }
        return response.json();
      })
      .then(function (job) {
        statusLine.textContent = 'Ingestion ' + job.status + ': ' + job.done + ' of ' + job.total + ' files done'
          + (job.failed ? ', ' + job.failed + ' failed' : '') + '.';
        statusLine.dataset.status = job.status;
        errors.replaceChildren();
        job.errors.forEach(function (message) {
          var item = document.createElement('li');
          item.textContent = message;
          errors.appendChild(item);
        });
        if (job.status === 'queued' || job.status === 'running') {
          setTimeout(function () { poll(page, jobId, statusLine, errors); }, 500);
        } else {
          refreshDocuments();
        }
      })
      .catch(function (failure) {
        statusLine.textContent = 'Could not read the ingestion job: ' + failure.message;
        statusLine.dataset.status = 'unknown';
      });
  }

  function upload(form, page) {
    var files = document.getElementById('upload-files');
    var box = document.getElementById('upload-status');
    var progress = document.getElementById('upload-progress');
    var percent = document.getElementById('upload-percent');
    var statusLine = document.getElementById('job-status');
    var errors = document.getElementById('job-errors');
    var button = document.getElementById('upload-submit');
    box.hidden = false;
    progress.value = 0;
    percent.textContent = '0 %';
    statusLine.textContent = 'Uploading ' + files.files.length + ' file(s)…';
    delete statusLine.dataset.status;
    errors.replaceChildren();
    button.disabled = true;

    var data = new FormData();
    Array.prototype.forEach.call(files.files, function (file) { data.append('files', file, file.name); });
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    csrfHeaders(xhr);
    xhr.upload.addEventListener('progress', function (event) {
      if (event.lengthComputable) {
        var done = Math.round(100 * event.loaded / event.total);
        progress.value = done;
        percent.textContent = done + ' %';
      }
    });
    xhr.addEventListener('load', function () {
      button.disabled = false;
      if (xhr.status === 202) {
        progress.value = 100;
        percent.textContent = '100 %';
        var job = JSON.parse(xhr.responseText);
        statusLine.textContent = 'Ingestion ' + job.status + '…';
        form.reset();
        poll(page, job.id, statusLine, errors);
      } else {
        statusLine.textContent = 'Upload refused: ' + errorMessage(xhr);
        statusLine.dataset.status = 'refused';
      }
    });
    xhr.addEventListener('error', function () {
      button.disabled = false;
      statusLine.textContent = 'The upload failed (network error).';
      statusLine.dataset.status = 'refused';
    });
    xhr.send(data);
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (event.defaultPrevented) {
      return; // a confirmation (console.js) was declined
    }
    var page = document.getElementById('kb-page');
    if (form.id === 'upload' && page) {
      event.preventDefault();
      upload(form, page);
    }
  });

  // A refused query (400 naming the field) is shown in place of the passages, not dropped as htmx does by default.
  document.addEventListener('htmx:beforeSwap', function (event) {
    if (event.detail.target && event.detail.target.id === 'passages' && event.detail.xhr.status >= 400 && event.detail.xhr.status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
