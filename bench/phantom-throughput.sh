#!/usr/bin/env bash
# Benchmark: how long the phantom takes to write N full-size AP pelvis DICOM films (default 1000) with all cores.
# Target: 1,000 images in under 5 minutes on 2 cores. Prints the figure; asserts nothing.
#   bench/phantom-throughput.sh [COUNT] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"; seed="${2:-20261127}"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
./hipoa inspect /dev/null >/dev/null 2>&1 || true   # builds on first use, outside the timed run
start=$(date +%s.%N)
./hipoa phantom --phantom v1 --count "$count" --seed "$seed" --out "$out"
end=$(date +%s.%N)
bytes=$(du -sb "$out" | cut -f1)
awk -v n="$count" -v s="$start" -v e="$end" -v b="$bytes" -v c="$(nproc)" 'BEGIN {
  t = e - s; printf "phantom-throughput: %d images in %.1f s on %d cores = %.2f images/s, %.0f ms/image/core, %.1f MB/image\n",
  n, t, c, n / t, 1000 * t * c / n, b / n / 1e6 }'
