#!/usr/bin/env bash
# Benchmark: end-to-end latency per study on the embedded local stack (S3 PUT → preprocess → SQS → inference →
# DynamoDB → GRADED seen through the local API), one study at a time so nothing queues, plus each handler's cold
# start (init + first event). Prints figures; asserts nothing. The queue pump's batching window (500 ms, like a
# Lambda MaximumBatchingWindow) is part of what it measures.
#   bench/pipeline-latency.sh [STUDIES] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
./hipoa demo --once --one-at-a-time --count "${1:-20}" --seed "${2:-4711}" 2>/dev/null | grep -E "^end-to-end|cold start|done"
