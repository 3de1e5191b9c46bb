#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fresh-check.sh: prove the README's promise that on a fresh Debian 12
# machine with only git and make, `make check` and `make demo` do every
# set-up step themselves (issue 15).
#
#   1. a minimal Debian 12 root: `debootstrap --variant=minbase bookworm`
#      from the host's Debian mirror, plus only git and make; built once
#      and cached as a tarball outside the repository ($FRESH_CACHE,
#      default /var/cache/medsearch-fresh); each run unpacks a new copy;
#   2. the committed HEAD of this repository is cloned into it (never the
#      working tree: what is not committed does not exist for a new user);
#   3. inside, as a new user would: `make check`, then `make demo`, then
#      `make demo-stop`, in a PID namespace of their own so that no daemon
#      can outlive the check;
#   4. prints each phase's time and make check's summary line; removes its
#      mounts, every process it started (by pid) and the unpacked root.
#
# Exit status: 0 all passed; 1 a phase failed; 2 cannot run here (not
# root and no sudo, no debootstrap).  Needs root (chroot, mounts): re-runs
# itself through sudo when not root.
#
#   scripts/fresh-check.sh            the whole check
#   FRESH_KEEP=1 scripts/fresh-check.sh   keep the root for inspection
#   FRESH_REBUILD=1 ...               rebuild the cached base first
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${FRESH_CACHE:-/var/cache/medsearch-fresh}
SUITE=bookworm
BASE=$CACHE/$SUITE-minbase-git-make.tar

say() { printf 'fresh-check: %s\n' "$*"; }
die() { say "$*" >&2; exit 2; }

if [ "$(id -u)" != 0 ]; then
    command -v sudo > /dev/null || die "needs root (chroot, mounts) and sudo is missing"
    exec sudo --preserve-env=FRESH_CACHE,FRESH_KEEP,FRESH_REBUILD "$0" "$@"
fi
command -v debootstrap > /dev/null || "$ROOT/scripts/deps.sh" debootstrap || die "cannot install debootstrap"
command -v unshare > /dev/null || die "unshare (util-linux) is missing"

# The host's Debian mirror, from its apt sources (deb822 or one-line).
mirror() {
    local u
    u=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ && $2 !~ /security/ { print $2; exit }' \
        /etc/apt/sources.list.d/*.sources 2>/dev/null)
    [ -n "$u" ] || u=$(awk '$1 == "deb" && $2 !~ /security/ && $0 ~ /debian/ { print ($2 ~ /^\[/ ? $3 : $2); exit }' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
    echo "${u:-http://deb.debian.org/debian}"
}
MIRROR=$(mirror)

t_all=$SECONDS
# ---- 1. the cached base: minbase + git + make ---------------------------------
if [ ! -s "$BASE" ] || [ -n "${FRESH_REBUILD:-}" ]; then
    say "building the base root: debootstrap --variant=minbase $SUITE from $MIRROR"
    mkdir -p "$CACHE"
    B=$(mktemp -d "$CACHE/build.XXXXXX")
    t=$SECONDS
    if ! debootstrap --variant=minbase "$SUITE" "$B" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1; then
        tail -20 "$CACHE/debootstrap.log" >&2; rm -rf "$B"; die "debootstrap failed (log: $CACHE/debootstrap.log)"
    fi
    # The same suites as the host: updates and security, like any installed system.
    sec=${MIRROR%/debian*}/debian-security
    [ "$MIRROR" = "${MIRROR%/debian*}" ] && sec=http://deb.debian.org/debian-security
    cat > "$B/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $sec $SUITE-security main
EOF
    cp /etc/resolv.conf "$B/etc/resolv.conf"
    mount -t proc proc "$B/proc"
    chroot "$B" /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends git make ca-certificates && apt-get clean' \
        > "$CACHE/base-apt.log" 2>&1
    rc=$?
    umount "$B/proc"
    [ $rc -eq 0 ] || { tail -20 "$CACHE/base-apt.log" >&2; rm -rf "$B"; die "installing git and make in the base failed"; }
    tar -C "$B" -cf "$BASE.new" . && mv "$BASE.new" "$BASE"
    rm -rf "$B"
    say "base root cached in $BASE ($((SECONDS - t)) s)"
fi

# ---- 2. a fresh copy, the committed HEAD cloned into it -----------------------
W=$(mktemp -d "${FRESH_WORK:-/var/tmp}/medsearch-fresh.XXXXXX")
MOUNTS=()
cleanup() {
    local m p pids
    # Every process whose root is inside the fresh root: started by us.
    pids=""
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$W" ] && pids="$pids ${p#/proc/}"
    done
    if [ -n "$pids" ]; then
        say "stopping leftover processes:$pids"
        kill -KILL $pids 2> /dev/null
        sleep 0.5
    fi
    for ((m = ${#MOUNTS[@]} - 1; m >= 0; m--)); do
        umount "${MOUNTS[m]}" 2> /dev/null || umount -l "${MOUNTS[m]}" 2> /dev/null
    done
    if grep -q " $W/" /proc/mounts; then
        say "warning: mounts left under $W:"; grep " $W/" /proc/mounts >&2
    elif [ -z "${FRESH_KEEP:-}" ]; then
        rm -rf "$W"
    else
        say "kept the root in $W"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
t=$SECONDS
tar -C "$W" -xf "$BASE" || die "cannot unpack $BASE"
chmod 755 "$W"          # mktemp's 0700 would hide / from every other user
cp /etc/resolv.conf "$W/etc/resolv.conf"
# debootstrap writes no /etc/hosts; every installed Debian system has the
# one its installer writes, so `localhost` resolves there.
[ -s "$W/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n127.0.1.1\tfresh\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$W/etc/hosts"
mnt() { mount "$@" && MOUNTS+=("${!#}"); }
mnt --rbind /dev "$W/dev" && mount --make-rslave "$W/dev"
mnt -t sysfs sysfs "$W/sys"
mnt -t tmpfs -o mode=1777 tmpfs "$W/tmp"
REV=$(git -C "$ROOT" rev-parse HEAD) || die "not a git checkout: $ROOT"
git clone -q --no-hardlinks "$ROOT" "$W/root/medsearch" && git -C "$W/root/medsearch" checkout -q --detach "$REV" ||
    die "cannot clone $ROOT"
git -C "$W/root/medsearch" branch -q -f main "$REV" 2> /dev/null
say "fresh root $W ready ($((SECONDS - t)) s); medsearch at $(git -C "$ROOT" log -1 --format='%h %s' | cut -c1-70)"

# ---- 3. the README's two commands, as a new user types them -------------------
# Inside a PID namespace (its own /proc): when the shell ends, the kernel
# ends every process left in it.  $PATH and $HOME as on a new machine.
inside() {
    unshare --pid --fork --mount-proc="$W/proc" chroot "$W" /usr/bin/env -i \
        HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb \
        /bin/sh -c "cd /root/medsearch && $1"
}
LOG=${FRESH_LOG:-$ROOT/build/fresh-check}
mkdir -p "$LOG"
fail=0
phase() {
    local name=$1 cmd=$2 t=$SECONDS rc
    inside "$cmd" > "$LOG/$name.log" 2>&1
    rc=$?
    printf 'fresh-check: %-10s exit %d  %4d s  (log: %s)\n' "$name" "$rc" $((SECONDS - t)) "$LOG/$name.log"
    [ $rc -eq 0 ] || fail=1
    return $rc
}
phase check "make check"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOG/check.log" | tail -1)
say "make check: ${summary:-no summary line}"
[ -n "$summary" ] || fail=1
case $summary in *" 0 failed") ;; *) fail=1; grep -E '^FAIL|^ +not ok' "$LOG/check.log" | head -40 ;; esac
# make demo leaves searchd running and make demo-stop stops it: run both in
# one namespace so that demo-stop meets the daemon demo started.
phase demo "make demo && make demo-stop"
grep -q 'searchd stopped' "$LOG/demo.log" || { say "make demo-stop did not stop searchd"; fail=1; }
grep -qE '^ *1[.] ' "$LOG/demo.log" || { say "make demo showed no results"; fail=1; }
grep -q "^Related articles:" "$LOG/demo.log" || { say "make demo showed no related articles"; fail=1; }
tail -25 "$LOG/demo.log" | sed 's/^/  demo| /'
say "total $((SECONDS - t_all)) s: $([ $fail -eq 0 ] && echo PASSED || echo FAILED)"
exit $fail
