#!/bin/bash
# The man pages render: `man -l` with groff's warnings on prints no warning for any of PAGE...,
# and each page has its NAME, SYNOPSIS and SEE ALSO sections. Exit 77 (skip) without man-db,
# a failure under CI=true.
# Usage: man_test.sh PAGE...
set -u
if ! command -v man >/dev/null; then
    echo "man (man-db) is missing"
    [ "${CI:-}" = true ] && exit 1
    exit 77
fi
failures=0
errfile=$(mktemp "${TMPDIR:-/tmp}/man-test.XXXXXX")
trap 'rm -f "$errfile"' EXIT
for page in "$@"; do
    out=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l --warnings=all "$page" 2>"$errfile")
    warnings=$(cat "$errfile")
    if [ -n "$warnings" ]; then
        echo "FAIL: $page: man -l --warnings printed:"
        echo "$warnings"
        failures=$((failures + 1))
    fi
    for section in NAME SYNOPSIS "SEE ALSO"; do
        if ! grep -qx "$section" <<<"$out"; then
            echo "FAIL: $page has no $section section"
            failures=$((failures + 1))
        fi
    done
    echo "checked $page ($(wc -l <<<"$out") lines)"
done
[ "$failures" -eq 0 ] || exit 1
