#!/bin/sh
# A stand-in for `qarch run` in the dse runner tests: reads --set pe_array.rows/cols and --out,
# then behaves by the row count: 13 fails with an error, 99 hangs, anything else writes a
# summary.json (macs = rows * cols) after a point-dependent sleep so that parallel points finish
# out of order. FAKE_QARCH_SLEEP scales the sleep (default 1).
rows=1 cols=1 out=
while [ $# -gt 0 ]; do
  case "$1" in
    --set) case "$2" in
             pe_array.rows=*) rows=${2#pe_array.rows=} ;;
             pe_array.cols=*) cols=${2#pe_array.cols=} ;;
           esac; shift ;;
    --out) out=$2; shift ;;
  esac
  shift
done
echo "fake qarch: rows=$rows cols=$cols" >&2
if [ "$rows" = 13 ]; then
  echo "error: --set pe_array.rows=13: pe_array.rows: unlucky, \"quoted\", with a comma" >&2
  exit 2
fi
if [ "$rows" = 99 ]; then sleep 60; fi
delay=$(awk -v r="$rows" -v c="$cols" -v s="${FAKE_QARCH_SLEEP:-1}" \
  'BEGIN { printf "%.3f", s * (((r * 7 + c * 3) % 5) * 0.04 + 0.01) }')
sleep "$delay"
energy=$(awk -v r="$rows" -v c="$cols" 'BEGIN { printf "%.17g", r * c / 3 }')
mkdir -p "$out"
cat > "$out/summary.json.tmp" <<JSON
{
  "schema_version": 1,
  "qarch_version": "fake",
  "arch": {"name": "fake"},
  "macs": $((rows * cols)),
  "weight_bytes": $((rows + cols)),
  "total_cycles": null,
  "stall_cycles": null,
  "latency_s": 1.5e-05,
  "energy_pj": $energy,
  "energy_breakdown_pj": {"mac": $((rows * cols)), "dram": 0.25},
  "area_um2": null,
  "tops_per_w": null,
  "layers": []
}
JSON
mv "$out/summary.json.tmp" "$out/summary.json"
