#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from fixtures/ (KB samples included)
# and fuzz/seeds/. Run from anywhere; idempotent (seed files are named
# seed-*, so libFuzzer's own finds in the same folders are kept).
# Targets whose first input byte is a selector get that byte prepended here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
fx="$root/fixtures"
corpus="$here/corpus"
mkdir -p "$corpus"

# put TARGET PREFIX_HEX FILE: copy FILE into corpus/TARGET, after the byte
# PREFIX_HEX (empty: no prefix). The name keeps the source path readable.
put() {
  local target=$1 prefix=$2 file=$3
  [ -f "$file" ] || return 0
  mkdir -p "$corpus/$target"
  local name
  name="seed-${prefix:+$prefix-}$(echo "${file#"$root"/}" | tr '/ ' '__')"
  if [ -n "$prefix" ]; then
    { printf "\\x$prefix"; cat "$file"; } >"$corpus/$target/$name"
  else
    cp "$file" "$corpus/$target/$name"
  fi
}

# pack TARGET NAME DIR: a whole tree as one tree_postoffice input (files
# separated by "\n=====\n", each its path then its bytes). KEY/MBG skipped
# unless ALL=1 (sizes only; they make the input large).
pack() {
  local target=$1 name=$2 dir=$3 first=1 f rel
  mkdir -p "$corpus/$target"
  local out="$corpus/$target/seed-$name"
  : >"$out"
  while IFS= read -r f; do
    rel=${f#"$dir"/}
    case "$rel" in KEY/* | MBG/*) [ "${ALL:-0}" = 1 ] || continue ;; esac
    [ $first = 1 ] || printf '\n=====\n' >>"$out"
    first=0
    printf '%s\n' "$rel" >>"$out"
    cat "$f" >>"$out"
  done < <(find "$dir" -type f ! -name '*.md' ! -name '.git*' | sort)
}

import_texts=(
  "$fx"/import/*.txt "$fx"/import/bad/*.txt
  "$fx"/kb/Q104281-*.txt "$fx"/kb/Q112285-replace.txt "$fx"/kb/Q117198-import.txt
  "$fx"/kb/Q118447-import2.txt "$fx"/kb/Q125920-template.txt "$fx"/kb/Q126611-template.txt
  "$fx"/kb/Q127918-*.txt "$fx"/kb/Q131151-delete.txt "$fx"/kb/Q132681-*.txt
  "$fx"/kb/Q96001-address.txt "$fx"/kb/Q99419-GRPUSERS.DAT "$fx"/kb/Q106623-to-lines.txt
  "$fx"/restore/requestors/*/EXPORT.TXT "$fx"/restore/requestors/*/EXTRACT.TXT
)
trans=(
  "$fx"/dirsync/*TRANS.GLB "$fx"/dirsync/RESYNC.GLB "$fx"/dirsync/ack/REQTRANS.GLB
  "$fx"/kb/Q118298-TMPTRANS.GLB "$fx"/restore/requestors/*/REQTRANS.GLB
  "$fx"/restore/requestors/*/GLB/REQTRANS.GLB
)
messages=(
  "$fx"/text/*.msg "$fx"/kb/*.msg "$fx"/restore/requestors/*/EXPORT.MSG
  "$fx"/kb/*subjects*.txt
)
logs=(
  "$fx"/text/*.log "$fx"/kb/*log*.txt "$fx"/kb/*.LOG "$fx"/kb/*DSSCHED*.txt
  "$fx"/kb/Q96060-*.txt "$fx"/kb/Q119590-schedule.txt
)

for f in "${import_texts[@]}"; do
  put import_text 00 "$f"
  put roundtrip 00 "$f"
done
for f in "$fx"/kb/Q99419-*; do put gimport 00 "$f"; done
put import_text 01 "$fx/import/extract-lf.txt"
for f in "${trans[@]}"; do
  put dirsync_trans "" "$f"
  put roundtrip 01 "$f"
done
for d in "$fx/dirsync" "$fx/generated/server/GLB" "$fx/restore/server/GLB" "$fx"/restore/requestors/*/ \
  "$fx"/restore/requestors/*/GLB; do
  put dirsync_conf 00 "$d/REQCONF.GLB"
  put dirsync_conf 01 "$d/SRVCONF.GLB"
  put dirsync_conf 02 "$d/PROCESS.GLB"
done
for f in "${messages[@]}"; do put dsmsg 00 "$f"; done
for f in "${logs[@]}"; do put logs "" "$f"; done

# tree_records: selector = index of the file kind in the target's NAMES
# (bit 7 = salvage); 0e = a TPL + INF pair (next byte = TPL length).
tree_index() {
  case "$(basename "$1" | tr a-z A-Z)" in
    MASTER.GLB) echo 00 ;; NETWORK.GLB) echo 01 ;; *.XTN) echo 02 ;; *.USR) echo 03 ;;
    *.NME) echo 04 ;; NETPO.GLB) echo 05 ;; GALNETPO.GLB) echo 06 ;; ACCESS2.GLB) echo 07 ;;
    GROUP.GLB) echo 08 ;; *.GRP) echo 09 ;; *.MEM) echo 0a ;; *.TPL) echo 0b ;;
    GALINDEX.GLB) echo 0c ;; TID.GLB) echo 0d ;; *) echo "" ;;
  esac
}
for t in "$fx/tree/small" "$fx/generated/server"; do
  while IFS= read -r f; do
    i=$(tree_index "$f")
    [ -n "$i" ] || continue
    put tree_records "$i" "$f"
    put tree_records "$(printf '%02x' $((0x$i | 0x80)))" "$f"
  done < <(find "$t" -type f | sort)
  for tpl in "$t"/TPL/*.TPL; do
    inf="$t/INF/$(basename "$tpl" .TPL).INF"
    [ -f "$inf" ] || continue
    n=$(wc -c <"$tpl")
    [ "$n" -lt 256 ] || continue
    out="$corpus/tree_records/seed-0e-$(basename "$t")-$(basename "$tpl")"
    { printf '\x0e'; printf "\\x$(printf '%02x' "$n")"; cat "$tpl" "$inf"; } >"$out"
  done
done
for f in "$fx"/kb/*.TPL; do put tree_records 0b "$f"; done

pack tree_postoffice tree-small "$fx/tree/small"
ALL=1 pack tree_postoffice tree-small-all "$fx/tree/small"
pack tree_postoffice generated-server "$fx/generated/server"
pack tree_postoffice restore-sevilla "$fx/restore/requestors/AMERICAS-SEVILLA"

for f in "$root"/tests/data/export_bytes/*.csv; do put export_csv "" "$f"; done
for f in "$root"/tests/data/export_bytes/*.ldif; do put export_ldif "" "$f"; done
# Committed seeds: fuzz/seeds/<target>/ holds whole inputs (selector byte
# included), among them every input that once crashed a target.
for d in "$here"/seeds/*/; do
  t=$(basename "$d")
  [ "$t" = text_fields ] && continue
  for f in "$d"*; do put "$t" "" "$f"; done
done

# text_fields: every grammar (selector 0-7) on the KB address sample and a few lines.
for s in 00 01 02 03 04 05 06 07; do
  put text_fields "$s" "$fx/kb/Q96001-address.txt"
  put text_fields "$s" "$here/seeds/text_fields/lines.txt"
done

# source_detect: each fixture under the name its kind is recognised by
# (the selector indexes the target's NAMES; bit 7 = salvage).
put source_detect 00 "$fx/import/kb-shapes.txt"
put source_detect 01 "$fx/kb/Q118298-TMPTRANS.GLB"
put source_detect 02 "$fx/dirsync/MSTTRANS.GLB"
put source_detect 03 "$fx/dirsync/REQTRANS.GLB"
put source_detect 05 "$fx/dirsync/RESYNC.GLB"
put source_detect 06 "$fx/dirsync/REQCONF.GLB"
put source_detect 07 "$fx/dirsync/SRVCONF.GLB"
put source_detect 08 "$fx/dirsync/PROCESS.GLB"
put source_detect 09 "$root/tests/data/export_bytes/varied.csv"
put source_detect 0a "$fx/kb/Q99419-sample-input.txt"
put source_detect 0b "$fx/text/export_q106623.msg"
put source_detect 0c "$fx/text/dirsync.log"
put source_detect 10 "$fx/dirsync/REQTRANS.GLB"
put source_detect 11 "$fx/dirsync/REQCONF.GLB"
put source_detect 83 "$fx/dirsync/REQTRANS.GLB"

for t in "$corpus"/*/; do
  printf '%-16s %4d seeds\n' "$(basename "$t")" "$(find "$t" -name 'seed-*' | wc -l)"
done
