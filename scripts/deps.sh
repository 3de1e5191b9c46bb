#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh: install the Debian packages medsearch needs, only those missing.
# Idempotent and quiet; uses sudo when not root.  Called by make.
set -eu
PKGS="g++ make pkg-config libxapian-dev xapian-tools libicu-dev zlib1g-dev
libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libxml2-dev libcmocka-dev
hunspell-en-med hunspell-en-us curl python3 time procps"
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
