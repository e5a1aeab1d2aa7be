#!/usr/bin/env bash
# bench/onnx-compare.sh ROUNDS [MODEL:BATCH ...]: inference samples/s of `dendrite bench --inference-only` against ONNX
# Runtime (../shared/anchors/onnxruntime/run.sh) on the model `dendrite export` writes, 2 threads, alternating the two
# round by round; prints each side's median and the ratio Dendrite / ONNX Runtime. Default: the five presets at batch
# 64, then cnn and mlp at batch 1.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
R="${1:-5}"; shift || true
cases=("$@"); [ ${#cases[@]} -eq 0 ] && cases=(mlp:64 cnn:64 fashion:64 lenet5:64 resnet:64 cnn:1 mlp:1)
D="$root/src/Dendrite.Cli/bin/Release/net10.0/dendrite"
ORT="$root/../shared/anchors/onnxruntime/run.sh"
dotnet build "$root/src/Dendrite.Cli" -c Release -v q -nologo >/dev/null || { echo "build failed"; exit 1; }
w=$(mktemp -d)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${cases[@]}"; do
  m=${c%%:*}; b=${c##*:}
  if [ ! -f "$w/$m.onnx" ]; then
    "$D" train --model $m --epochs 1 --train-limit 500 --test-limit 100 --out "$w/$m.safetensors" >/dev/null 2>&1 || { echo "train $m failed"; exit 1; }
    "$D" export --model "$w/$m.safetensors" --out "$w/$m.onnx" >/dev/null 2>&1 || { echo "export $m failed"; exit 1; }
  fi
  steps=$([ "$b" -le 4 ] && echo 2000 || ([ $m = mlp ] && echo 400 || echo 40))
  ds=(); os=()
  for r in $(seq 1 "$R"); do
    ds+=("$("$D" bench --model $m --batch $b --steps $steps --threads 2 --json --inference-only 2>/dev/null | grep '^{' | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["infer_samples_per_sec"])')")
    os+=("$("$ORT" "$w/$m.onnx" $b 3 2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["infer_samples_per_sec"])')")
  done
  python3 - "$m" "$b" "${ds[*]}" "${os[*]}" <<'PY'
import sys, statistics as s
m, b, d, o = sys.argv[1], sys.argv[2], [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()]
print(f"{m} batch {b}: dendrite {s.median(d):,.0f}  onnxruntime {s.median(o):,.0f}  ratio {s.median(d)/s.median(o):.2f}  (d={[round(x) for x in d]} o={[round(x) for x in o]})")
PY
done
rm -rf "$w"
