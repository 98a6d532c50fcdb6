#!/usr/bin/env bash
# Lints the deployment: the partner contract functions/api/openapi.yaml with openapi-spec-validator as OpenAPI 3.0
# (the version API Gateway's REST import takes; --schema 3.0, not detect, so a 3.1 document fails here too),
# template.yaml with `sam validate --lint` and cfn-lint, security rules with checkov (template.yaml and
# functions/inference/Dockerfile), then `sam build` of the zip functions when Maven has made their zips (CI calls
# this after ./hipoa test). Any finding fails; every suppression is inline in the linted file.
# Installs its tools once, pinned, into .hipoa/lint/ - three venvs, because checkov and aws-sam-cli pin
# conflicting boto3 versions (and the spec validator needs neither). First run ~1 min of pip (two cores), later
# runs ~15 s.
set -euo pipefail
cd "$(dirname "$0")/.."

SAM_CLI_VERSION=1.170.0
CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30
OPENAPI_SPEC_VALIDATOR_VERSION=0.9.0

venv() { # DIR PIN-STAMP REQUIREMENT... : (re)create DIR unless it already holds exactly these pins
  local dir=$1 stamp=$2; shift 2
  [ -f "$dir/.pins" ] && [ "$(cat "$dir/.pins")" = "$stamp" ] && return 0
  echo "lint: installing $* into $dir" >&2
  rm -rf "$dir" && python3 -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check "$@" >"$dir.pip.log" 2>&1 || {
    tail -20 "$dir.pip.log" >&2; return 1; }
  echo "$stamp" >"$dir/.pins"
}
mkdir -p .hipoa/lint
venv .hipoa/lint/sam "sam=$SAM_CLI_VERSION cfn-lint=$CFN_LINT_VERSION" \
  "aws-sam-cli==$SAM_CLI_VERSION" "cfn-lint==$CFN_LINT_VERSION" & sam_pid=$!
venv .hipoa/lint/checkov "checkov=$CHECKOV_VERSION" "checkov==$CHECKOV_VERSION" & checkov_pid=$!
venv .hipoa/lint/openapi "openapi-spec-validator=$OPENAPI_SPEC_VALIDATOR_VERSION" \
  "openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION" & openapi_pid=$!
wait "$sam_pid" && wait "$checkov_pid" && wait "$openapi_pid"

SAM=.hipoa/lint/sam/bin/sam
CFN_LINT=.hipoa/lint/sam/bin/cfn-lint
CHECKOV=.hipoa/lint/checkov/bin/checkov
OPENAPI_SPEC_VALIDATOR=.hipoa/lint/openapi/bin/openapi-spec-validator
# No telemetry, no network: sam and cfn-lint work offline; --skip-download keeps checkov off the Prisma API.
export SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-eu-central-1}"

failed=()
step() { # NAME COMMAND... : run, report, remember failures, carry on so one run shows every finding
  local name=$1; shift
  if "$@"; then echo "lint: $name ok" >&2; else echo "lint: $name FAILED" >&2; failed+=("$name"); fi
}
step "openapi-spec-validator (OpenAPI 3.0)" "$OPENAPI_SPEC_VALIDATOR" --schema 3.0 functions/api/openapi.yaml
step "sam validate --lint" "$SAM" validate --lint --template template.yaml --region "$AWS_DEFAULT_REGION"
step "cfn-lint" "$CFN_LINT" template.yaml
step "checkov template.yaml" "$CHECKOV" --file template.yaml --framework cloudformation --skip-download --quiet \
  --compact
step "checkov Dockerfile" "$CHECKOV" --file functions/inference/Dockerfile --framework dockerfile --skip-download \
  --quiet --compact

# sam build: the zip functions point at Maven's zips, which SAM copies as they are (no Docker, ~2 s); the image
# functions (PackageType Image: InferenceFunction and the DeadLetter/Sweep handlers sharing its image) need Docker
# and are built where Docker runs: `sam build --use-buildkit`.
if [ -f functions/preprocess/target/hipoa-preprocess-lambda.zip ] && [ -f functions/api/target/hipoa-api-lambda.zip ]
then
  step "sam build (zip functions)" "$SAM" build --template template.yaml --exclude InferenceFunction \
    --exclude DeadLetterFunction --exclude SweepFunction --build-dir .hipoa/sam-build --region "$AWS_DEFAULT_REGION"
else
  echo "lint: sam build skipped - no Lambda zips yet (mvn -B -ntp package -DskipTests makes them)" >&2
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "lint: failed: ${failed[*]}" >&2
  exit 1
fi
echo "lint: all passed" >&2
