// The pages' behaviour, from the app itself (no inline script, no library): live runs over server-sent events,
// the chat streamed token by token, compare picks. Text from the store is set as text; only the server's
// sanitized Markdown is set as HTML.
(function () {
  'use strict';
  var page = document.body.getAttribute('data-page');
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');

  function text(el, value) { if (el) { el.textContent = value; } }

  function watch(run, handlers) {
    var source = new EventSource('/api/runs/' + encodeURIComponent(run) + '/events');
    source.addEventListener('progress', function (e) { handlers.progress(JSON.parse(e.data)); });
    source.addEventListener('item', function (e) { if (handlers.item) { handlers.item(JSON.parse(e.data)); } });
    source.addEventListener('end', function (e) { source.close(); handlers.end(JSON.parse(e.data)); });
    source.onerror = function () { if (source.readyState === EventSource.CLOSED) { source.close(); } };
    return source;
  }

  function runsPage() {
    Array.prototype.forEach.call(document.querySelectorAll('tr.run[data-running]'), function (row) {
      var bar = row.querySelector('progress');
      watch(row.getAttribute('data-run'), {
        progress: function (p) {
          text(row.querySelector('.done'), p.done);
          text(row.querySelector('.total'), p.total === null ? '?' : p.total);
          text(row.querySelector('.rate'), p.items_per_s + ' items/s');
          text(row.querySelector('.failed'), p.failed);
          if (p.total) { bar.max = p.total; bar.value = p.done; } else { bar.removeAttribute('value'); }
        },
        end: function (e) { text(row.querySelector('.status'), e.status); row.classList.remove('running'); }
      });
    });
    var picks = document.querySelectorAll('input.pick');
    var link = document.getElementById('compare-link');
    Array.prototype.forEach.call(picks, function (pick) {
      pick.addEventListener('change', function () {
        var chosen = Array.prototype.filter.call(picks, function (p) { return p.checked; })
          .map(function (p) { return p.value; });
        link.hidden = chosen.length < 2;
        link.href = '/compare?runs=' + encodeURIComponent(chosen.join(','));
      });
    });
  }

  function runPage() {
    if (document.body.getAttribute('data-running') !== 'true') { return; }
    var run = document.body.getAttribute('data-run');
    var bar = document.getElementById('progress');
    var list = document.getElementById('live-items');
    watch(run, {
      progress: function (p) {
        text(document.getElementById('done'), p.done);
        text(document.getElementById('total'), p.total === null ? '?' : p.total);
        text(document.getElementById('failed'), p.failed);
        text(document.getElementById('rate'), p.items_per_s);
        if (p.total) { bar.max = p.total; } else { bar.removeAttribute('value'); }
        bar.value = p.done;
      },
      item: function (item) {
        var li = document.createElement('li');
        li.className = 'live-item ' + item.status;
        var a = document.createElement('a');
        a.href = '/runs/' + encodeURIComponent(run) + '/item?id=' + encodeURIComponent(item.id);
        a.textContent = item.id;
        li.appendChild(a);
        li.appendChild(document.createTextNode(' (record ' + item.seq + ', ' + item.model + '): ' + item.status));
        list.appendChild(li);
      },
      end: function (e) { text(document.getElementById('state'), 'ended: ' + e.status); }
    });
  }

  // Reads a server-sent event stream from a fetch response, calling back with each event's name and data.
  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = '';
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) { return; }
        buffer += decoder.decode(chunk.value, { stream: true });
        var end;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          var block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          var name = 'message';
          var data = [];
          block.split(/\r?\n/).forEach(function (line) {
            if (line.indexOf('event:') === 0) { name = line.slice(6).trim(); }
            else if (line.indexOf('data:') === 0) { data.push(line.slice(5).replace(/^ /, '')); }
          });
          if (data.length) { onEvent(name, JSON.parse(data.join('\n'))); }
        }
        return pump();
      });
    }
    return pump();
  }

  function chatPage() {
    var form = document.getElementById('chat-form');
    var transcript = document.getElementById('transcript');
    var status = document.getElementById('chat-status');
    var session = document.body.getAttribute('data-session') || null;
    var continueFrom = document.body.getAttribute('data-continue') || null;
    var history = [];
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var prompt = document.getElementById('prompt').value;
      if (!prompt.trim()) { return; }
      var user = document.createElement('div');
      user.className = 'turn user';
      var pre = document.createElement('pre');
      pre.textContent = prompt;
      user.appendChild(pre);
      transcript.appendChild(user);
      var turn = document.createElement('div');
      turn.className = 'turn assistant';
      var details = document.createElement('details');
      details.className = 'reasoning';
      details.hidden = true;
      var summary = document.createElement('summary');
      summary.textContent = 'reasoning';
      var thinking = document.createElement('pre');
      details.appendChild(summary);
      details.appendChild(thinking);
      var answer = document.createElement('div');
      answer.className = 'answer streaming';
      answer.id = 'answer-' + (transcript.querySelectorAll('.turn.assistant').length + 1);
      turn.appendChild(details);
      turn.appendChild(answer);
      transcript.appendChild(turn);
      var body = { model: form.model.value, messages: history.concat([{ role: 'user', content: prompt }]) };
      if (session) { body.session = session; body.messages = [{ role: 'user', content: prompt }]; }
      else if (continueFrom) { body['continue'] = continueFrom; body.messages = [{ role: 'user', content: prompt }]; }
      Array.prototype.forEach.call(form.querySelectorAll('.settings input'), function (input) {
        if (input.value.trim()) { body[input.name] = input.value.trim(); }
      });
      document.getElementById('prompt').value = '';
      document.getElementById('send').disabled = true;
      text(status, 'answering…');
      fetch('/api/chat', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'Accept': 'text/event-stream', 'X-CSRF-Token': csrf },
        body: JSON.stringify(body)
      }).then(function (response) {
        if (!response.ok) { return response.text().then(function (t) { throw new Error(t); }); }
        return readEvents(response, function (name, data) {
          if (name === 'done') {
            answer.innerHTML = data.html; // sanitized on the server, as report.html's answers are
            answer.classList.remove('streaming');
            session = data.session;
            continueFrom = null;
            text(status, 'session ' + data.session + ': ' + data.usage.prompt_tokens + ' tokens in, '
              + data.usage.completion_tokens + ' out' + (data.truncated ? '; truncated: ' + data.truncated : ''));
          } else if (name === 'error') {
            text(status, data.error);
          } else if (data.reasoning !== undefined) {
            details.hidden = false;
            thinking.textContent += data.reasoning;
          } else if (data.answer_was_reasoning !== undefined) {
            details.hidden = false;
            thinking.textContent += data.answer_was_reasoning;
            answer.textContent = '';
          } else if (data.delta !== undefined) {
            answer.textContent += data.delta;
          }
        });
      }).catch(function (error) {
        text(status, String(error.message || error).split('\n')[0]);
      }).then(function () {
        document.getElementById('send').disabled = false;
      });
    });
  }

  if (page === 'runs') { runsPage(); }
  else if (page === 'run') { runPage(); }
  else if (page === 'chat') { chatPage(); }
}());
