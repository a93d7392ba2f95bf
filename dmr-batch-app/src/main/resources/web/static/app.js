// The pages' behaviour, from the app itself (no inline script, no library): live runs over server-sent events, the
// run history kept up to date, the grid's reviews from the keyboard, the chat streamed token by token. Text from the
// store is set as text; only the server's sanitized Markdown and the app's own pages are set as HTML.
(function () {
  'use strict';
  var page = document.body.getAttribute('data-page');
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');

  function text(el, value) { if (el) { el.textContent = value; } }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName));
  }

  // The same page from the server, as a document, to take fresh parts of it.
  function fetchPage(url) {
    return fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } }).then(function (response) {
      if (!response.ok) { throw new Error('the page answered ' + response.status); }
      return response.text();
    }).then(function (html) { return new DOMParser().parseFromString(html, 'text/html'); });
  }

  // Replaces the parts of this page named by their ids with the server's, keeping what is focused when it can.
  function refresh(ids) {
    return fetchPage(location.href).then(function (fresh) {
      ids.forEach(function (id) {
        var mine = document.getElementById(id);
        var theirs = fresh.getElementById(id);
        if (mine && theirs) { mine.replaceWith(document.importNode(theirs, true)); }
      });
      document.dispatchEvent(new Event('dmr:refreshed'));
    });
  }

  // A run's events. A cut stream is reconnected by the browser, which sends the id of the last item it had
  // (Last-Event-ID): the stream goes on after it, and nothing is lost. onState hears 'reconnecting' and 'live'.
  function watch(run, after, handlers) {
    var source = new EventSource('/api/runs/' + encodeURIComponent(run) + '/events'
      + (after !== null ? '?after=' + encodeURIComponent(after) : ''));
    var lost = false;
    source.addEventListener('open', function () {
      if (lost) { lost = false; if (handlers.state) { handlers.state('live'); } }
    });
    source.addEventListener('progress', function (e) { handlers.progress(JSON.parse(e.data)); });
    source.addEventListener('item', function (e) { if (handlers.item) { handlers.item(JSON.parse(e.data)); } });
    source.addEventListener('end', function (e) { source.close(); handlers.end(JSON.parse(e.data)); });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) {
        if (handlers.state) { handlers.state('lost'); }
      } else if (!lost) {
        lost = true;
        if (handlers.state) { handlers.state('reconnecting'); }
      }
    };
    return source;
  }

  function runsPage() {
    var timer = null;
    // the run history as the server has it now: new runs, statuses, counts, tokens; the ticks kept
    function poll() {
      var list = document.getElementById('run-list');
      var busy = list && list.getAttribute('data-any-running') === 'true';
      timer = setTimeout(function () {
        if (document.hidden) { poll(); return; }
        var ticked = Array.prototype.filter.call(document.querySelectorAll('input.pick'), function (p) { return p.checked; })
          .map(function (p) { return p.value; });
        refresh(['run-list']).then(function () {
          Array.prototype.forEach.call(document.querySelectorAll('input.pick'), function (p) {
            p.checked = ticked.indexOf(p.value) >= 0;
          });
          picked();
        }).catch(function () { /* the next poll tries again */ }).then(poll);
      }, busy ? 1000 : 3000);
    }
    var link = document.getElementById('compare-link');
    function picked() {
      var chosen = Array.prototype.filter.call(document.querySelectorAll('input.pick'), function (p) { return p.checked; })
        .map(function (p) { return p.value; });
      link.hidden = chosen.length < 2;
      link.href = '/compare?runs=' + encodeURIComponent(chosen.join(','));
    }
    document.addEventListener('change', function (event) {
      if (event.target.classList && event.target.classList.contains('pick')) { picked(); }
    });
    poll();
  }

  function runPage() {
    var run = document.body.getAttribute('data-run');
    if (document.body.getAttribute('data-running') === 'true') {
      var list = document.getElementById('live-items');
      var state = document.getElementById('state');
      // the facts, checks, charts and tables as the server has them now
      function refreshAll() { return refresh(['run-head', 'workers', 'run-body']); }
      // a cluster run's workers: a row each, as the progress event has them now
      function workers(rows) {
        var section = document.getElementById('workers');
        var body = document.getElementById('worker-rows');
        if (!section || !body || !rows) { return; }
        body.replaceChildren();
        rows.forEach(function (w) {
          var tr = document.createElement('tr');
          tr.className = 'worker';
          ['host', 'pid', 'runner', 'partitions', 'items', 'rate', 'state'].forEach(function (key, i) {
            var cell = document.createElement(i === 0 ? 'th' : 'td');
            if (i === 0) { cell.setAttribute('scope', 'row'); }
            if (key === 'state') { cell.className = 'state'; }
            cell.textContent = w[key];
            tr.appendChild(cell);
          });
          body.appendChild(tr);
        });
        section.hidden = rows.length === 0;
      }
      watch(run, document.body.getAttribute('data-last-seq'), {
        progress: function (p) {
          var bar = document.getElementById('progress');
          text(document.getElementById('done'), p.done);
          text(document.getElementById('total'), p.total === null ? '?' : p.total);
          text(document.getElementById('failed'), p.failed);
          text(document.getElementById('rate'), p.items_per_s);
          if (p.total) { bar.max = p.total; } else { bar.removeAttribute('value'); }
          bar.value = p.done;
          workers(p.workers);
        },
        item: function (item) {
          var li = document.createElement('li');
          li.className = 'live-item ' + item.status;
          li.setAttribute('data-seq', item.seq);
          var a = document.createElement('a');
          a.href = '/runs/' + encodeURIComponent(run) + '/item?id=' + encodeURIComponent(item.id);
          a.textContent = item.id;
          li.appendChild(a);
          li.appendChild(document.createTextNode(' (record ' + item.seq + ', ' + item.model + '): ' + item.status + ' '));
          var excerpt = document.createElement('span');
          excerpt.className = 'excerpt';
          excerpt.textContent = item.error ? item.error : item.answer;
          li.appendChild(excerpt);
          list.appendChild(li);
        },
        state: function (s) {
          if (s === 'reconnecting') { text(state, 'reconnecting…'); }
          else if (s === 'lost') { text(state, 'connection lost: reload the page'); }
          else { text(state, 'running'); refreshAll(); }
        },
        end: function (e) {
          text(state, 'ended: ' + e.status);
          refreshAll().then(function () { document.body.setAttribute('data-ended', e.status); });
        }
      });
    }
    grid(run);
  }

  // Reviews: saved as they change, from the grid or a conversation's page; the keyboard drives the grid.
  function reviews(run) {
    var status = document.getElementById('review-status');
    function save(form, extra) {
      var verdict = form.verdict.value;
      var body = { item: form.item.value, model: form.model.value, repeat: parseInt(form.repeat.value, 10), step: form.step.value };
      if (verdict === 'pass' || verdict === 'fail') { body.pass = verdict === 'pass'; }
      if (form.score.value) { body.score = parseInt(form.score.value, 10); }
      if (form.comment.value.trim()) { body.comment = form.comment.value.trim(); }
      var reviewer = localStorage.getItem('dmr-reviewer');
      if (reviewer) { body.reviewer = reviewer; }
      if (extra) { Object.keys(extra).forEach(function (k) { body[k] = extra[k]; }); }
      if (body.pass === undefined && body.score === undefined) { body = { item: body.item, model: body.model, repeat: body.repeat, step: body.step, clear: true }; }
      return fetch('/api/runs/' + encodeURIComponent(run) + '/reviews', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(data.error || ('the review was not saved: ' + response.status)); }
          return data;
        });
      }).then(function (data) {
        form.classList.remove('saved-pass', 'saved-fail');
        if (data.cleared !== undefined) {
          text(status, data.item + ', ' + data.step + ' (' + data.model + '): review taken back');
          text(form.querySelector('.reviewed'), '');
          return data;
        }
        form.verdict.value = data.pass ? 'pass' : 'fail';
        form.classList.add(data.pass ? 'saved-pass' : 'saved-fail');
        text(form.querySelector('.reviewed'), 'by ' + data.reviewer);
        text(status, data.item + ', ' + data.step + ' (' + data.model + '): ' + (data.pass ? 'pass' : 'fail')
          + (data.score ? ', score ' + data.score : '') + ' saved');
        return data;
      }).catch(function (error) {
        text(status, String(error.message || error));
      });
    }
    document.addEventListener('submit', function (event) {
      var form = event.target;
      if (!(form.classList && form.classList.contains('review'))) { return; }
      event.preventDefault();
      // a comment alone is no review: kept in its box until a verdict or a score comes with it
      if (!form.verdict.value && !form.score.value && form.comment.value.trim()) {
        text(status, 'a comment is kept with a verdict or a score: choose pass or fail (p, f) or a score (1-5)');
        return;
      }
      save(form);
    });
    document.addEventListener('change', function (event) {
      var form = event.target.form;
      if (form && form.classList.contains('review') && event.target.tagName === 'SELECT') { save(form); }
    });
    return save;
  }

  function grid(run) {
    var save = reviews(run);
    // answers cut to a few lines, whole on request
    document.addEventListener('click', function (event) {
      var more = event.target;
      if (more.classList && more.classList.contains('more')) {
        var answer = more.previousElementSibling;
        var open = answer.classList.toggle('clamped') === false;
        more.textContent = open ? 'less' : 'more';
        more.setAttribute('aria-expanded', String(open));
      }
    });
    // columns shown or hidden, remembered for the run
    var key = 'dmr-columns-' + run;
    function applyColumns() {
      var hidden = JSON.parse(localStorage.getItem(key) || '[]');
      Array.prototype.forEach.call(document.querySelectorAll('input.column-toggle'), function (box) {
        box.checked = hidden.indexOf(box.value) < 0;
      });
      Array.prototype.forEach.call(document.querySelectorAll('#grid [data-column]'), function (cell) {
        cell.hidden = hidden.indexOf(cell.getAttribute('data-column')) >= 0;
      });
    }
    document.addEventListener('change', function (event) {
      if (event.target.classList && event.target.classList.contains('column-toggle')) {
        var hidden = Array.prototype.filter.call(document.querySelectorAll('input.column-toggle'),
          function (b) { return !b.checked; }).map(function (b) { return b.value; });
        localStorage.setItem(key, JSON.stringify(hidden));
        applyColumns();
      }
    });
    document.addEventListener('dmr:refreshed', applyColumns);
    applyColumns();
    // the keyboard: j/k items, h/l answers, p/f a verdict, 1-5 a score, c a comment, o the conversation
    var row = 0;
    var column = 0;
    function rows() { return document.querySelectorAll('#grid tbody tr.item'); }
    function cells(tr) {
      return Array.prototype.filter.call(tr.querySelectorAll('td.cell'), function (td) { return !td.hidden; });
    }
    function current() {
      var all = rows();
      if (!all.length) { return null; }
      row = Math.max(0, Math.min(row, all.length - 1));
      var tds = cells(all[row]);
      column = Math.max(0, Math.min(column, tds.length - 1));
      return tds[column] || null;
    }
    function focus() {
      var cell = current();
      if (cell) { cell.focus(); }
    }
    document.addEventListener('focusin', function (event) {
      var td = event.target.closest && event.target.closest('#grid td.cell');
      if (!td) { return; }
      var tr = td.parentElement;
      row = Array.prototype.indexOf.call(rows(), tr);
      column = cells(tr).indexOf(td);
    });
    document.addEventListener('keydown', function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || !document.getElementById('grid')) { return; }
      if (typing(event.target)) {
        if (event.key === 'Escape') { event.target.blur(); focus(); }
        return;
      }
      var cell = current();
      var form = cell && cell.querySelector('form.review');
      var k = event.key;
      if (k === 'j' || k === 'k') { row += (k === 'j') ? 1 : -1; focus(); }
      else if (k === 'h' || k === 'l') { column += (k === 'l') ? 1 : -1; focus(); }
      else if ((k === 'p' || k === 'f') && form) { form.verdict.value = (k === 'p') ? 'pass' : 'fail'; save(form); }
      else if (/^[1-5]$/.test(k) && form) {
        form.score.value = k;
        save(form);
      }
      else if (k === 'c' && form) { form.comment.focus(); }
      else if (k === 'o' && cell) { location.href = cell.parentElement.querySelector('th a').href; }
      else { return; }
      event.preventDefault();
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
    var prompt = document.getElementById('prompt');
    var send = document.getElementById('send');
    var stop = document.getElementById('stop');
    var picker = document.getElementById('image');
    var session = document.body.getAttribute('data-session') || null;
    var continueFrom = document.body.getAttribute('data-continue') || null;
    var earlier = [];
    var controller = null;
    // Enter sends (Shift+Enter is a new line), Ctrl+Enter too
    prompt.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (!send.disabled) { form.requestSubmit(); }
      }
    });
    stop.addEventListener('click', function () { if (controller) { controller.abort(); } });
    function bubble(role, content) {
      var turn = document.createElement('div');
      turn.className = 'turn ' + role;
      var label = document.createElement('div');
      label.className = 'role';
      label.textContent = role;
      turn.appendChild(label);
      if (content !== undefined) {
        var pre = document.createElement('pre');
        pre.textContent = content;
        turn.appendChild(pre);
      }
      transcript.appendChild(turn);
      return turn;
    }
    function mark(turn, what) {
      var span = document.createElement('span');
      span.className = 'mark';
      span.textContent = what;
      var label = turn.querySelector('.role');
      label.appendChild(document.createTextNode(' · '));
      label.appendChild(span);
    }
    // a session made by this page goes in the address: a reload opens it again
    function remember(name) {
      session = name;
      continueFrom = null;
      if (window.history.replaceState && new URLSearchParams(location.search).get('session') !== name) {
        window.history.replaceState(null, '', '/chat?session=' + encodeURIComponent(name));
      }
    }
    // the picked image, as the body sends it: its bytes in Base64
    function readImage(file) {
      return new Promise(function (resolve, reject) {
        var reader = new FileReader();
        reader.onload = function () {
          var url = String(reader.result);
          resolve({ name: file.name, data: url.substring(url.indexOf(',') + 1) });
        };
        reader.onerror = function () { reject(new Error('the image ' + file.name + ' could not be read')); };
        reader.readAsDataURL(file);
      });
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var asked = prompt.value;
      if (!asked.trim() || controller) { return; }
      var picked = (picker.files && picker.files.length) ? picker.files[0] : null;
      var user = bubble('user', asked);
      if (picked) {
        var shown = document.createElement('p');
        shown.className = 'image';
        shown.textContent = 'image ' + picked.name + ' (' + picked.size + ' bytes)';
        user.appendChild(shown);
      }
      var turn = bubble('assistant');
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
      answer.id = 'answer-' + (transcript.querySelectorAll('.turn.assistant').length);
      turn.appendChild(details);
      turn.appendChild(answer);
      var body = { model: form.model.value, messages: earlier.concat([{ role: 'user', content: asked }]) };
      if (session) { body.session = session; body.messages = [{ role: 'user', content: asked }]; }
      else if (continueFrom) { body['continue'] = continueFrom; body.messages = [{ role: 'user', content: asked }]; }
      Array.prototype.forEach.call(form.querySelectorAll('.settings input'), function (input) {
        if (input.value.trim()) { body[input.name] = input.value.trim(); }
      });
      prompt.value = '';
      send.disabled = true;
      stop.disabled = false;
      text(status, 'answering…');
      controller = new AbortController();
      var done = false;
      var signal = controller.signal;
      (picked ? readImage(picked) : Promise.resolve(null)).then(function (image) {
        if (image) { body.image = image; }
        return fetch('/api/chat', {
          method: 'POST', credentials: 'same-origin', signal: signal,
          headers: { 'Content-Type': 'application/json', 'Accept': 'text/event-stream', 'X-CSRF-Token': csrf },
          body: JSON.stringify(body)
        });
      }).then(function (response) {
        if (!response.ok) {
          return response.text().then(function (t) {
            var message = t;
            try { message = JSON.parse(t).error || t; } catch (ignored) { /* not JSON */ }
            throw new Error(message);
          });
        }
        return readEvents(response, function (name, data) {
          if (name === 'session') {
            remember(data.session);
          } else if (name === 'done') {
            done = true;
            answer.innerHTML = data.html; // sanitized on the server, as report.html's answers are
            answer.classList.remove('streaming');
            remember(data.session);
            if (picked) { picker.value = ''; }
            if (data.truncated) { mark(turn, 'truncated'); }
            text(status, 'session ' + data.session + ': ' + data.usage.prompt_tokens + ' tokens in, '
              + data.usage.completion_tokens + ' out' + (data.truncated ? '; truncated: ' + data.truncated : ''));
          } else if (name === 'error') {
            throw new Error(data.error);
          } else if (data.note !== undefined) {
            text(status, data.note);
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
      }).then(function () {
        if (!done) { throw new Error('the answer ended before it was complete'); }
      }).catch(function (error) {
        answer.classList.remove('streaming');
        if (error && error.name === 'AbortError') {
          mark(turn, 'stopped');
          if (picked) { picker.value = ''; }
          text(status, 'stopped; the answer so far is kept in the session');
          return;
        }
        // nothing was answered: the turn goes, the prompt comes back to be sent again
        if (!answer.textContent) { transcript.removeChild(turn); transcript.removeChild(user); prompt.value = asked; }
        else { mark(turn, 'failed'); }
        text(status, String(error.message || error).split('\n')[0]);
      }).then(function () {
        controller = null;
        send.disabled = false;
        stop.disabled = true;
        prompt.focus();
      });
    });
  }

  if (page === 'runs') { runsPage(); }
  else if (page === 'run') { runPage(); }
  else if (page === 'item') { reviews(document.body.getAttribute('data-run')); }
  else if (page === 'chat') { chatPage(); }
}());
