#!/usr/bin/env bash
# Rewrites every C++ file of the project in the project's style (clang-format 14).
# With --check, changes nothing and fails when a file is not formatted.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=(-i)
[ "${1:-}" = "--check" ] && mode=(--dry-run --Werror)
git ls-files --cached --others --exclude-standard "*.cc" "*.h" | xargs clang-format "${mode[@]}"
