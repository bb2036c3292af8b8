#!/usr/bin/env bash
# Runs every test (real ZooKeeper servers, headless Chromium) and ends with "N passed, N failed".
# Extra arguments go to `dotnet test`, e.g. ./scripts/test.sh --filter "FullyQualifiedName~Sandbox"
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/prereqs.sh
ensure_dotnet
ensure_node
ensure_zookeeper
ensure_chromium
ensure_kazoo
ensure_ssh
ensure_kerberos
ensure_postgresql
try_docker_compose

results="$(pwd)/TestResults"
rm -rf "$results"
set +e
dotnet test Dashboard.sln --logger "trx;LogFileName=tests.trx" --results-directory "$results" "$@"
status=$?
set -e

trx=$(find "$results" -name '*.trx' 2>/dev/null | head -n 1)
if [ -z "$trx" ]; then
  echo "no test results were written (the build failed?)"
  echo "0 passed, 1 failed"
  exit 1
fi
counter() { grep -o "<Counters [^>]*" "$trx" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
passed=$(counter passed); failed=$(counter failed); total=$(counter total); executed=$(counter executed)
skipped=$(( total - executed ))
# Failures the counters miss (a crashed test host) still fail the run through dotnet test's exit code.
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped"
exit "$status"
