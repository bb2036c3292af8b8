#!/usr/bin/env bash
# Runs the dashboard on its embedded default: a local 3-voter + 1-observer ZooKeeper sandbox.
# Extra arguments go to the dashboard, e.g. ./scripts/run.sh --urls http://0.0.0.0:5080
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/prereqs.sh
ensure_dotnet
ensure_node
ensure_zookeeper
exec dotnet run --project Dashboard --launch-profile Dashboard -- --sandbox "$@"
