#!/usr/bin/env bash
# Starts the LoRA Lab web studio. LORALAB_URLS sets where it listens; the LoraLab__* variables configure it.
set -euo pipefail
cd "$(dirname "$0")"
# libtorch's OpenMP threads spin while waiting; when other work shares the cores (a web server, parallel test
# projects) that makes a training step up to ten times slower. Passive waiting costs ~10% on an idle machine.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

# `dotnet run` starts the app inside src/LoraLab.Web; keep the data folder beside this script instead.
export LoraLab__DataPath="${LoraLab__DataPath:-$PWD/data}"

exec dotnet run --project src/LoraLab.Web -c Release --urls "${LORALAB_URLS:-http://127.0.0.1:5000}"
