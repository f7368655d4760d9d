#!/usr/bin/env bash
# run-fuzz.sh TARGET CORPUS SECONDS: a short libFuzzer run of TARGET seeded
# from CORPUS (kept read-only: new inputs go to a temporary folder).
# Fails on any crash, leak, sanitizer report or timeout of one input.
set -eu
target=$(readlink -f "$1") corpus=$(readlink -f "$2") seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/new"
cd "$work"
exec "$target" "$work/new" "$corpus" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
