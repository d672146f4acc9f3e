#!/bin/bash
# Installs what tapd needs to build, test, fuzz and benchmark, from Debian 12's packages. A
# runtime-only build needs only meson, ninja-build, g++, pkg-config, libsdbus-c++-dev,
# libsdbus-c++-bin, the libnl, libcap-ng, nlohmann-json, libnftables, libnftnl, libmnl,
# libpcap0.8 and libsystemd -dev packages (scdoc for the man pages). dpkg-dev, debhelper,
# fakeroot and lintian build and check the Debian packages (scripts/package.sh). iptables and
# firewalld are for integrations_test (run only in its namespaces, never as a service).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    meson ninja-build g++ clang pkg-config git ca-certificates \
    libsdbus-c++-dev libsdbus-c++-bin libnl-3-dev libnl-route-3-dev libcap-ng-dev \
    nlohmann-json3-dev libnftables-dev libnftnl-dev libmnl-dev libpcap0.8-dev libsystemd-dev libgtest-dev libgmock-dev libbenchmark-dev \
    libtins-dev dbus nftables iproute2 util-linux procps systemd python3 python3-scapy python3-dbus \
    libglib2.0-bin tshark tcpdump hyperfine iptables firewalld scdoc man-db bash-completion strace \
    iperf3 slirp4netns passt \
    dpkg-dev debhelper fakeroot lintian >/dev/null
