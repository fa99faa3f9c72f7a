#!/usr/bin/env bash
# Builds uwsgitop in ./build (configuring it the first time, turning the
# tests on in a build the README's demo command configured without them)
# and runs the whole test suite: doctest unit tests, the real-uWSGI
# integration suite and the terminal end-to-end test. Extra arguments go to
# `meson test`.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" ${MESON_ARGS:-}
else
  meson configure "$BUILD" -Dtests=enabled ${MESON_ARGS:-} >/dev/null
fi
ninja -C "$BUILD"
meson test -C "$BUILD" --print-errorlogs "$@"
