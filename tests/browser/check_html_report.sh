#!/usr/bin/env bash
# Checks an `msmail diff --format html` report in headless Chromium:
#   1. renders it to a PNG and checks the picture is not blank (python3 + zlib
#      decode the PNG and count distinct pixel values; no extra packages);
#   2. dumps the DOM and checks the totals (ids total-only-in-a, total-only-in-b,
#      total-renamed, total-changed, total-differences) are in the rendered page
#      with the same numbers the file carries, and that the verdict is there.
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
if [ -n "$expected" ]; then
  grep -q "id=\"total-differences\">$expected<" "$work/dom.html" \
    || fail "expected $expected differences"
fi
echo "check_html_report: OK"
