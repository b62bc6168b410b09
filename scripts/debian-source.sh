#!/usr/bin/env bash
# scripts/debian-source.sh PACKAGE [DIR] — unpack Debian bookworm's source of PACKAGE into DIR
# (default: $ALASKA_SRC_CACHE or build-src/ at the top of the checkout) once, and print the
# path of the unpacked tree. Adds a deb-src entry for bookworm to apt's sources (and runs
# apt-get update) when there is none. Nothing fetched here is ever committed.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=${1:?usage: debian-source.sh PACKAGE [DIR]}
dir=${2:-${ALASKA_SRC_CACHE:-build-src}}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

have_deb_src() {
  grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}
if ! have_deb_src; then
  echo "debian-source: adding deb-src for bookworm (/etc/apt/sources.list.d/alaska-deb-src.sources)" >&2
  $SUDO tee /etc/apt/sources.list.d/alaska-deb-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  $SUDO apt-get update -qq >&2
fi
command -v dpkg-source >/dev/null || {
  $SUDO apt-get install -y -qq --no-install-recommends dpkg-dev >&2
}

# The unpacked tree is named SOURCE-UPSTREAMVERSION; the source name may differ from PACKAGE.
stamp="$dir/.$pkg.path"
if [ -f "$stamp" ] && [ -d "$(cat "$stamp")" ]; then
  cat "$stamp"; exit 0
fi
lock="$dir/.$pkg.lock"
exec 9>"$lock"
flock 9
if [ -f "$stamp" ] && [ -d "$(cat "$stamp")" ]; then
  cat "$stamp"; exit 0
fi
work="$dir/.$pkg.tmp"
rm -rf "$work"; mkdir -p "$work"
(cd "$work" && apt-get source -qq "$pkg" 2>&1 | grep -v "^dpkg-source: info" >&2; [ "${PIPESTATUS[0]}" = 0 ]) || {
  echo "debian-source: 'apt-get source $pkg' failed (is deb.debian.org reachable? is there a deb-src line for bookworm?)" >&2
  rm -rf "$work"; exit 1
}
tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -1)
[ -n "$tree" ] || { echo "debian-source: no unpacked tree for $pkg" >&2; exit 1; }
name=$(basename "$tree")
rm -rf "${dir:?}/$name"
mv "$tree" "$dir/$name"
rm -rf "$work"
echo "$dir/$name" > "$stamp"
echo "$dir/$name"
