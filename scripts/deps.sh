#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh: install the Debian packages medsearch needs, only those missing.
# The list lives in one place, scripts/packages.txt: every "lib" package,
# and the package of every command that a test names on its `need` line
# (tests/lib.sh) or that make demo / make site run.  Extra package names
# may be given as arguments; --tools also installs the developer tools.  Idempotent and quiet; uses sudo when not root.
set -eu
here=$(dirname "$0")
table=$here/packages.txt
tools=0
[ "${1:-}" = --tools ] && { tools=1; shift; }
PKGS=$(awk -v t=$tools '$1 == "lib" { print $2 } $1 == "cmd" || (t && $1 == "tool") { print $3 }' "$table" | sort -u)
[ $# -gt 0 ] && PKGS="$PKGS $*"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
