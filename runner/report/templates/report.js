// report.html's one script (runner/report/html.py): the hosts table's filter box and
// sortable columns. No run data here and no network: the page's Content-Security-Policy
// runs this script alone, by its sha256.
(function () {
  "use strict";
  var table = document.getElementById("host-table");
  var box = document.getElementById("filter");
  if (!table || !box) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var texts = null; // each row's text, lower case: read on the first filter
  var count = document.getElementById("shown");

  function filter() {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (texts === null) { texts = rows.map(function (r) { return r.textContent.toLowerCase(); }); }
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var text = texts[i];
      var keep = words.every(function (w) { return text.indexOf(w) >= 0; });
      rows[i].hidden = !keep;
      shown += keep ? 1 : 0;
    }
    count.textContent = words.length ? shown + " of " + rows.length + " hosts shown" : "";
  }

  function key(row, column) {
    var cell = row.cells[column];
    var sort = cell.getAttribute("data-sort");
    return sort !== null ? sort : cell.textContent.trim().toLowerCase();
  }

  var NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

  function compare(a, b) {
    if (NUMBER.test(a) && NUMBER.test(b)) { return parseFloat(a) - parseFloat(b); }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function sortBy(button) {
    var column = Number(button.getAttribute("data-column"));
    var th = button.parentNode;
    var down = th.getAttribute("aria-sort") === "ascending";
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", down ? "descending" : "ascending");
    var keyed = rows.map(function (row, i) { return [key(row, column), i, row]; });
    keyed.sort(function (a, b) { return (down ? -1 : 1) * compare(a[0], b[0]) || a[1] - b[1]; });
    var moved = document.createDocumentFragment();
    keyed.forEach(function (k) { moved.appendChild(k[2]); });
    body.appendChild(moved);
    rows = keyed.map(function (k) { return k[2]; });
    texts = null;
  }

  box.addEventListener("input", filter);
  table.tHead.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-column]");
    if (button) { sortBy(button); }
  });
  if (box.value) { filter(); } // a filter the browser kept across a reload
})();
