#!/usr/bin/env bash
# Starts the LoRA Lab web studio. LORALAB_URLS sets where it listens; the LoraLab__* variables configure it.
set -euo pipefail
cd "$(dirname "$0")"

# `dotnet run` starts the app inside src/LoraLab.Web; keep the data folder beside this script instead.
export LoraLab__DataPath="${LoraLab__DataPath:-$PWD/data}"

exec dotnet run --project src/LoraLab.Web -c Release --urls "${LORALAB_URLS:-http://127.0.0.1:5000}"
