#!/usr/bin/env bash
# One GPU lease, one call (the device tool gives a session ~15 minutes, one command <= 10 minutes):
#   1. phantom training data from the product's own Java crop code (carried JRE + jars in .device/, all cores),
#      one render per film cut at 224 px (paper config) and 160 px (CPU config);
#   2. the paper's DenseNet-161 at 224 px and the CPU config's DenseNet-121 at 160 px, trained side by side on the
#      one GPU (bf16 autocast), each fitted to a wall-clock budget;
#   3. int8-weight checkpoints (hipoa_train.compact) and logs into $OUT; export + evaluation happen back home.
# --phantom v2 (or PHANTOM=v2): trains on phantom v2 internal-site data (reader A's labels) and, while the GPU trains,
# renders two test sets of a seed nobody trains on (TEST_SEED, TEST_FILMS films each: internal and external site);
# each int8 checkpoint is evaluated on both (test<arch>-<site>-int8.json: accuracy vs reader and truth, ceilings).
# Local smoke run (CPU, tiny): FILMS=8 TEST_FILMS=4 MIN161=0.5 MIN121=0.5 OUT=/tmp/o training/gpu/paper-run.sh --phantom v2
set -uo pipefail
PHANTOM=${PHANTOM:-v1}
while [ $# -gt 0 ]; do
  case "$1" in
    --phantom) PHANTOM=${2:-}; shift 2 ;;
    *) echo "paper-run.sh: unknown argument $1 (takes --phantom v1|v2)" >&2; exit 2 ;;
  esac
done
case "$PHANTOM" in v1|v2) ;; *) echo "paper-run.sh: --phantom must be v1 or v2, not '$PHANTOM'" >&2; exit 2 ;; esac
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${OUT:?set OUT}
FILMS=${FILMS:-4000}
SEED=${SEED:-3001}
DEADLINE=${DEADLINE:-540}   # seconds after start by which everything is in $OUT (the call's limit is 600)
EPOCHS=${EPOCHS:-60}
EPOCHS161=${EPOCHS161:-$EPOCHS}
EPOCHS121=${EPOCHS121:-$EPOCHS}
FIT=${FIT---fit-budget}   # FIT= (empty) runs exactly EPOCHS161/EPOCHS121, with the budget only as a safety stop
TEST_FILMS=${TEST_FILMS:-400}   # v2: films per test site
TEST_SEED=${TEST_SEED:-271828}  # v2: must differ from SEED (evaluate checks: "held_out" in each test report)
PHANTOM_ARGS=(--phantom "$PHANTOM")
SITE_ARGS=()   # v2 training data is the internal site's; evaluate needs to know whose reader labelled it
[ "$PHANTOM" = v2 ] && SITE_ARGS=(--site internal)
t0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t0 )) s] $*" | tee -a "$OUT/timeline.txt"; }

stamp "start on $(nproc) cores, phantom $PHANTOM"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >> "$OUT/timeline.txt" 2>&1 || true
python3 -c 'import torch, onnx; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), "onnx", onnx.__version__)' | tee -a "$OUT/timeline.txt"

JAVA=java
if ! command -v java >/dev/null || ! java -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  mkdir -p /tmp/jre && tar xJf .device/jre.tar.xz -C /tmp/jre --strip-components=1 && JAVA=/tmp/jre/bin/java
fi
stamp "java: $($JAVA -version 2>&1 | head -1)"

DATA=/tmp/hipoa-train
rm -rf "$DATA"
$JAVA -Xmx48g -Djava.awt.headless=true -cp "$ROOT/.device/lib/*" org.hipoa.cli.Hipoa phantom-train-data \
  "${PHANTOM_ARGS[@]}" "${SITE_ARGS[@]}" --count "$FILMS" --seed "$SEED" --out "$DATA" --crop-px 224,160 --threads "$(nproc)" \
  --shard-size 500 2> "$OUT/train-data.err" || { stamp "train-data FAILED"; tail -5 "$OUT/train-data.err"; exit 1; }
stamp "train data: $(wc -l < "$DATA/px224/hips.jsonl") hips at 224 and 160 px, $(du -sh "$DATA" | cut -f1)"

# v2 test sets, rendered on the CPU while the GPU trains (the trainings hold their crops on the GPU).
ptest=
if [ "$PHANTOM" = v2 ]; then
  (for site in internal external; do
     rm -rf "/tmp/hipoa-test-$site"
     $JAVA -Xmx16g -Djava.awt.headless=true -cp "$ROOT/.device/lib/*" org.hipoa.cli.Hipoa phantom-train-data \
       --phantom v2 --site "$site" --count "$TEST_FILMS" --seed "$TEST_SEED" --out "/tmp/hipoa-test-$site" \
       --crop-px 224,160 --threads "$(( $(nproc) > 8 ? $(nproc) - 6 : 2 ))" --shard-size 500 \
       2> "$OUT/test-data-$site.err" || exit 1
   done) &
  ptest=$!
fi

cd training
export PYTHONUNBUFFERED=1
# Whatever the data generation took, both trainings share what is left, minus ~50 s for int8 + val + copy.
MIN=$(python3 -c "print(max(0.3, ($DEADLINE - $(( $(date +%s) - t0 )) - 50) / 60))")
stamp "training budget: $MIN min each (side by side)"
MIN161=${MIN161:-$MIN}
MIN121=${MIN121:-$MIN}
python3 -m hipoa_train.train_grader --config paper --data "$DATA/px224" --epochs "$EPOCHS161" --batch 64 --lr 1e-3 \
  --loss-weights cysts=2 --threads 4 --max-minutes "$MIN161" $FIT --seed 1 --out /tmp/run161 \
  > "$OUT/train161.log" 2>&1 &
p161=$!
python3 -m hipoa_train.train_grader --config cpu --data "$DATA/px160" --epochs "$EPOCHS121" --batch 64 --lr 1e-3 \
  --loss-weights cysts=2 --threads 4 --max-minutes "$MIN121" $FIT --seed 1 --out /tmp/run121 \
  > "$OUT/train121.log" 2>&1 &
p121=$!
wait $p161; r161=$?
stamp "densenet161 done rc=$r161: $(grep -a '^done' "$OUT/train161.log")"
wait $p121; r121=$?
stamp "densenet121 done rc=$r121: $(grep -a '^done' "$OUT/train121.log")"
rtest=0
if [ -n "$ptest" ]; then wait $ptest; rtest=$?; stamp "v2 test sets rc=$rtest"; fi

for r in 161 121; do
  if [ -f /tmp/run$r/best.pt ]; then
    python3 -m hipoa_train.compact /tmp/run$r/best.pt /tmp/run$r/best-int8.pt | tee -a "$OUT/timeline.txt"
    px=$([ $r = 161 ] && echo 224 || echo 160)
    # the validation split chose the epoch: its figures are for the run's log, never the model card
    python3 -m hipoa_train.evaluate --checkpoint /tmp/run$r/best-int8.pt --data "$DATA/px$px" "${SITE_ARGS[@]}" \
      --split val --bootstrap 200 --batch 256 --out "$OUT/val$r-int8.json" > /dev/null 2>&1
    if [ "$PHANTOM" = v2 ] && [ "$rtest" = 0 ]; then
      for site in internal external; do
        python3 -m hipoa_train.evaluate --checkpoint /tmp/run$r/best-int8.pt --data "/tmp/hipoa-test-$site/px$px" \
          --site "$site" --bootstrap 1000 --batch 256 --out "$OUT/test$r-$site-int8.json" > /dev/null 2>> "$OUT/eval.err"
        stamp "test $r $site: $(python3 -c "import json, sys; r = json.load(open(sys.argv[1])); print('held out' if r['set']['held_out'] else 'NOT HELD OUT', ' '.join(f\"{t} {m['accuracy']:.3f}/{m['ceiling']:.3f}\" for t, m in r['tasks'].items()))" "$OUT/test$r-$site-int8.json")"
      done
    fi
    cp /tmp/run$r/history.jsonl "$OUT/history$r.jsonl"
  fi
done
[ -f /tmp/run121/best-int8.pt ] && cp /tmp/run121/best-int8.pt "$OUT/grader121-int8.pt"
# Files come back at most 16 MiB each: split the DenseNet-161 checkpoint (~27 MB), joined with cat at home.
[ -f /tmp/run161/best-int8.pt ] && split -b 15M -d /tmp/run161/best-int8.pt "$OUT/grader161-int8.pt.part"
for f in "$OUT"/*.log; do tr '\r' '\n' < "$f" | grep -av '^\s*$' | grep -av '|.*it/s\|s/it' > "$f.tmp"; mv "$f.tmp" "$f"; done
stamp "done"
# At most 8 files come back: logs, histories and validation reports travel as one archive.
(cd "$OUT" && shopt -s nullglob && small=(*.log *.jsonl *.json *.err) && tar czf logs.tgz "${small[@]}" && rm -f "${small[@]}")
ls -la "$OUT"
