// Search, status filter and failed-check filter over the items; no network, no libraries.
(function () {
  var search = document.getElementById('search');
  var status = document.getElementById('status');
  var shown = document.getElementById('shown');
  var check = document.getElementById('check');
  var items = Array.prototype.slice.call(document.querySelectorAll('article.item'));
  var texts = null;
  function apply() {
    if (texts === null) {
      texts = items.map(function (item) { return item.textContent.toLowerCase(); });
    }
    var query = search.value.trim().toLowerCase();
    var wanted = status.value;
    var failing = check ? check.value : '';
    var count = 0;
    items.forEach(function (item, i) {
      var visible = (!wanted || item.getAttribute('data-status') === wanted) && (!query || texts[i].indexOf(query) >= 0)
        && (!failing || (item.getAttribute('data-failed-checks') || '').split(' ').indexOf(failing) >= 0);
      item.hidden = !visible;
      if (visible) { count++; }
    });
    shown.textContent = count + ' of ' + items.length + ' items shown';
  }
  var pending = null;
  search.addEventListener('input', function () {
    clearTimeout(pending);
    if (items.length > 2000) { pending = setTimeout(apply, 200); } else { apply(); }
  });
  status.addEventListener('change', apply);
  if (check) { check.addEventListener('change', apply); }
  if (location.hash === '#failed') { status.value = 'failed'; }
  apply();
}());
