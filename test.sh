#!/usr/bin/env bash
# Runs every test of the repository.
set -euo pipefail
cd "$(dirname "$0")"

# Prerequisites beyond the .NET SDK are installed here, before the tests run; `dotnet test` restores the NuGet packages itself.

dotnet test Web.sln
