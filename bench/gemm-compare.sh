#!/usr/bin/env bash
# Square SGEMM GFLOP/s, Dendrite vs the TorchSharp anchor, alternating run by run (the machine is shared and
# noisy), then the median of each. usage: bench/gemm-compare.sh [rounds=5] [sizes=1024,2048] [threads="1 2"]
set -euo pipefail
rounds=${1:-5}
sizes=${2:-1024,2048}
threads=${3:-1 2}
here="$(cd "$(dirname "$0")/.." && pwd)"
anchor="${ANCHOR:-$here/../shared/anchors/torchsharp/run.sh}"
[ -x "$anchor" ] || { echo "bench/gemm-compare.sh: TorchSharp anchor not found at $anchor (set ANCHOR)" >&2; exit 2; }
dotnet build "$here/bench/Dendrite.Benchmarks" -c Release -v q -nologo >/dev/null
bench=(dotnet "$here/bench/Dendrite.Benchmarks/bin/Release/net10.0/Dendrite.Benchmarks.dll")
out=${KEEP:-$(mktemp)}
for r in $(seq "$rounds"); do
  for t in $threads; do
    "$anchor" gemm "$sizes" "$t" | awk -v t="$t" '/RESULT/ {print $4, t, "torchsharp", $NF}' >>"$out"
    "${bench[@]}" square "$sizes" "$t" 2 | awk -v t="$t" '/RESULT/ {print $4, t, "dendrite", $NF}' >>"$out"
  done
  echo "round $r of $rounds done" >&2
done
python3 - "$out" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    n, t, who, g = line.split()
    rows[(int(n), int(t), who)].append(float(g))
print(f"{'n':>6}{'threads':>9}{'TorchSharp':>12}{'Dendrite':>10}{'ratio':>7}   medians; all rounds")
for n, t in sorted({(k[0], k[1]) for k in rows}):
    ts, de = rows[(n, t, 'torchsharp')], rows[(n, t, 'dendrite')]
    a, b = statistics.median(ts), statistics.median(de)
    print(f"{n:>6}{t:>9}{a:>12.1f}{b:>10.1f}{b / a:>7.2f}   torch {ts} dendrite {de}")
PY
[ -n "${KEEP:-}" ] || rm -f "$out"
