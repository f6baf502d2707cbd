//! The inline style sheet and script of the HTML diff report. The script only
//! adds behaviour (sortable columns, a filter box per table); the page reads
//! the same without it.

/// Inline CSS. `tr:target` and `tr:has(:target)` highlight the row a count
/// link led to.
pub const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:0;color:#1e1e1e;background:#fff;line-height:1.35}\
header,main,nav{padding:0 1.5em}header{background:#f3f3f3;border-bottom:1px solid #ccc;padding-bottom:.6em}\
h1{margin:0;padding-top:.6em;font-size:1.5em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}\
h3{margin-top:1.3em}code{font-size:.95em}\
nav ol{margin:.2em 0;padding-left:1.4em}nav li{margin:.1em 0}nav .count{color:#555}\
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #bbb;padding:2px 8px;\
text-align:left;vertical-align:top}th{background:#eee}td.n,th.n{text-align:right;white-space:nowrap}\
td.text{white-space:pre-wrap;font-family:monospace;font-size:.92em}\
tr:target,tr:has(:target){outline:3px solid #3465a4}\
.only-a td:first-child{border-left:5px solid #cc0000}.only-b td:first-child{border-left:5px solid #4e9a06}\
.renamed td:first-child{border-left:5px solid #75507b}.changed td:first-child{border-left:5px solid #c17d11}\
.same{color:#666}.verdict{font-size:1.3em;font-weight:bold;margin:.4em 0}\
.lead{margin:.3em 0}.note{font-style:italic;color:#444}\
ul.changes{margin:0;padding-left:1.1em}del{color:#a40000}ins{color:#006400;text-decoration:none}\
.field{font-weight:bold}.absent{font-style:italic;color:#666}\
input.filter{margin:.6em 0 .1em;padding:2px 6px;min-width:18em}\
th.sortable{cursor:pointer}th[aria-sort=ascending]::after{content:' \\25B2'}\
th[aria-sort=descending]::after{content:' \\25BC'}\
svg.chart{display:block;max-width:100%;height:auto}nav details ol{columns:2 22em}\
code.hash{font-size:.8em;word-break:break-all}svg text{font-size:12px;font-family:system-ui,sans-serif}";

/// Inline script: every `table.data` gets a filter box above it (rows whose
/// text does not contain the query are hidden) and sortable column headers
/// (click or Enter; numeric columns by `data-sort` or their number).
pub const SCRIPT: &str = r#"(function () {
  'use strict';
  function key(row, i, numeric) {
    var c = row.cells[i];
    if (!c) { return numeric ? -1 : ''; }
    var v = c.getAttribute('data-sort');
    if (v === null) { v = c.textContent; }
    if (numeric) { var n = parseFloat(v); return isNaN(n) ? -1 : n; }
    return v.toLowerCase();
  }
  function sortable(table, body, th, i) {
    th.classList.add('sortable');
    th.tabIndex = 0;
    th.title = 'sort by this column';
    function sort() {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      var numeric = th.classList.contains('n');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, i, numeric), y = key(b, i, numeric);
        return (x < y ? -1 : x > y ? 1 : 0) * dir;
      });
      rows.forEach(function (r) { body.appendChild(r); });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
        h.removeAttribute('aria-sort');
      });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.data'), function (table) {
    var body = table.tBodies[0];
    if (!table.tHead || !body) { return; }
    var box = document.createElement('input');
    box.type = 'search';
    box.className = 'filter';
    box.placeholder = 'filter these ' + body.rows.length + (body.rows.length === 1 ? ' row' : ' rows');
    box.setAttribute('aria-label', 'filter the rows of the table below');
    box.addEventListener('input', function () {
      var q = box.value.toLowerCase();
      Array.prototype.forEach.call(body.rows, function (r) {
        r.hidden = q !== '' && r.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
    table.parentNode.insertBefore(box, table);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      sortable(table, body, th, i);
    });
  });
  document.documentElement.setAttribute('data-script', 'ready');
})();"#;
