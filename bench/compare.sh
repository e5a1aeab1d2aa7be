#!/usr/bin/env bash
# Side-by-side speed comparison with the TorchSharp anchor: alternates the two frameworks for several rounds
# in one run and prints the median of each figure and the ratio Dendrite / TorchSharp.
# usage: [MODELS="mlp cnn fashion lenet5"] [GEMM=1] bench/compare.sh [rounds=5] [threads=2]
# MODELS: the presets to train and infer (default all four the anchor knows); GEMM=0 leaves out the SGEMM rows.
# Needs ../shared/anchors/torchsharp/run.sh beside the checkout (it builds itself on first use).
set -euo pipefail
rounds=${1:-5}
threads=${2:-2}
here="$(cd "$(dirname "$0")/.." && pwd)"
anchor="${ANCHOR:-$here/../shared/anchors/torchsharp/run.sh}"
[ -x "$anchor" ] || { echo "bench/compare.sh: TorchSharp anchor not found at $anchor (set ANCHOR)" >&2; exit 2; }
dotnet build "$here/src/Dendrite.Cli" -c Release -v q -nologo >/dev/null
dendrite=(dotnet "$here/src/Dendrite.Cli/bin/Release/net10.0/dendrite.dll")
out=$(mktemp)
read -ra models <<<"${MODELS:-mlp cnn fashion lenet5}"
for r in $(seq "$rounds"); do
  [ "${GEMM:-1}" = 0 ] || for t in 1 "$threads"; do
    for n in 1024 2048; do
      "$anchor" gemm "$n" "$t" | awk -v n="$n" -v t="$t" '/RESULT/ {print "gemm", n, t, "torchsharp gflops", $NF}' >>"$out"
      "${dendrite[@]}" bench gemm --size "$n" --threads "$t" --seconds 2 --json \
        | python3 -c "import json,sys; d=json.load(sys.stdin); print('gemm', $n, $t, 'dendrite gflops', d['gflops'])" >>"$out"
    done
  done
  for m in "${models[@]}"; do
    steps=$([ "$m" = mlp ] && echo 500 || echo 40)
    "$anchor" bench "$m" 64 "$steps" "$threads" \
      | python3 -c "import json,sys; d=json.load(sys.stdin); print('$m 64 $threads torchsharp train', d['train_samples_per_sec']); print('$m 64 $threads torchsharp infer', d['infer_samples_per_sec'])" >>"$out"
    "${dendrite[@]}" bench --model "$m" --batch 64 --steps "$steps" --threads "$threads" --json \
      | python3 -c "import json,sys; d=json.load(sys.stdin); print('$m 64 $threads dendrite train', d['train_samples_per_sec']); print('$m 64 $threads dendrite infer', d['infer_samples_per_sec']); print('$m 64 $threads dendrite alloc', d['allocated_bytes_per_step'])" >>"$out"
  done
  echo "round $r of $rounds done" >&2
done
python3 - "$out" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    *key, value = line.split()
    rows[tuple(key)].append(float(value))
def med(k): return statistics.median(rows[k]) if k in rows else float('nan')
print(f"{'benchmark':<44}{'TorchSharp':>12}{'Dendrite':>12}{'ratio':>8}   (medians of {len(next(iter(rows.values())))} rounds)")
for key in sorted({k[:3] + (k[4],) for k in rows if k[3] == 'torchsharp'}):
    name, a, b, metric = key
    t = med((name, a, b, 'torchsharp', metric)); d = med((name, a, b, 'dendrite', metric))
    label = f"{name} {'n=' + a if name == 'gemm' else 'batch ' + a} threads {b} {metric}"
    print(f"{label:<44}{t:>12.1f}{d:>12.1f}{d / t:>8.2f}")
for key in sorted(k for k in rows if k[3] == 'dendrite' and k[4] == 'alloc'):
    print(f"{key[0]} allocated bytes per step (dendrite): {med(key):.0f}")
PY
