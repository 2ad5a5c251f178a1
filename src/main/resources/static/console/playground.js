// The playground: sends the conversation to /console/playground/chat and renders the SSE answer as it
// arrives (fetch + ReadableStream), with the expert that answered, its citations and guardrail verdicts.
(function () {
  var form = document.getElementById('chat-form');
  if (!form) { return; }
  var list = document.getElementById('messages');
  var prompt = document.getElementById('prompt');
  var send = document.getElementById('send');
  var stop = document.getElementById('stop');
  var status = document.getElementById('chat-status');
  var conversation = [];
  var controller = null;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function add(role, text) {
    var item = element('li', 'message ' + role);
    var head = element('div', 'message-head');
    head.appendChild(element('span', 'speaker', role === 'user' ? 'You' : 'Assistant'));
    item.appendChild(head);
    item.appendChild(element('div', 'content', text));
    list.appendChild(item);
    item.scrollIntoView({ block: 'end' });
    return item;
  }

  function request() {
    var body = { model: document.getElementById('model').value, stream: true, messages: conversation.slice() };
    var temperature = document.getElementById('temperature').value;
    var maxTokens = document.getElementById('max-tokens').value;
    if (temperature !== '') { body.temperature = Number(temperature); }
    if (maxTokens !== '') { body.max_tokens = Number(maxTokens); }
    var kbs = Array.prototype.map.call(form.querySelectorAll('input[name="kbs"]:checked'), function (box) { return box.value; });
    if (kbs.length) { body.kbs = kbs; }
    return body;
  }

  function showRoute(item, headers, model) {
    var head = item.querySelector('.message-head');
    var expert = head.querySelector('.expert');
    if (!expert) {
      expert = element('span', 'expert');
      head.appendChild(document.createTextNode(' answered by '));
      head.appendChild(expert);
    }
    expert.textContent = (headers && headers.get('X-Ensemble-Expert')) || model || expert.textContent;
    if (!headers || head.querySelector('.route')) { return; }
    var details = [];
    if (headers.get('X-Ensemble-Route-Confidence')) { details.push('router confidence ' + headers.get('X-Ensemble-Route-Confidence')); }
    if (headers.get('X-Ensemble-Fallback')) { details.push('fallback: ' + headers.get('X-Ensemble-Fallback')); }
    if (details.length) { head.appendChild(element('span', 'route note', ' (' + details.join(', ') + ')')); }
  }

  function showCitations(item, citations) {
    var block = element('div', 'citations');
    block.appendChild(element('strong', null, 'Sources'));
    var ordered = element('ol');
    citations.forEach(function (c) {
      var entry = element('li', 'citation');
      entry.appendChild(element('span', 'citation-title', c.title || c.externalId || c.documentId));
      entry.appendChild(element('span', 'note', ' — ' + c.kbId + (c.externalId ? ' / ' + c.externalId : '')));
      ordered.appendChild(entry);
    });
    block.appendChild(ordered);
    item.appendChild(block);
  }

  function showGuardrails(item, guardrails) {
    var block = element('div', 'guardrails');
    var verdicts = guardrails.verdicts || [];
    block.appendChild(element('strong', null, verdicts.length ? 'Guardrails' : 'Guardrails: no findings'));
    block.appendChild(element('span', 'note', ' (policies: ' + (guardrails.policies || []).join(', ') + ')'));
    if (verdicts.length) {
      var flags = element('ul');
      verdicts.forEach(function (v) {
        var flag = element('li', 'flag flag-' + v.action);
        flag.appendChild(element('span', 'badge', v.action));
        flag.appendChild(document.createTextNode(' ' + v.type + ' in ' + v.stage
          + (v.message !== undefined ? ' (message ' + (v.message + 1) + ')' : '')
          + ' — ' + v.detector + ', policy ' + v.policy + ', score ' + v.score));
        flags.appendChild(flag);
      });
      block.appendChild(flags);
    }
    item.appendChild(block);
  }

  function fail(item, message) {
    item.dataset.state = 'error';
    item.appendChild(element('p', 'error', message));
  }

  /** Reads SSE events ("data: ...\n\n") from the body and hands each one's data to onEvent. */
  async function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = '';
    while (true) {
      var part = await reader.read();
      if (part.done) { break; }
      buffer += decoder.decode(part.value, { stream: true });
      var end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        var event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        var data = event.split('\n').filter(function (line) { return line.indexOf('data:') === 0; })
          .map(function (line) { return line.slice(5).replace(/^ /, ''); }).join('\n');
        if (data) { onEvent(data); }
      }
    }
  }

  async function chat(text) {
    conversation.push({ role: 'user', content: text });
    add('user', text);
    var item = add('assistant', '');
    var content = item.querySelector('.content');
    item.dataset.state = 'streaming';
    item.dataset.chunks = '0';
    var answer = '';
    var done = false;
    controller = new AbortController();
    send.disabled = true;
    stop.disabled = false;
    status.textContent = 'Waiting for the answer…';
    try {
      var response = await Ensemble.fetch(form.dataset.endpoint, {
        method: 'POST',
        // JSON too: a refusal before the stream starts comes in OpenAI's error shape
        headers: { 'Content-Type': 'application/json', 'Accept': 'text/event-stream, application/json' },
        body: JSON.stringify(request()),
        signal: controller.signal
      });
      if (!response.ok) {
        var message = 'The gateway refused the request (' + response.status + ')';
        try { message = (await response.json()).error.message || message; } catch (ignored) { /* not JSON */ }
        throw new Error(message);
      }
      showRoute(item, response.headers, null);
      status.textContent = 'Streaming…';
      await readEvents(response, function (data) {
        if (data === '[DONE]') { done = true; return; }
        var chunk = JSON.parse(data);
        if (chunk.error) { throw new Error(chunk.error.message); }
        var choice = chunk.choices && chunk.choices[0];
        if (choice && choice.delta && choice.delta.content) {
          answer += choice.delta.content;
          content.textContent = answer;
          item.dataset.chunks = String(Number(item.dataset.chunks) + 1);
        }
        if (chunk.citations) { showCitations(item, chunk.citations); }
        if (chunk.guardrails) { showGuardrails(item, chunk.guardrails); }
        if (chunk.model) { showRoute(item, null, chunk.model); }
      });
      if (!done) { throw new Error('The answer ended before it was complete'); }
      conversation.push({ role: 'assistant', content: answer });
      item.dataset.state = 'done';
      status.textContent = 'Answer complete.';
    } catch (error) {
      conversation.pop(); // the question was not answered: leave it out of the next request
      fail(item, error.name === 'AbortError' ? 'Stopped.' : error.message);
      status.textContent = 'No answer: see the message above.';
    } finally {
      controller = null;
      send.disabled = false;
      stop.disabled = true;
      prompt.focus();
    }
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = prompt.value.trim();
    if (!text || controller) { return; }
    prompt.value = '';
    chat(text);
  });
  prompt.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  stop.addEventListener('click', function () {
    if (controller) { controller.abort(); }
  });
  document.getElementById('new-chat').addEventListener('click', function () {
    if (controller) { controller.abort(); }
    conversation = [];
    list.textContent = '';
    prompt.focus();
  });
})();
