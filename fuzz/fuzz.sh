#!/usr/bin/env bash
# Coverage-guided fuzzing of Dendrite's readers with AFL++ and SharpFuzz.
#   fuzz/fuzz.sh TARGET [SECONDS]    one target (idx, safetensors, checkpoint, csv, spec, image, image-header, onnx) for SECONDS (default 600)
#   fuzz/fuzz.sh all [SECONDS]       each target in turn; "csv,spec" runs those two
# A second run of a target resumes its findings folder (AFL_AUTORESUME): the executions add up.
# Needs: apt-get install afl++; dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
# Findings land in fuzz/findings/TARGET/default/{crashes,hangs}; copy each crash into fuzz/regressions/TARGET/ so the
# tests replay it (tests/Dendrite.Tests/IO/FuzzCorpusTests.cs). The figures (execs_done, execs_per_sec, saved_crashes,
# saved_hangs) are in fuzz/findings/TARGET/default/fuzzer_stats.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:?usage: fuzz.sh idx|safetensors|checkpoint|csv|spec|image|image-header|onnx|all [SECONDS]}"
seconds="${2:-600}"
out="$here/bin"
export PATH="$PATH:$HOME/.dotnet/tools"

if [ ! -f "$out/Dendrite.Fuzz.dll" ] || [ "${REBUILD:-0}" = 1 ]; then
  dotnet publish "$here/Dendrite.Fuzz/Dendrite.Fuzz.csproj" -c Release -o "$out" >/dev/null
  # Instrument the library, the tool and the pictures package (the image reader is theirs), not the runtime or SkiaSharp's
  # native code: AFL then sees Dendrite's branches.
  sharpfuzz "$out/Dendrite.Core.dll"
  sharpfuzz "$out/dendrite.dll"
  sharpfuzz "$out/Dendrite.Visualization.dll" # the image header checks (ImageDecoder)
fi

run() {
  local t="$1"
  mkdir -p "$here/findings/$t"
  # dotnet itself is not instrumented (SharpFuzz reports coverage from the managed code): skip AFL's binary check.
  AFL_AUTORESUME=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
    timeout --signal=INT "$((seconds + 30))" \
    afl-fuzz -V "$seconds" -t 5000 -m none -i "$here/corpus/$t" -o "$here/findings/$t" -- dotnet "$out/Dendrite.Fuzz.dll" "$t" \
    > "$here/findings/$t/afl.log" 2>&1 || true
  local stats="$here/findings/$t/default/fuzzer_stats"
  if [ -f "$stats" ]; then
    echo "$t: $(grep -E '^(execs_done|execs_per_sec|run_time|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)' "$stats" | tr -s ' ' | tr '\n' ' ')"
  else
    echo "$t: afl-fuzz did not start; see $here/findings/$t/afl.log"; tail -5 "$here/findings/$t/afl.log"
  fi
}

[ "$target" = all ] && target=idx,safetensors,checkpoint,csv,spec,image,image-header,onnx
for t in ${target//,/ }; do run "$t"; done
