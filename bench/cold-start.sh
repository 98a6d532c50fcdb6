#!/usr/bin/env bash
# Cold start as a whole process: a fresh JVM, started the way Lambda's java21 runtime starts one, from process start
# to the first prepared study (preprocess) and the first graded study (inference), for each way of shortening it.
# Prints figures; asserts nothing. Phantom film; the models are demonstrations trained on a synthetic phantom.
#   bench/cold-start.sh [RUNS] [DIR]      (defaults: 5 runs of each variant, a temporary DIR)
# DIR keeps the unpacked function packages, the film, the crops, the class archives and one launcher per variant
# (DIR/run-VARIANT, each one fresh JVM), so another timer can run them too (e.g. /usr/bin/time -v DIR/run-pre-default).
# Each run ends where Lambda would send its first response, by killing itself (exit status 137): the AWS CRT's and
# ONNX Runtime's teardown at exit (about 1.2 s here) is no part of a cold start.
#
# What runs: the functions' own packages, as Lambda unpacks them (the preprocess zip's lib/*.jar, the inference
# image's lib/ folder), plus one jar with the ColdStart main of the function's test sources. Init = the handler's
# no-argument constructor (settings from the environment as template.yaml sets them, the SDK clients, the ONNX
# Runtime session); the first event = the handler's per-event preparation (preprocess) or grading (inference),
# without S3/SQS/DynamoDB: those calls are network-bound and the same with or without any variant here. Not in the
# figure either: Lambda's own part (microVM, runtime interface client start, downloading the package).
#
# JVM flags, as assumed for Lambda's java21 runtime (its launch line as others have printed it for java17: SerialGC,
# -Xshare:on with the runtime's own CDS archive, -XX:+TieredCompilation -XX:TieredStopAtLevel=1, a max heap of 85 %
# of the memory, -Djava.net.preferIPv4Stack=true): -XX:+TieredCompilation -XX:+UseSerialGC, -XX:MaxHeapSize = 85 %
# of the template's MemorySize, the JDK's default CDS archive, and template.yaml's JAVA_TOOL_OPTIONS (read from the
# template) in the environment. Whether Lambda's launcher leaves its own -XX:TieredStopAtLevel=1 off when
# JAVA_TOOL_OPTIONS sets a level is not known here; if it does not, the command line wins and the function runs
# C1 only: the *-c1 variants measure that case. The JDK is this machine's (JAVA_HOME, else Temurin 25, else 21):
# Lambda's java21 is Amazon Corretto 21, so only ratios carry over, and a class archive made here serves only the
# JVM build that made it.
#
# Variants (PRE = preprocess, INF = inference):
#   pre-default    what runs today: eager model load at init, nothing primed
#   pre-primed     + SnapStart priming run at init (SnapStartPriming): under SnapStart this part of init runs
#                  before the snapshot, so the "first event" figure is what a restored environment's first event
#                  costs (the restore itself, AWS's part, is not measured here)
#   pre-appcds     + an AppCDS archive of the application's classes (-XX:SharedArchiveFile; made by a training run
#                  of pre-default with -XX:ArchiveClassesAtExit). JDK 19+.
#   pre-aot        + a JDK 25 AOT cache (-XX:AOTCache; training run with -XX:AOTCacheOutput). JDK 25+ only.
#   pre-c1         pre-default with C1 only (-XX:TieredStopAtLevel=1 on the command line, Lambda's own default)
#   inf-eager      what runs today: the grader session is built at init
#   inf-c1         inf-eager with C1 only
#   inf-lazy       the grader session is built in the first event instead
#   inf-appcds, inf-aot   as for preprocess, on inf-eager
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"; dir="${2:-}"
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; then export JAVA_HOME="$candidate"; break; fi
done
java="$JAVA_HOME/bin/java"
jdk_major="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
offline=(); [ -n "${MVN_OFFLINE:-}" ] && offline=(-o)
if [ -z "$dir" ]; then dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT; fi
dir="$(cd "$dir" && pwd)"

mvn "${offline[@]}" -q -B -DskipTests -pl functions/preprocess,functions/inference -am package >&2
mkdir -p "$dir/pre-task" "$dir/inf-task" "$dir/djl"
rm -rf "$dir/pre-task"/* "$dir/inf-task"/*
unzip -q -o functions/preprocess/target/hipoa-preprocess-lambda.zip -d "$dir/pre-task"
cp -r functions/inference/target/hipoa-inference-lambda/lib functions/inference/target/hipoa-inference-lambda/model \
  "$dir/inf-task/"
# The ColdStart mains and their clock as jars: CDS archives classes from jars only (a class folder on the path
# disables it).
"$JAVA_HOME/bin/jar" --create --file "$dir/pre-task/coldstart.jar" -C functions/preprocess/target/test-classes \
  org/hipoa/preprocess/ColdStart.class -C functions/aws/target/test-classes org/hipoa/aws/ColdStartClock.class
"$JAVA_HOME/bin/jar" --create --file "$dir/inf-task/coldstart.jar" -C functions/inference/target/test-classes \
  org/hipoa/inference/ColdStart.class -C functions/aws/target/test-classes org/hipoa/aws/ColdStartClock.class
# The film: phantom seed 31337, index 0, as bench/peers makes it (the function packages carry no phantom generator).
${HIPOA:-./hipoa} phantom --phantom v1 --count 1 --seed 31337 --out "$dir/films" >/dev/null 2>&1
cp "$dir/films/hip00000.dcm" "$dir/film.dcm"

tool_options="$(sed -n 's/^ *JAVA_TOOL_OPTIONS: *//p' template.yaml | head -1)"
mem() { sed -n "/^  $1:/,/^  [A-Za-z]/s/^ *MemorySize: *\([0-9]*\).*/\1/p" template.yaml | head -1; }
pre_mb="$(mem PreprocessFunction)"; inf_mb="$(mem InferenceFunction)"
jvm() { # MEMORY_MB: Lambda's flags as assumed above
  echo "-XX:+TieredCompilation -XX:+UseSerialGC -XX:MaxHeapSize=$(( $1 * 85 / 100 ))m" \
       "-Djava.net.preferIPv4Stack=true"
}

# The environment template.yaml gives the functions; credentials and names are dummies (no call is made).
cat > "$dir/env" <<EOF
export JAVA_TOOL_OPTIONS='$tool_options'
export AWS_REGION=eu-central-1 AWS_ACCESS_KEY_ID=cold-start AWS_SECRET_ACCESS_KEY=cold-start
export TABLE_NAME=results WORK_BUCKET=work INGEST_BUCKET=ingest QUEUE_URL=https://sqs.eu-central-1.amazonaws.com/000000000000/claims
export STUDY_KEY_SECRET=cold-start-bench-secret-0123456789 MAX_RECEIVE_COUNT=5 HIPOA_DEVICE=cpu
export DJL_OFFLINE=true OPT_OUT_TRACKING=true DJL_CACHE_DIR='$dir/djl' POWERTOOLS_SERVICE_NAME=cold-start
EOF
launcher() { # NAME TASK MEMORY_MB EXTRA_FLAGS MAIN ARGS...
  local name="$1" task="$2" mb="$3" extra="$4"; shift 4
  { echo "#!/bin/sh"; echo ". '$dir/env'"; echo "export MODEL_DIR='$dir/$task/model'"
    echo "exec '$java' $(jvm "$mb") $extra -cp '$dir/$task/lib/*:$dir/$task/coldstart.jar' $*"
  } > "$dir/run-$name"
  chmod +x "$dir/run-$name"
}
pre=org.hipoa.preprocess.ColdStart; inf=org.hipoa.inference.ColdStart
launcher pre-default pre-task "$pre_mb" "" $pre default "$dir/film.dcm" "$dir/crops.npy"
("$dir/run-pre-default" >/dev/null) 2>/dev/null || true # writes the crops the inference runs grade; ends killed
[ -s "$dir/crops.npy" ] || { echo "cold-start: the preprocess run wrote no crops" >&2; exit 1; }
launcher pre-primed pre-task "$pre_mb" "" $pre primed "$dir/film.dcm"
launcher inf-eager inf-task "$inf_mb" "" $inf eager "$dir/crops.npy"
launcher inf-lazy inf-task "$inf_mb" "" $inf lazy "$dir/crops.npy"
# C1 only, as Lambda's runtime would run if its own -XX:TieredStopAtLevel=1 stayed on the command line: HotSpot
# reads JAVA_TOOL_OPTIONS before the command line, so a command-line flag wins over the template's.
launcher pre-c1 pre-task "$pre_mb" "-XX:TieredStopAtLevel=1" $pre default "$dir/film.dcm"
launcher inf-c1 inf-task "$inf_mb" "-XX:TieredStopAtLevel=1" $inf eager "$dir/crops.npy"
variants=(pre-default pre-c1 pre-primed pre-appcds inf-eager inf-c1 inf-lazy inf-appcds)
# Training runs: the same launch as the variant it shortens, writing the archive at exit.
for f in pre inf; do
  base=$([ $f = pre ] && echo pre-default || echo inf-eager)
  mb=$([ $f = pre ] && echo "$pre_mb" || echo "$inf_mb")
  main=$([ $f = pre ] && echo "$pre default $dir/film.dcm" || echo "$inf eager $dir/crops.npy")
  launcher "$f-train-cds" "$f-task" "$mb" "-XX:ArchiveClassesAtExit=$dir/$f.jsa -Dcoldstart.exit=halt" $main
  "$dir/run-$f-train-cds" >/dev/null 2>"$dir/$f-train-cds.log"
  launcher "$f-appcds" "$f-task" "$mb" "-XX:SharedArchiveFile=$dir/$f.jsa" $main
  if [ "$jdk_major" -ge 25 ]; then
    launcher "$f-train-aot" "$f-task" "$mb" "-XX:AOTCacheOutput=$dir/$f.aot -Dcoldstart.exit=halt" $main
    "$dir/run-$f-train-aot" >/dev/null 2>"$dir/$f-train-aot.log"
    launcher "$f-aot" "$f-task" "$mb" "-XX:AOTCache=$dir/$f.aot" $main
    variants+=("$f-aot")
  fi
done

echo "cold-start: $runs runs of each variant, round-robin; JDK $jdk_major ($JAVA_HOME); $(nproc) cores;" \
     "JAVA_TOOL_OPTIONS '$tool_options'; heap 85 % of MemorySize $pre_mb / $inf_mb MB"
echo "  archives: $(cd "$dir" && ls -s --block-size=M ./*.jsa ./*.aot 2>/dev/null | tr '\n' ' ')"
echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq 1 "$runs"); do
  for v in "${variants[@]}"; do
    t0=$EPOCHREALTIME
    # The JVM's own warnings (CDS, native access) go to stdout or stderr; the figure line is the one kept.
    # Each run ends by killing itself at its first result (ColdStart.end: exit status 137, no teardown).
    rc=0; out="$("$dir/run-$v" 2>"$dir/$v.err")" || rc=$?
    [ "$rc" = 0 ] || [ "$rc" = 137 ] || { tail -5 "$dir/$v.err" >&2; exit 1; }
    t1=$EPOCHREALTIME
    line="$(grep -E '^(preprocess|inference) ' <<<"$out")"
    echo "$v $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }') $line" >> "$dir/results"
  done
done
python3 - "$dir/results" "${variants[@]}" <<'PY'
import re, statistics, sys
rows = [l.split(" ", 2) for l in open(sys.argv[1])]
print(f"  {'variant':12s} {'whole process':>14s} {'JVM to main':>12s} {'init':>6s} {'priming':>8s} {'1st event':>10s}  (medians, ms)")
for v in sys.argv[2:]:
    mine = [r for r in rows if r[0] == v]
    def med(key):
        vals = [float(m.group(1)) for r in mine if (m := re.search(key + r" (\d+) ms", r[2]))]
        return f"{statistics.median(vals):.0f}" if vals else "-"
    wall = statistics.median(float(r[1]) for r in mine)
    print(f"  {v:12s} {wall:14.0f} {med('JVM start to main'):>12s} {med('init'):>6s} {med('priming'):>8s} {med('first event'):>10s}")
PY
echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
