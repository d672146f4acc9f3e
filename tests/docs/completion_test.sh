#!/bin/bash
# tapctl's bash completion (completion/tapctl): sources it in a clean bash and calls _tapctl with
# COMP_WORDS/COMP_CWORD as bash would, with a stub tapctl on PATH that lists two taps. Runs the
# cases once with the script alone and once after bash-completion's own helpers, when installed.
# Usage: completion_test.sh COMPLETION_SCRIPT
set -u
script=$(realpath "$1")
dir=$(mktemp -d "${TMPDIR:-/tmp}/tapctl-completion.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# The stub answers `tapctl [--bus-address ADDR] list --json` like tapctl does (pretty-printed),
# and records its arguments so that the test can see --bus-address passed on.
cat >"$dir/tapctl" <<'STUB'
#!/bin/sh
echo "$@" >>"$(dirname "$0")/calls"
case " $* " in
*" list --json "*)
    cat <<'JSON'
[
  {
    "addresses": ["192.168.69.100/24"],
    "index": 7,
    "mac": "02:00:00:00:00:01",
    "masquerade": false,
    "mtu": 1500,
    "name": "tap0",
    "owner_uid": 65534,
    "path": "/net/tapd1/tap/tap0",
    "persistent": true,
    "routes": []
  },
  {"name": "tapx1", "index": 8}
]
JSON
    ;;
*) exit 1 ;;
esac
STUB
chmod +x "$dir/tapctl"
: >"$dir/capture.pcap"

failures=0
# expect "EXPECTED REPLIES" WORD... : completes the last WORD of the command line (COMP_CWORD
# points at it) and compares the sorted replies, one line each, with EXPECTED (words, sorted).
expect() {
    local want=$1
    shift
    local got
    got=$(
        cd "$dir" || exit 1
        PATH="$dir:$PATH"
        # shellcheck disable=SC1091 # bash-completion's own, when installed
        [ "$mode" = bash-completion ] && . /usr/share/bash-completion/bash_completion
        # shellcheck disable=SC1090 # the script under test
        . "$script"
        # As bash splits the line: at blanks and at the COMP_WORDBREAKS ':' and '=' too.
        COMP_LINE="$*"
        read -ra COMP_WORDS <<<"$(printf '%s' "$COMP_LINE" | sed 's/\([:=]\)/ \1 /g')"
        [[ ${COMP_LINE: -1} == " " || $# -eq 1 ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_POINT=${#COMP_LINE}
        _tapctl tapctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ *$//'
    )
    # shellcheck disable=SC2086 # WANT is a list of words
    want=$(printf '%s\n' $want | sort | tr '\n' ' ' | sed 's/ *$//')
    if [ "$got" != "$want" ]; then
        echo "FAIL ($mode): '$*<TAB>' gave '$got', expected '$want'"
        failures=$((failures + 1))
    else
        echo "ok   ($mode): '$*<TAB>' -> '$got'"
    fi
}

modes=plain
[ -f /usr/share/bash-completion/bash_completion ] && modes="plain bash-completion"
for mode in $modes; do
    expect "create" tapctl cr
    expect "create delete list show exec netns cleanup policy doctor sniff capture read addr route masquerade help" tapctl ""
    expect "--masquerade" tapctl create tap0 --mas
    expect "--mac --masquerade" tapctl create tap0 --ma
    expect "--multi-queue" tapctl exec tap0 --address 192.168.69.1/24 --mu
    expect "--fd" tapctl exec tap0 --f
    expect "--queues" tapctl exec tap0 --q
    expect "--offloads --owner-access" tapctl exec tap0 --o
    expect "" tapctl exec tap0 --queues ""
    expect "--all" tapctl list --a
    expect "--bus-address" tapctl --bus
    expect "tap0 tapx1" tapctl delete ""
    expect "tapx1" tapctl show tapx
    expect "tap0 tapx1" tapctl --bus-address unix:path=/x sniff ""
    expect "tap0 tapx1" tapctl --json show ""
    expect "" tapctl delete tap0 ""
    expect "" tapctl create ""
    expect "" tapctl create tap0 --address ""
    expect "on off" tapctl masquerade tap0 ""
    expect "add del" tapctl addr ""
    expect "tap0 tapx1" tapctl route add ""
    expect "" tapctl route add tap0 ""
    expect "capture.pcap" tapctl read cap
    expect "capture.pcap" tapctl capture tap0 -w cap
    expect "capture" tapctl help capt
    expect "tap0 tapx1" tapctl --bus-address=unix:path=/x show ""
    expect "--mtu" tapctl create tap0 --mac 02:00:00:00:00:01 --mt
    expect "" tapctl create tap0 --mtu=15
done

# The tap names come from the bus the command line names.
rm -f "$dir/calls"
mode=plain
expect "tap0 tapx1" tapctl --bus-address unix:path=/run/other delete ""
if ! grep -qxs -- "--bus-address unix:path=/run/other list --json" "$dir/calls"; then
    echo "FAIL: the stub was called as '$(cat "$dir/calls" 2>/dev/null)', not with --bus-address"
    failures=$((failures + 1))
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all completion cases passed"
