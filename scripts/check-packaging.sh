#!/usr/bin/env bash
# check-packaging.sh — uwsgitop ships: the dist tarball builds and passes its
# unit tests on its own, installs in the right places under any prefix, the
# Debian package builds, installs and runs, and the RPM spec, PKGBUILD and
# Homebrew formula parse and agree with meson.build (version, dependencies,
# installed files).
#
# usage: scripts/check-packaging.sh
# Tests what is COMMITTED (meson dist packs the git HEAD). Run as root for the
# .deb install step (skipped otherwise). Installs no package itself; it needs
# (Debian): meson ninja-build g++ pkg-config libncurses-dev libcurl4-openssl-dev
# rapidjson-dev libtomlplusplus-dev libzstd-dev doctest-dev python3 scdoc git xz-utils dpkg-dev
# debhelper fakeroot rpm ruby makepkg libmicrohttpd-dev libyaml-cpp-dev libcrypt-dev,
# and optionally bash-completion zsh fish systemd (systemd-analyze).
# Exit status 0 when every check passed; each failure is printed as "FAIL: ...".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
started=$(date +%s)
failures=0
checks=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); checks=$((checks + 1)); }
pass() { echo "ok:   $*"; checks=$((checks + 1)); }
step() { echo; echo "=== $* ($(($(date +%s) - started))s)"; }
have() { command -v "$1" >/dev/null 2>&1; }

WORK=$(mktemp -d /tmp/uwsgitop-packaging.XXXXXX)
installed_deb=""
cleanup() {
    if [ -n "$installed_deb" ]; then dpkg --purge uwsgitop >/dev/null 2>&1 || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
step "versions agree with meson.build"
version=$(sed -n "s/^[[:space:]]*version[[:space:]]*:[[:space:]]*'\([^']*\)'.*/\1/p" meson.build | head -1)
[ -n "$version" ] || { echo "FAIL: no version in meson.build"; exit 1; }
echo "meson.build: $version"
agree() {  # what found
    if [ "$2" = "$version" ]; then pass "$1: $2"; else fail "$1 says '${2}', meson.build says $version"; fi
}
deb_version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version 2>/dev/null)
agree "packaging/debian/changelog (upstream part)" "${deb_version%-*}"
if have rpmspec; then
    agree "packaging/rpm/uwsgitop.spec" "$(rpmspec -q --srpm --qf '%{VERSION}' packaging/rpm/uwsgitop.spec 2>/dev/null)"
else
    agree "packaging/rpm/uwsgitop.spec" "$(sed -n 's/^Version:[[:space:]]*//p' packaging/rpm/uwsgitop.spec)"
fi
agree "packaging/arch/PKGBUILD" "$(bash -c 'source packaging/arch/PKGBUILD && echo "$pkgver"')"
agree "packaging/homebrew/uwsgitop.rb (version)" "$(sed -n 's/^  version "\(.*\)"$/\1/p' packaging/homebrew/uwsgitop.rb)"
agree "packaging/homebrew/uwsgitop.rb (url)" "$(sed -n 's/^  url ".*uwsgitop-\(.*\)\.tar\.xz"$/\1/p' packaging/homebrew/uwsgitop.rb)"
agree "man/uwsgitop.1.scd" "$(sed -n '1s/^uwsgitop(1) "uwsgitop \([^"]*\)".*/\1/p' man/uwsgitop.1.scd)"
agree "man/uwsgitop.1" "$(sed -n 's/^\.TH "uwsgitop" "1" "[^"]*" "uwsgitop \([^"]*\)".*/\1/p' man/uwsgitop.1)"

# ---------------------------------------------------------------------------
step "the packaging files parse"
rpm_stub_macros=(
    --define '_bindir /usr/bin' --define '_datadir /usr/share' --define '_mandir /usr/share/man'
    --define 'bash_completions_dir /usr/share/bash-completion/completions'
    --define 'zsh_completions_dir /usr/share/zsh/site-functions'
    --define 'fish_completions_dir /usr/share/fish/vendor_completions.d'
    --define 'meson meson setup --prefix=/usr build' --define 'meson_build meson compile -C build'
    --define 'meson_install meson install -C build --destdir=%{buildroot}'
    --define 'meson_test meson test -C build')
rpm_parsed=$WORK/uwsgitop.spec.parsed
if have rpmspec; then
    if rpmspec -P "${rpm_stub_macros[@]}" packaging/rpm/uwsgitop.spec >"$rpm_parsed" 2>"$WORK/rpmspec.err"; then
        if grep -n '%{[a-z_]*}\|^%meson' "$rpm_parsed" | grep -v '^[0-9]*:#' >"$WORK/unexpanded"; then
            fail "rpmspec -P left macros unexpanded: $(tr '\n' ' ' <"$WORK/unexpanded")"
        else
            pass "rpmspec -P packaging/rpm/uwsgitop.spec"
        fi
    else
        fail "rpmspec -P packaging/rpm/uwsgitop.spec: $(cat "$WORK/rpmspec.err")"
    fi
else
    fail "rpmspec not installed (Debian package rpm)"
fi

bash -n packaging/arch/PKGBUILD && pass "bash -n packaging/arch/PKGBUILD" || fail "bash -n packaging/arch/PKGBUILD"
srcinfo=$WORK/SRCINFO
if have makepkg; then
    # makepkg refuses to run as root: read the PKGBUILD as nobody
    mkdir -p "$WORK/arch" && cp packaging/arch/PKGBUILD "$WORK/arch/"
    if [ "$(id -u)" = 0 ]; then
        chown -R nobody "$WORK/arch"
        chmod 755 "$WORK"
        as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$WORK/arch")
    else
        as_user=(env)
    fi
    if (cd "$WORK/arch" && "${as_user[@]}" makepkg --printsrcinfo) >"$srcinfo" 2>"$WORK/makepkg.err"; then
        pass "makepkg --printsrcinfo packaging/arch/PKGBUILD"
        agree "PKGBUILD .SRCINFO pkgver" "$(sed -n 's/^\tpkgver = //p' "$srcinfo")"
        grep -q '^pkgname = uwsgitop$' "$srcinfo" && pass ".SRCINFO pkgname uwsgitop" || fail ".SRCINFO has no pkgname uwsgitop"
    else
        fail "makepkg --printsrcinfo: $(cat "$WORK/makepkg.err")"
    fi
else
    fail "makepkg not installed (Debian package makepkg)"
fi

if have ruby; then
    ruby -c packaging/homebrew/uwsgitop.rb >/dev/null 2>"$WORK/ruby.err" &&
        pass "ruby -c packaging/homebrew/uwsgitop.rb" || fail "ruby -c: $(cat "$WORK/ruby.err")"
else
    fail "ruby not installed (Debian package ruby)"
fi
grep -q '^class Uwsgitop < Formula$' packaging/homebrew/uwsgitop.rb &&
    pass "formula class Uwsgitop" || fail "packaging/homebrew/uwsgitop.rb does not define class Uwsgitop < Formula"

# ---------------------------------------------------------------------------
step "dependencies agree with meson.build"
# How each dependency()/find_program() of the meson.build files is spelled by
# each packaging file (empty: not needed there). A new dependency in meson.build
# fails here until it is added to this table and to the packaging files.
declare -A DEB=([ncursesw]=libncurses-dev [libcurl]=libcurl4-openssl-dev [RapidJSON]=rapidjson-dev
                [tomlplusplus]=libtomlplusplus-dev [doctest]=doctest-dev [scdoc]=scdoc
                [libmicrohttpd]=libmicrohttpd-dev [yaml-cpp]=libyaml-cpp-dev [libxcrypt]=libcrypt-dev
                [libzstd]=libzstd-dev [zlib]=zlib1g-dev)
declare -A RPM=([ncursesw]='pkgconfig(ncursesw)' [libcurl]='pkgconfig(libcurl)'
                [RapidJSON]='pkgconfig(RapidJSON)' [tomlplusplus]='pkgconfig(tomlplusplus)'
                [doctest]=doctest-devel [scdoc]=scdoc
                [libmicrohttpd]='pkgconfig(libmicrohttpd)' [yaml-cpp]='pkgconfig(yaml-cpp)'
                [libxcrypt]='pkgconfig(libxcrypt)' [libzstd]='pkgconfig(libzstd)' [zlib]='pkgconfig(zlib)')
declare -A ARCH=([ncursesw]=ncurses [libcurl]=curl [RapidJSON]=rapidjson [tomlplusplus]=tomlplusplus
                 [doctest]=doctest [scdoc]=scdoc
                 [libmicrohttpd]=libmicrohttpd [yaml-cpp]=yaml-cpp [libxcrypt]=libxcrypt [libzstd]=zstd [zlib]=zlib)
declare -A BREW=([ncursesw]=ncurses [libcurl]=curl [RapidJSON]=rapidjson [tomlplusplus]=tomlplusplus
                 [doctest]= [scdoc]=scdoc
                 [libmicrohttpd]=libmicrohttpd [yaml-cpp]=yaml-cpp [libxcrypt]=libxcrypt [libzstd]=zstd [zlib]=)
# threads: libc; bash-completion: only where completions go; python3, uwsgi,
# tmux...: test programs found at run time, not build dependencies.
ignored=" threads bash-completion python3 uwsgi "
mapfile -t meson_files < <(git ls-files '*meson.build' 2>/dev/null || find . -name meson.build -not -path './build*')
mapfile -t meson_deps < <(grep -ohP "dependency\(\s*'\K[^']+" "${meson_files[@]}" | sort -u)
meson_deps+=(scdoc)   # man/meson.build: find_program('scdoc')
deb_builddeps=$(awk '/^Build-Depends:/{on=1} on&&/^[A-Z][A-Za-z-]*:/&&!/^Build-Depends:/{on=0} on' packaging/debian/control |
    sed 's/^Build-Depends://' | tr ',|' '\n\n' | sed 's/[[:space:]]*(.*//; s/<.*//; s/^[[:space:]]*//; s/[[:space:]]*$//' | grep -v '^$')
rpm_builddeps=$(rpmspec -q --buildrequires packaging/rpm/uwsgitop.spec 2>/dev/null | sed 's/ .*//')
arch_deps=$(sed -n 's/^\t\(make\|check\)\{0,1\}depends = //p' "$srcinfo" 2>/dev/null)
brew_deps=$(sed -n 's/^  depends_on "\([^"]*\)".*/\1/p' packaging/homebrew/uwsgitop.rb)
for dep in $(printf '%s\n' "${meson_deps[@]}" | sort -u); do
    case "$ignored" in *" $dep "*) continue ;; esac
    if [ -z "${DEB[$dep]+x}" ]; then
        fail "meson.build depends on '$dep': add it to the tables in scripts/check-packaging.sh and to every packaging file"
        continue
    fi
    for pair in "DEB:debian/control Build-Depends:$deb_builddeps" "RPM:rpm BuildRequires:$rpm_builddeps" \
                "ARCH:PKGBUILD depends:$arch_deps" "BREW:homebrew depends_on:$brew_deps"; do
        table=${pair%%:*}; rest=${pair#*:}; label=${rest%%:*}; have_list=${rest#*:}
        declare -n map=$table
        want=${map[$dep]}
        unset -n map
        [ -z "$want" ] && continue
        if grep -qxF -- "$want" <<<"$have_list"; then pass "$dep -> $label $want"
        else fail "$dep: $label lacks $want"; fi
    done
done

# The libraries uwsgitop dlopen()s (src/source/curl_loader.cpp for http(s)://,
# src/serve/mhd_loader.cpp for --serve-metrics) leave no NEEDED entry in the
# binary, so dpkg-shlibdeps and rpm's automatic requires cannot see them: each
# packaging file names their runtime package itself.
declare -A DLOPEN_DEB=([libcurl]=libcurl4 [libmicrohttpd]=libmicrohttpd12)
declare -A DLOPEN_RPM=([libcurl]=libcurl [libmicrohttpd]=libmicrohttpd)
declare -A DLOPEN_ARCH=([libcurl]=curl [libmicrohttpd]=libmicrohttpd)
declare -A DLOPEN_BREW=([libcurl]=curl [libmicrohttpd]=libmicrohttpd)
deb_rundeps=$(awk '/^Depends:/{on=1} on&&/^[A-Z][A-Za-z-]*:/&&!/^Depends:/{on=0} on' packaging/debian/control |
    sed 's/^Depends://' | tr ',|' '\n\n' | sed 's/[[:space:]]*(.*//; s/^[[:space:]]*//; s/[[:space:]]*$//' | grep -v '^$')
rpm_rundeps=$(rpmspec -q --requires packaging/rpm/uwsgitop.spec 2>/dev/null | sed 's/ .*//')
arch_rundeps=$(sed -n 's/^\tdepends = //p' "$srcinfo" 2>/dev/null)
brew_rundeps=$(sed -n 's/^  depends_on "\([^"]*\)"$/\1/p' packaging/homebrew/uwsgitop.rb)
for lib in libcurl libmicrohttpd; do
    for pair in "DLOPEN_DEB:debian/control Depends:$deb_rundeps" "DLOPEN_RPM:rpm Requires:$rpm_rundeps" \
                "DLOPEN_ARCH:PKGBUILD depends:$arch_rundeps" "DLOPEN_BREW:homebrew runtime depends_on:$brew_rundeps"; do
        table=${pair%%:*}; rest=${pair#*:}; label=${rest%%:*}; have_list=${rest#*:}
        declare -n map=$table
        want=${map[$lib]}
        unset -n map
        if grep -qxF -- "$want" <<<"$have_list"; then pass "dlopen()ed $lib -> $label $want"
        else fail "$lib is dlopen()ed: $label lacks its runtime package $want"; fi
    done
done

# ---------------------------------------------------------------------------
step "meson dist: a tarball of the committed tree"
tarball=""
if meson setup "$WORK/setup" -Dtests=disabled >"$WORK/setup.log" 2>&1 &&
   meson dist -C "$WORK/setup" --no-tests --allow-dirty --formats xztar >"$WORK/dist.log" 2>&1; then
    tarball=$WORK/setup/meson-dist/uwsgitop-$version.tar.xz
    [ -f "$tarball" ] && pass "meson dist made $(basename "$tarball")" || { fail "meson dist made no $tarball"; tarball=""; }
else
    fail "meson dist failed: $(tail -5 "$WORK/setup.log" "$WORK/dist.log" 2>/dev/null)"
fi
if [ -n "$tarball" ]; then
    listing=$(tar -tJf "$tarball")
    for f in man/uwsgitop.1 man/uwsgitop.1.scd completions/uwsgitop.bash completions/_uwsgitop \
             completions/uwsgitop.fish data/demo.jsonl packaging/debian/control tests/fixtures/prefork-1.json; do
        grep -qx "uwsgitop-$version/$f" <<<"$listing" && pass "tarball has $f" || fail "tarball lacks $f (committed?)"
    done
fi

# ---------------------------------------------------------------------------
step "Debian package from the tarball (dpkg-buildpackage -us -uc -b, unit tests included)"
deb=""
src=$WORK/deb/uwsgitop-$version
if [ -n "$tarball" ]; then
    mkdir -p "$WORK/deb" && tar -xJf "$tarball" -C "$WORK/deb"
    cp "$tarball" "$WORK/deb/uwsgitop_$version.orig.tar.xz"
    cp -r "$src/packaging/debian" "$src/debian"
    # the source package first, from the clean tree
    if (cd "$WORK/deb" && dpkg-source -b "uwsgitop-$version") >"$WORK/dsc.log" 2>&1; then
        pass "dpkg-source -b: source package with the dist tarball as orig"
    else
        fail "dpkg-source -b: $(tail -5 "$WORK/dsc.log")"
    fi
    if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$WORK/deb.log" 2>&1; then
        deb=$(ls "$WORK"/deb/uwsgitop_"$deb_version"_*.deb 2>/dev/null | head -1)
        [ -n "$deb" ] && pass "built $(basename "$deb") (its unit tests passed)" || fail "dpkg-buildpackage made no .deb"
    else
        fail "dpkg-buildpackage failed:"; tail -40 "$WORK/deb.log"
    fi
fi

# ---------------------------------------------------------------------------
step "the dlopen()ed libraries are not linked (no NEEDED entry)"
if [ -n "$deb" ] && [ -x "$src/debian/uwsgitop/usr/bin/uwsgitop" ]; then
    needed=$(readelf -d "$src/debian/uwsgitop/usr/bin/uwsgitop" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    for lib in libcurl libmicrohttpd; do
        if grep -q "^$lib\.so" <<<"$needed"; then fail "the packaged binary links $lib (NEEDED), which should be dlopen()ed"
        else pass "the packaged binary has no NEEDED on $lib"; fi
    done
    dpkg-deb -f "$deb" Depends | grep -q 'libmicrohttpd12' && pass ".deb Depends names libmicrohttpd12" ||
        fail ".deb Depends lacks libmicrohttpd12: $(dpkg-deb -f "$deb" Depends)"
fi

# ---------------------------------------------------------------------------
step "install layout: /usr (the package) and another prefix"
stage=$src/debian/uwsgitop
check_tree() {  # DESTDIR PREFIX WHAT
    local d=$1$2 f
    for f in bin/uwsgitop share/man/man1/uwsgitop.1 share/bash-completion/completions/uwsgitop \
             share/zsh/site-functions/_uwsgitop share/fish/vendor_completions.d/uwsgitop.fish \
             share/uwsgitop/demo.jsonl share/uwsgitop/mixin/alerts.yaml \
             share/uwsgitop/mixin/rules.yaml share/uwsgitop/mixin/dashboards/uwsgi-overview.json \
             share/uwsgitop/mixin/dashboards/uwsgi-instance.json \
             lib/systemd/system/uwsgitop-exporter.service \
             lib/systemd/system/uwsgitop-recorder@.service; do
        if [ -e "$d/$f" ] || [ -e "$d/$f.gz" ]; then pass "$3: $2/$f"; else fail "$3: $2/$f not installed"; fi
    done
}
if [ -n "$deb" ]; then
    check_tree "$stage" /usr "package"
    objdir=$(ls -d "$src"/obj-* | head -1)
    prefix=/opt/uwsgitop-check
    if meson configure "$objdir" -Dprefix=$prefix >"$WORK/reconf.log" 2>&1 &&
       meson install -C "$objdir" --destdir "$WORK/dest" >"$WORK/install.log" 2>&1; then
        check_tree "$WORK/dest" $prefix "meson install --prefix=$prefix"
        bin=$WORK/dest$prefix/bin/uwsgitop
        [ "$("$bin" --version)" = "uwsgitop $version" ] && pass "$prefix uwsgitop --version" || fail "$prefix uwsgitop --version: $("$bin" --version 2>&1)"
        # the demo recording is found beside the binary's prefix
        if "$bin" --demo --once >"$WORK/demo.out" 2>&1 && grep -q 'uwsgi' "$WORK/demo.out"; then
            pass "$prefix uwsgitop --demo --once finds share/uwsgitop/demo.jsonl"
        else
            fail "$prefix uwsgitop --demo --once: $(head -3 "$WORK/demo.out")"
        fi
    else
        fail "meson install --prefix=$prefix: $(tail -5 "$WORK/reconf.log" "$WORK/install.log")"
    fi

    # the RPM %files list covers exactly what meson installs (doc/ is dh's)
    rpm_files=$(awk '/^%files/{on=1;next} /^%changelog/{on=0} on && /^\//' "$rpm_parsed" 2>/dev/null)
    (cd "$stage" && find usr -type f -not -path 'usr/share/doc/*' -not -path 'usr/lib/debug/*' | sed 's|^|/|') >"$WORK/staged"
    while read -r f; do
        covered=""
        while read -r pattern; do
            [ -z "$pattern" ] && continue
            # shellcheck disable=SC2053
            if [[ $f == $pattern || $f == ${pattern%/}/* ]]; then covered=1; break; fi
        done <<<"$rpm_files"
        [ -n "$covered" ] && pass "rpm %files covers $f" || fail "rpm %files does not list $f (rpmbuild: installed but unpackaged)"
    done <"$WORK/staged"
    while read -r pattern; do
        [ -z "$pattern" ] && continue
        # shellcheck disable=SC2086
        if compgen -G "$stage${pattern%/}" >/dev/null; then pass "rpm %files $pattern is installed"
        else fail "rpm %files lists $pattern, which meson does not install"; fi
    done <<<"$rpm_files"
fi

# ---------------------------------------------------------------------------
step "the exporter's systemd unit (systemd-analyze verify)"
unit=$WORK/dest/opt/uwsgitop-check/lib/systemd/system/uwsgitop-exporter.service
if ! have systemd-analyze; then
    echo "(systemd-analyze is not installed (Debian package systemd): the unit is not verified)"
elif [ -f "$unit" ]; then
    # verify wants ExecStart's binary to exist: point it at the staged one
    sed "s|^ExecStart=/opt/uwsgitop-check/|ExecStart=$WORK/dest/opt/uwsgitop-check/|" "$unit" >"$WORK/uwsgitop-exporter.service"
    if systemd-analyze verify --man=no "$WORK/uwsgitop-exporter.service" >"$WORK/verify.log" 2>&1 && [ ! -s "$WORK/verify.log" ]; then
        pass "systemd-analyze verify uwsgitop-exporter.service"
    else
        fail "systemd-analyze verify uwsgitop-exporter.service: $(head -5 "$WORK/verify.log")"
    fi
    for k in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes CapabilityBoundingSet=; do
        grep -qx "$k" "$unit" && pass "unit has $k" || fail "unit lacks $k"
    done
    grep -q '^ExecStart=.*--targets /etc/uwsgitop/targets' "$unit" && pass "unit reads /etc/uwsgitop/targets" ||
        fail "unit does not read /etc/uwsgitop/targets"
elif [ -n "$deb" ]; then
    fail "meson install did not install lib/systemd/system/uwsgitop-exporter.service"
fi

step "the recorder's template unit (systemd-analyze verify on an instance)"
unit=$WORK/dest/opt/uwsgitop-check/lib/systemd/system/uwsgitop-recorder@.service
if ! have systemd-analyze; then
    echo "(systemd-analyze is not installed (Debian package systemd): the unit is not verified)"
elif [ -f "$unit" ]; then
    sed "s|^ExecStart=/opt/uwsgitop-check/|ExecStart=$WORK/dest/opt/uwsgitop-check/|" "$unit" >"$WORK/uwsgitop-recorder@check.service"
    if systemd-analyze verify --man=no "$WORK/uwsgitop-recorder@check.service" >"$WORK/verify-rec.log" 2>&1 && [ ! -s "$WORK/verify-rec.log" ]; then
        pass "systemd-analyze verify uwsgitop-recorder@check.service"
    else
        fail "systemd-analyze verify uwsgitop-recorder@check.service: $(head -5 "$WORK/verify-rec.log")"
    fi
    for k in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict StateDirectory=uwsgitop \
             EnvironmentFile=/etc/uwsgitop/recorder-%i.env; do
        grep -qx "$k" "$unit" && pass "recorder unit has $k" || fail "recorder unit lacks $k"
    done
    grep -q '^ExecStart=.*--batch --format none .*--record /var/lib/uwsgitop/%i.jsonl --record-max-size' "$unit" &&
        pass "recorder unit records to /var/lib/uwsgitop/%i.jsonl, rotated" || fail "recorder unit ExecStart is not a rotated recorder"
    # The command line it runs works: a recorder of a saved snapshot, nothing on stdout.
    out=$("$WORK/dest/opt/uwsgitop-check/bin/uwsgitop" --no-config --batch -n 2 -d 0.05 --format none \
          --record "$WORK/rec.jsonl" --record-max-size 64 --record-keep 20 "file:$ROOT/tests/fixtures/prefork-1.json" 2>&1)
    if [ $? -eq 0 ] && [ -z "$out" ] && [ "$(wc -l <"$WORK/rec.jsonl")" = 2 ]; then
        pass "the recorder's command line records 2 snapshots and prints nothing"
    else
        fail "the recorder's command line: $(head -3 <<<"$out")"
    fi
elif [ -n "$deb" ]; then
    fail "meson install did not install lib/systemd/system/uwsgitop-recorder@.service"
fi

# ---------------------------------------------------------------------------
step "the Homebrew formula's test on the built binary"
bin=$stage/usr/bin/uwsgitop
if [ -x "$bin" ]; then
    sed -n '/<<~JSON$/,/^ *JSON$/p' packaging/homebrew/uwsgitop.rb | sed '1d;$d' >"$WORK/snap.json"
    if "$bin" --once --format tsv "file:$WORK/snap.json" 2>&1 | grep -q idle; then
        pass "formula test: --once --format tsv on its snapshot shows the idle worker"
    else
        fail "formula test snapshot: $("$bin" --once --format tsv "file:$WORK/snap.json" 2>&1 | head -3)"
    fi
fi

# ---------------------------------------------------------------------------
step "install the .deb and run it"
if [ -n "$deb" ] && [ "$(id -u)" = 0 ]; then
    if dpkg-query -W -f='${Status}' uwsgitop 2>/dev/null | grep -q "install ok installed"; then
        fail "uwsgitop is already installed on this machine: not replacing it"
    elif dpkg -i "$deb" >"$WORK/dpkg.log" 2>&1; then
        installed_deb=1
        pass "dpkg -i $(basename "$deb")"
        [ "$(/usr/bin/uwsgitop --version)" = "uwsgitop $version" ] && pass "/usr/bin/uwsgitop --version" ||
            fail "/usr/bin/uwsgitop --version: $(/usr/bin/uwsgitop --version 2>&1)"
        out=$(/usr/bin/uwsgitop --once "file:$ROOT/tests/fixtures/prefork-1.json" 2>&1)
        if [ $? -eq 0 ] && grep -q '^ *WID ' <<<"$out"; then pass "/usr/bin/uwsgitop --once file:tests/fixtures/prefork-1.json"
        else fail "uwsgitop --once on a capture: $(head -3 <<<"$out")"; fi
        out=$(/usr/bin/uwsgitop --demo --once 2>&1)
        [ $? -eq 0 ] && pass "/usr/bin/uwsgitop --demo --once (/usr/share/uwsgitop/demo.jsonl)" || fail "uwsgitop --demo --once: $(head -2 <<<"$out")"
        for f in /usr/share/man/man1/uwsgitop.1.gz /usr/share/bash-completion/completions/uwsgitop \
                 /usr/share/zsh/site-functions/_uwsgitop /usr/share/fish/vendor_completions.d/uwsgitop.fish \
                 /usr/share/uwsgitop/demo.jsonl /usr/share/doc/uwsgitop/copyright \
                 /usr/share/doc/uwsgitop/config.toml.example \
                 /usr/lib/systemd/system/uwsgitop-exporter.service \
                 /usr/lib/systemd/system/uwsgitop-recorder@.service; do
            dpkg -S "$f" >/dev/null 2>&1 && pass "package owns $f" || fail "package does not ship $f"
        done
        if have man; then
            man -w uwsgitop >/dev/null 2>&1 && pass "man -w uwsgitop" || fail "man does not find uwsgitop"
        fi
        bash -c 'source /usr/share/bash-completion/completions/uwsgitop && complete -p uwsgitop' >/dev/null 2>&1 &&
            pass "installed bash completion loads" || fail "installed bash completion does not load"
        dpkg --purge uwsgitop >/dev/null 2>&1 && installed_deb="" && pass "dpkg --purge uwsgitop" || fail "dpkg --purge uwsgitop"
    else
        fail "dpkg -i: $(tail -5 "$WORK/dpkg.log")"
    fi
elif [ -n "$deb" ]; then
    echo "(not root: the .deb was built but not installed)"
fi

step "done"
echo "check-packaging: $((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
