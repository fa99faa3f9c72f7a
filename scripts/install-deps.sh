#!/usr/bin/env bash
# Installs every Debian/Ubuntu package uwsgitop needs to build, run and test.
# Run as root (or through sudo). Idempotent: a second run installs nothing new.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

build=(meson ninja-build pkg-config g++ libncurses-dev libcurl4-openssl-dev rapidjson-dev
       libmicrohttpd-dev libyaml-cpp-dev libcrypt-dev libtomlplusplus-dev libzstd-dev zlib1g-dev)
test=(doctest-dev python3 uwsgi-core uwsgi-plugin-python3 uwsgi-plugin-gevent-python3
      python3-gevent python3-prometheus-client tmux curl
      prometheus openssl apache2-utils jsonnet prometheus-alertmanager)
# prometheus (+promtool), openssl, apache2-utils (htpasswd -B): the exporter's
# integration tests; jsonnet, prometheus-alertmanager: the monitoring mixin's
# tests (packaging/mixin/: rendering, and its alerts delivered end to end); systemd: systemd-analyze verify in check-packaging.sh.
# clang-format-19: scripts/format.sh (pinned, since versions format differently).
# pacman-package-manager: makepkg looks for the pacman binary even for
# --printsrcinfo, and Debian's makepkg does not depend on it.
extra=(clang libclang-rt-14-dev valgrind scdoc hyperfine zsh fish bash-completion
       debhelper rpm ruby makepkg pacman-package-manager dpkg-dev fakeroot git xz-utils
       systemd clang-format-19)

want=("${build[@]}")
[ "${1:-}" = "--build-only" ] || want+=("${test[@]}" "${extra[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
