#!/usr/bin/env bash
# Benchmark: per-stage latency of ./hipoa grade on phantom studies, warm (the first study, which loads the models
# and JIT-compiles, is reported separately). Prints figures; asserts nothing.
#   bench/grade-latency.sh [STUDIES] [SEED] [MODEL_DIR]   (MODEL_DIR: model/ by default, model/paper for DenseNet-161)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20}"; seed="${2:-31337}"; model_dir="${3:-model}"
dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
./hipoa phantom --phantom v1 --count "$n" --seed "$seed" --out "$dir" 2>/dev/null
./hipoa grade --model-dir "$model_dir" "$dir"/hip*.dcm > "$dir/grades.jsonl" || true
python3 - "$dir/grades.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
graded = [r for r in rows if r["status"] == "GRADED"]
print(f"grade-latency: {len(graded)}/{len(rows)} studies graded; {len(graded) - 1} warm")
print("  first study (cold): " + ", ".join(f"{k} {v} ms" for k, v in graded[0]["timingsMs"].items()))
warm = graded[1:]
for stage in warm[0]["timingsMs"]:
    values = [r["timingsMs"][stage] for r in warm]
    print(f"  warm {stage:15s} median {statistics.median(values):7.1f} ms   max {max(values):6d} ms")
PY
