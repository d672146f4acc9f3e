#!/bin/bash
# The tapd demo: tapd on a private bus in a scratch network namespace; as uid 65534, one tapctl
# call makes the classic tap + NAT setup, and a user-space client holding only the tap fd talks
# through it to a UDP echo server on a simulated internet. Everything is removed at the end.
# Usage (as root): examples/demo.sh [BUILD_DIR]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
id=demo$$
host=tapd-$id-host inet=tapd-$id-inet user=tapd-$id-user
dir=$(mktemp -d /tmp/tapd-$id.XXXXXX)
chmod 755 "$dir"
mkdir "$dir/user" && chown 65534:65534 "$dir/user"   # where uid 65534 may write
pids=()

cleanup() {
    set +e
    # tapd first (SIGTERM: it removes what it leased and exits 0), the bus last.
    for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[i]}" 2>/dev/null; wait "${pids[i]}" 2>/dev/null; done
    for ns in $host $inet $user; do ip netns del $ns 2>/dev/null; done
    rm -rf "$dir"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
as_user() { ip netns exec $user setpriv --reuid=65534 --regid=65534 --clear-groups \
    env DBUS_SYSTEM_BUS_ADDRESS=unix:path=$dir/bus "$@"; }

step "Scratch namespaces: '$host' (tapd), '$inet' (the internet: 203.0.113.1), '$user' (empty)"
for ns in $host $inet $user; do ip netns add $ns; done
ip -n $host link add uplink type veth peer name wan netns $inet
ip -n $host addr add 203.0.113.2/24 dev uplink
ip -n $host link set uplink up
ip -n $host link set lo up
ip -n $host route add default via 203.0.113.1
ip -n $inet addr add 203.0.113.1/24 dev wan
ip -n $inet link set wan up

step "A policy that lets uid 65534 (nobody) make the classic setup"
cat > "$dir/policy.json" <<'JSON'
{ "version": 1,
  "rules": [
    { "comment": "the demo user", "users": ["nobody"],
      "max_taps": 2, "name_prefix": "tap",
      "prefixes": ["192.168.69.0/24", "fdaa::/64", "fe80::/64"],
      "masquerade": true, "persistent": true, "owner_access": true, "capture": true } ] }
JSON
chmod 644 "$dir/policy.json"
cat "$dir/policy.json"

step "Private system bus with tapd's own bus policy, tapd in '$host'"
sed -e "s|@SOCKET@|$dir/bus|" -e "s|@POLICY@|$src/dbus/net.tapd1.conf|" \
    "$src/tests/support/bus.conf.in" > "$dir/bus.conf"
dbus-daemon --config-file="$dir/bus.conf" --nofork --nopidfile & pids+=($!)
for _ in $(seq 100); do [ -S "$dir/bus" ] && break; sleep 0.05; done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$dir/bus
ip netns exec $host "$build/daemon/tapd" --state-dir "$dir/state" --policy "$dir/policy.json" 2> >(sed 's/^/    [tapd] /' >&2) & pids+=($!)
for _ in $(seq 100); do
    dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:net.tapd1 2>/dev/null | grep -q true && break
    sleep 0.05
done
echo "ip_forward in '$host' before: $(ip netns exec $host sysctl -n net.ipv4.ip_forward)"

step "As uid 65534: ONE command replaces the nine sudo commands"
echo '$ tapctl create tap0 --address 192.168.69.100/24 --address fe80::100/64 --address fdaa::100/64 --route fe80::/64 --route fdaa::/64 --masquerade'
as_user "$build/client/tapctl" create tap0 --address 192.168.69.100/24 --address fe80::100/64 \
    --address fdaa::100/64 --route fe80::/64 --route fdaa::/64 --masquerade
as_user "$build/client/tapctl" show tap0
echo '$ tapctl policy'
as_user "$build/client/tapctl" policy

step "What the kernel now has in '$host'"
ip -n $host -br addr show tap0
ip -n $host route show dev tap0
ip -n $host -6 route show dev tap0
echo "ip_forward: $(ip netns exec $host sysctl -n net.ipv4.ip_forward)"
ip netns exec $host nft list table inet tapd

step "Traffic: a user-space stack (uid 65534, empty netns, only the tap fd) to 203.0.113.1:7777"
ip netns exec $inet "$build/examples/udp_echo" 203.0.113.1 7777 1 | sed 's/^/    [echo server] /' & echo=$!
pids+=($echo)
# The client sends its datagram once: wait until the server's socket is bound.
for _ in $(seq 100); do
    [ -n "$(ip netns exec $inet ss -Hlun 'sport = :7777')" ] && break
    sleep 0.05
done
echo '$ tapctl capture tap0 -w demo.pcap &      # watch it through tapd, also as uid 65534'
as_user "$build/client/tapctl" capture tap0 -w "$dir/user/demo.pcap" > /dev/null & capture=$!
pids+=($capture)
# tapctl creates the file once tapd has handed it the stream (tapd's socket on tap0 is bound by
# then); the pcap header itself is only written with the first frame.
for _ in $(seq 100); do [ -e "$dir/user/demo.pcap" ] && break; sleep 0.05; done
echo '$ tapctl exec tap0 -- tap_udp_client 192.168.69.1 192.168.69.100 203.0.113.1 7777'
as_user "$build/client/tapctl" exec tap0 -- "$build/examples/tap_udp_client" \
    192.168.69.1 192.168.69.100 203.0.113.1 7777 "hello through tapd"
wait $echo 2>/dev/null || true
echo "(the echo server saw the masqueraded source 203.0.113.2, not 192.168.69.1)"
# The tap's carrier came up when the client opened it: the kernel's own IPv6 packets (MLD
# reports, DAD) follow within ~0.2 s. Then the capture is stopped, as Ctrl-C would.
sleep 0.3
echo '$ kill %1'
pkill -TERM -P $capture || kill -TERM $capture
wait $capture 2>/dev/null || true
echo '$ tapctl read demo.pcap'
as_user "$build/client/tapctl" read "$dir/user/demo.pcap" || true

step "Delete: every trace goes"
as_user "$build/client/tapctl" delete tap0
echo "links named tap*: $(ip -n $host -br link | grep -c '^tap' || true)"
echo "ip_forward restored: $(ip netns exec $host sysctl -n net.ipv4.ip_forward)"
echo "tapd's masquerade set: $(ip netns exec $host nft -j list set inet tapd masq4 | grep -o '"elem"' || echo empty)"
echo
echo "Demo done; cleaning up the namespaces."
