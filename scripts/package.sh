#!/bin/bash
# Builds the Debian packages tapd, libtapd0 and libtapd-dev from this checkout's files (committed
# or not, as `git ls-files` lists them) in a scratch copy under /tmp, runs lintian on them (any
# error fails), checks what they contain, and copies the three .debs into OUTDIR (default: the
# current directory). Then: apt install ./tapd_*.deb ./libtapd0_*.deb [./libtapd-dev_*.deb]
# Needs the build dependencies of debian/control plus dpkg-dev, debhelper, fakeroot and lintian
# (scripts/install-deps.sh installs them all).
set -euo pipefail
usage() { echo "usage: $0 [OUTDIR]" >&2; exit 2; }
[ $# -le 1 ] || usage
case "${1:-}" in -*) usage ;; esac
out=$(realpath "${1:-.}")
[ -d "$out" ] || { echo "package.sh: OUTDIR '$out' is not a directory" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

# The version has one source, meson.build; debian/changelog must carry the same one.
version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" meson.build | head -1)
deb_version=$(dpkg-parsechangelog -l debian/changelog -S Version)
if [ "$deb_version" != "$version" ]; then
    echo "package.sh: debian/changelog is at $deb_version but meson.build at $version:" \
         "add a changelog entry (dch -v $version)" >&2
    exit 1
fi

scratch=$(mktemp -d /tmp/tapd-package.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
src="$scratch/tapd-$version"
mkdir "$src"
# Tracked and untracked-but-not-ignored files that exist (a deleted tracked file is left out),
# so that uncommitted changes are packaged and build directories are not.
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$src"

start=$SECONDS
echo "package.sh: building tapd $version in $src"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) >"$scratch/build.log" 2>&1; then
    tail -n 40 "$scratch/build.log" >&2
    echo "package.sh: dpkg-buildpackage failed (last 40 lines above)" >&2
    exit 1
fi
echo "package.sh: built in $((SECONDS - start)) s"

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
changes="$scratch/tapd_${version}_${arch}.changes"
deb() { echo "$scratch/${1}_${version}_${arch}.deb"; }

# lintian exits non-zero on errors only (--fail-on error); warnings are printed, not fatal.
echo "package.sh: lintian"
lintian --fail-on error "$changes" || {
    echo "package.sh: lintian reports errors (above)" >&2
    exit 1
}

failed=0
# expect PACKAGE PATH...: each PATH (as dpkg-deb -c prints it, without ./) is in PACKAGE.
expect() {
    local pkg=$1 listing
    shift
    listing=$(dpkg-deb -c "$(deb "$pkg")" | awk '{print $6}' | sed 's|^\./||')
    for path in "$@"; do
        if ! grep -qxF "$path" <<<"$listing"; then
            echo "package.sh: $pkg lacks /$path" >&2
            failed=1
        fi
    done
}
expect tapd \
    usr/sbin/tapd usr/bin/tapctl \
    lib/systemd/system/tapd.service \
    usr/share/dbus-1/system.d/net.tapd1.conf \
    usr/share/dbus-1/system-services/net.tapd1.service \
    usr/share/dbus-1/interfaces/net.tapd1.Manager.xml \
    usr/share/dbus-1/interfaces/net.tapd1.Tap.xml \
    usr/share/man/man8/tapd.8.gz usr/share/man/man1/tapctl.1.gz \
    usr/share/man/man5/tapd.policy.5.gz \
    usr/share/bash-completion/completions/tapctl \
    usr/share/doc/tapd/examples/policy.json
expect libtapd0 "usr/lib/$multiarch/libtapd.so.0"
expect libtapd-dev \
    usr/include/tapd/client.hpp usr/include/tapd/unique_fd.hpp \
    "usr/lib/$multiarch/libtapd.so" "usr/lib/$multiarch/pkgconfig/libtapd.pc"

# debhelper's systemd integration: the postinst enables and starts the unit.
dpkg-deb -e "$(deb tapd)" "$scratch/tapd.control"
if ! grep -q "deb-systemd-helper enable 'tapd.service'" "$scratch/tapd.control/postinst"; then
    echo "package.sh: tapd's postinst does not enable tapd.service (dh_installsystemd)" >&2
    failed=1
fi
# A packaged tapd carries none of the test-only hooks (-Dfault_injection=false).
dpkg-deb -x "$(deb tapd)" "$scratch/tapd.root"
if grep -qa TAPD_FAULT_AT "$scratch/tapd.root/usr/sbin/tapd"; then
    echo "package.sh: the packaged tapd has the test hook TAPD_FAULT_AT compiled in" >&2
    failed=1
fi
[ "$failed" = 0 ] || exit 1

for pkg in tapd libtapd0 libtapd-dev; do
    cp "$(deb "$pkg")" "$out/"
done
echo "package.sh: ok, in $out: tapd, libtapd0, libtapd-dev ${version} (${arch});" \
     "install with: apt install ./tapd_${version}_${arch}.deb ./libtapd0_${version}_${arch}.deb"
