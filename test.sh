#!/usr/bin/env bash
# Runs every test of the repository and ends with one line "N passed, N failed" summed over all test projects.
set -euo pipefail
cd "$(dirname "$0")"
# libtorch's OpenMP threads spin while waiting; when other work shares the cores (a web server, parallel test
# projects) that makes a training step up to ten times slower. Passive waiting costs ~10% on an idle machine.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

# Prerequisites beyond the .NET SDK are installed here, before the tests run; `dotnet test` restores the NuGet packages itself.
# The browser tests drive Debian's Chromium (Playwright downloads no browser of its own).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# The Slurm tests run against a real one-node cluster on this machine: .ci/slurm-up installs Debian's slurm-wlm and
# munge and starts it (idempotent), and it is stopped when the tests end. With SLURM_CONF set, that cluster is used.
started_slurm=""
if [ -z "${SLURM_CONF:-}" ]; then
  export LORALAB_SLURM_STATE="${LORALAB_SLURM_STATE:-/tmp/loralab-slurm}"
  if SLURM_CONF="$(.ci/slurm-up)"; then
    export SLURM_CONF
    started_slurm=1
  else
    echo "test.sh: the one-node Slurm cluster could not be started; the Slurm tests will be reported as skipped." >&2
    unset SLURM_CONF
  fi
fi

log=$(mktemp)
trap 'rm -f "$log"; if [ -n "$started_slurm" ]; then .ci/slurm-down; fi' EXIT
status=0
# One test project at a time (-m:1): on two cores, projects that train models in parallel starve the browser tests' studio.
dotnet test Web.sln -m:1 2>&1 | tee "$log" || status=$?
# Each test assembly ends with "Passed!  - Failed: F, Passed: P, Skipped: S, ..." (or "Failed!  - ...").
awk '/(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(/,/, ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) }
     }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
