#!/bin/sh
# Install the Debian packages zonestat needs to build and test, when they
# are missing.  Without root or apt-get, print the command to run and fail.
set -e
PKGS="lua5.4 liblua5.4-dev lua-cjson lua-busted lua-system lua-argparse libutf8proc-dev libzip-dev libexpat1-dev libxlsxwriter-dev libsqlite3-dev libicu-dev pkg-config gcc make libc6-dev"
[ -n "$ZS_EXTRA_PKGS" ] && PKGS="$PKGS $ZS_EXTRA_PKGS"
missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
cmd="apt-get update && apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "zonestat needs these Debian packages:$missing" >&2
  echo "install them with:  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
