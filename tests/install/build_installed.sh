#!/bin/bash
# Installs the build into a DESTDIR and compiles programs against that installation only: the
# flags come from the installed libtapd.pc (PKG_CONFIG_SYSROOT_DIR maps its paths into the
# DESTDIR), never from the source or build tree. Prints the DESTDIR's library directory.
# Usage: build_installed.sh BUILD_DIR OUT_DIR SOURCE...   (SOURCE: NAME.cpp, or NAME.c as C11)
# Each NAME is built as OUT_DIR/NAME; the installation is OUT_DIR/root.
set -eu
build=$1 out=$2
shift 2
root=$out/root
rm -rf "$root"
meson install -C "$build" --no-rebuild --quiet --destdir "$root" >&2
pc=$(find "$root" -name libtapd.pc -print -quit)
if [ -z "$pc" ]; then
    echo "FAIL: meson install put no libtapd.pc under $root" >&2
    exit 1
fi
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs libtapd)
echo "pkg-config: $flags" >&2
for src in "$@"; do
    name=$(basename "${src%.*}")
    case $src in
        *.c) ${CC:-gcc} -std=c11 -Wall -Wextra -Werror -o "$out/$name" "$src" $flags ;;
        *) ${CXX:-g++} -std=c++20 -Wall -Wextra -Werror -o "$out/$name" "$src" $flags ;;
    esac
done
dirname "$(find "$root" -name 'libtapd.so.0' -print -quit)"
