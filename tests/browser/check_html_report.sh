#!/usr/bin/env bash
# Checks an `msmail diff --format html` report in headless Chromium:
#   1. renders it to a PNG and checks the picture is not blank (python3 + zlib
#      decode the PNG and count distinct pixel values; no extra packages);
#   2. dumps the DOM and checks the totals (ids total-only-in-a, total-only-in-b,
#      total-renamed, total-changed, total-differences) are in the rendered page
#      with the same numbers the file carries, and that the verdict is there;
#   3. checks every link of the rendered page resolves to an element of the page
#      (href="#id" with an id="id"; no link leads outside the page);
#   4. checks the inline script ran (a filter box above every sortable table) and
#      works: a copy of the page with a test script appended sorts a numeric
#      column and filters a table, and says so in the DOM;
#   5. renders the page with scripts off and checks the totals and the verdict
#      are still there (the page does not depend on its script).
# Usage: check_html_report.sh REPORT.html [EXPECTED_DIFFERENCES]
# Exit 0 when all checks pass, 1 when one fails, 2 on usage or missing tools.
set -euo pipefail

if [ $# -lt 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 REPORT.html [EXPECTED_DIFFERENCES]" >&2
  exit 2
fi
report=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
expected=${2:-}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "check_html_report: chromium not found (apt-get install -y chromium)" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --window-size=1200,900)

fail() { echo "check_html_report: FAIL: $*" >&2; exit 1; }

# 1. Screenshot, and a picture that is not blank.
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$work")" \
  --screenshot="$work/shot.png" "file://$report" >"$work/shot.log" 2>&1 || true
[ -s "$work/shot.png" ] || { cat "$work/shot.log" >&2; fail "no screenshot written"; }

colours=$(python3 - "$work/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG")
pos, idat, width, height, depth, ctype = 8, b"", 0, 0, 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
if depth != 8 or ctype not in (2, 6):
    sys.exit("unexpected PNG format: depth %d colour type %d" % (depth, ctype))
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
colours = set()
i = 0
for _ in range(height):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp * 3):  # every third pixel is plenty
        colours.add(bytes(line[x:x + 3]))
    prev = line
print(len(colours))
PY
) || fail "cannot read the screenshot: $colours"
[ "$colours" -ge 8 ] || fail "screenshot looks blank ($colours distinct colours)"
echo "check_html_report: screenshot has $colours distinct colours"

# 2. The rendered DOM carries the totals the file declares.
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$work")" \
  --dump-dom "file://$report" >"$work/dom.html" 2>"$work/dom.log" || true
[ -s "$work/dom.html" ] || { cat "$work/dom.log" >&2; fail "empty DOM dump"; }
for id in total-only-in-a total-only-in-b total-renamed total-changed total-differences; do
  want=$(grep -o "id=\"$id\">[0-9]*<" "$report" | head -1 | tr -dc '0-9')
  [ -n "$want" ] || fail "the report has no #$id"
  grep -q "id=\"$id\">$want<" "$work/dom.html" || fail "#$id = $want not in the rendered page"
  echo "check_html_report: #$id = $want"
done
grep -Eq 'id="result"[^>]*>(identical|differences found)<' "$work/dom.html" \
  || fail "verdict #result not in the rendered page"
# 3. Every link resolves inside the page.
python3 - "$work/dom.html" <<'PY' || fail "links do not resolve (see above)"
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
ids = set(re.findall(r'\sid="([^"]*)"', dom))
hrefs = re.findall(r'\shref="([^"]*)"', dom)
outside = [h for h in hrefs if not h.startswith("#")]
broken = sorted({h for h in hrefs if h.startswith("#") and h[1:] not in ids})
for h in outside[:10]:
    print("check_html_report: link leaves the page: %s" % h, file=sys.stderr)
for h in broken[:10]:
    print("check_html_report: link to a missing id: %s" % h, file=sys.stderr)
if outside or broken:
    sys.exit(1)
print("check_html_report: %d links, all resolve (%d ids)" % (len(hrefs), len(ids)))
PY

# 4. The script ran, and sorting and filtering work.
tables=$(grep -o '<table[^>]*class="data[" ]' "$report" | wc -l)
boxes=$(grep -o '<input[^>]*class="filter"' "$work/dom.html" | wc -l)
grep -q 'data-script="ready"' "$work/dom.html" || fail "the page's script did not run"
[ "$boxes" -eq "$tables" ] || fail "$tables sortable tables but $boxes filter boxes"
echo "check_html_report: script ran: $boxes filter boxes for $tables tables"
if [ "$tables" -gt 0 ]; then
  sed 's#</body></html>#<script>(function () {\
  var out = [];\
  var t = document.querySelector("table.data");\
  var body = t.tBodies[0], heads = t.tHead.rows[0].cells, col = -1;\
  for (var i = 0; i < heads.length; i++) { if (heads[i].classList.contains("n")) { col = i; break; } }\
  function val(r) { var c = r.cells[col]; var v = c.getAttribute("data-sort"); return parseFloat(v === null ? c.textContent : v) || 0; }\
  if (col >= 0) {\
    heads[col].click();\
    var ok = heads[col].getAttribute("aria-sort") === "ascending";\
    for (var j = 1; j < body.rows.length; j++) { if (val(body.rows[j - 1]) > val(body.rows[j])) { ok = false; } }\
    heads[col].click();\
    for (var k = 1; k < body.rows.length; k++) { if (val(body.rows[k - 1]) < val(body.rows[k])) { ok = false; } }\
    out.push(ok ? "sort-ok" : "sort-failed");\
  } else { out.push("sort-ok"); }\
  var box = t.previousElementSibling, last = body.rows[body.rows.length - 1];\
  box.value = last.cells[0].textContent + "\\u0000none-such";\
  box.dispatchEvent(new Event("input"));\
  var none = Array.prototype.every.call(body.rows, function (r) { return r.hidden; });\
  box.value = last.textContent.trim().slice(0, 20);\
  box.dispatchEvent(new Event("input"));\
  var some = !last.hidden;\
  box.value = ""; box.dispatchEvent(new Event("input"));\
  var all = Array.prototype.every.call(body.rows, function (r) { return !r.hidden; });\
  out.push(none \&\& some \&\& all ? "filter-ok" : "filter-failed");\
  document.documentElement.setAttribute("data-selftest", out.join(" "));\
})();</script></body></html>#' "$report" >"$work/selftest.html"
  timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$work")" \
    --dump-dom "file://$work/selftest.html" >"$work/selftest.dom" 2>"$work/selftest.log" || true
  grep -q 'data-selftest="sort-ok filter-ok"' "$work/selftest.dom" \
    || fail "sorting or filtering does not work: $(grep -o 'data-selftest="[^"]*"' "$work/selftest.dom" || echo 'the test script did not run')"
  echo "check_html_report: sorting and filtering work"
fi

# 5. Scripts off: the same content. (--blink-settings=scriptEnabled=false also
# stops --dump-dom, so a copy of the page forbids its own scripts by its
# Content-Security-Policy instead: the page's script never runs.)
grep -q "script-src 'unsafe-inline'" "$report" || fail "no Content-Security-Policy with script-src"
sed "s/script-src 'unsafe-inline'/script-src 'none'/" "$report" >"$work/noscript-page.html"
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$work")" \
  --dump-dom "file://$work/noscript-page.html" >"$work/noscript.html" 2>"$work/noscript.log" || true
[ -s "$work/noscript.html" ] || { cat "$work/noscript.log" >&2; fail "empty DOM dump with scripts off"; }
! grep -q 'data-script="ready"' "$work/noscript.html" || fail "scripts were not turned off"
! grep -q 'class="filter"' "$work/noscript.html" || fail "scripts were not turned off"
for id in total-only-in-a total-only-in-b total-renamed total-changed total-differences; do
  want=$(grep -o "id=\"$id\">[0-9]*<" "$report" | head -1 | tr -dc '0-9')
  grep -q "id=\"$id\">$want<" "$work/noscript.html" || fail "#$id missing with scripts off"
done
grep -Eq 'id="result"[^>]*>(identical|differences found)<' "$work/noscript.html" \
  || fail "verdict missing with scripts off"
echo "check_html_report: readable with scripts off"

if [ -n "$expected" ]; then
  grep -q "id=\"total-differences\">$expected<" "$work/dom.html" \
    || fail "expected $expected differences"
fi
echo "check_html_report: OK"
