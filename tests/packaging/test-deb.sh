#!/usr/bin/env bash
# test-deb.sh: builds the Debian packages, checks them with lintian, installs them here, runs them, removes them
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run as root on Debian 12 (it installs and then removes the packages):
#   tests/packaging/test-deb.sh
# Builds from a copy of the working tree (tracked and untracked, not ignored
# files) in a temporary folder with `dpkg-buildpackage -us -uc -b`; lintian
# must report no errors; the packages are installed with dpkg -i (apt-get -f
# install for missing dependencies); then `photobooth-immich --version`, a
# sync against the fake Immich server (built in the package build tree) and
# the PhotoBooth's Python example run from the installed files. Packages that
# were not installed before are purged at the end.
#
# In a tree without the GTK app (no src/ui), the build uses the profile
# pkg.photobooth-immich.noapp, which leaves out the photobooth-immich-sync
# package (debian/control, debian/rules).
#
# PBI_DEB_KEEP=1 keeps the build folder. Prints one line "deb: N passed, N failed".
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/pbi-deb.XXXXXX)
key=pbi-deb-test-key-7d1e93
passed=0
failed=0
installed_by_us=()
fake_pid=

ok ()   { passed=$((passed + 1)); echo "ok - $*"; }
fail () { failed=$((failed + 1)); echo "not ok - $*"; }

cleanup ()
{
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
  if [ ${#installed_by_us[@]} -gt 0 ]; then
    echo "# removing ${installed_by_us[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${installed_by_us[@]}" >/dev/null || true
  fi
  [ -n "${PBI_DEB_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "Run as root: it installs the packages it builds." >&2; exit 2; }

profiles=()
packages=(photobooth-immich libphotobooth-immich0 gir1.2-pbi-1.0 libphotobooth-immich-dev
          python3-photobooth-immich)
if [ -f "$top/src/ui/meson.build" ]; then
  packages+=(photobooth-immich-sync)
else
  echo "# no src/ui in the tree: building without the app package (profile pkg.photobooth-immich.noapp)"
  profiles=(-Ppkg.photobooth-immich.noapp)
fi

# --- build -------------------------------------------------------------------
mkdir -p "$work/src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$top" && tar --null -T - -cf -) | tar -C "$work/src" -xf -
start=$(date +%s)
if (cd "$work/src" && dpkg-buildpackage -us -uc -b "${profiles[@]}") >"$work/build.log" 2>&1; then
  ok "dpkg-buildpackage -us -uc -b ${profiles[*]} ($(( $(date +%s) - start )) s)"
else
  fail "dpkg-buildpackage (log: $work/build.log)"
  tail -40 "$work/build.log"
  PBI_DEB_KEEP=1
  echo "deb: $passed passed, $failed failed"
  exit 1
fi
for p in "${packages[@]}"; do
  if ls "$work/${p}_"*.deb >/dev/null 2>&1; then ok "built $p"; else fail "built $p"; fi
done

# --- lintian -----------------------------------------------------------------
changes=$(ls "$work"/*.changes)
lintian --tag-display-limit 0 "$changes" >"$work/lintian.log" 2>&1 || true
sed 's/^/# /' "$work/lintian.log"
if grep -q '^E: ' "$work/lintian.log"; then
  fail "lintian: $(grep -c '^E: ' "$work/lintian.log") errors"
else
  ok "lintian: no errors ($(grep -c '^W: ' "$work/lintian.log" || true) warnings)"
fi

# --- install -----------------------------------------------------------------
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    installed_by_us+=("$p")
done
debs=()
for p in "${packages[@]}"; do debs+=("$work/${p}_"*.deb); done
if ! dpkg -i "${debs[@]}" >"$work/install.log" 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get -f install -y -q >>"$work/install.log" 2>&1 || true
fi
all_installed=true
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    { all_installed=false; echo "# $p is not installed"; }
done
if $all_installed; then ok "installed ${packages[*]}"; else fail "install"; cat "$work/install.log"; fi

# --- run ---------------------------------------------------------------------
version=$(cd /tmp && env -u LD_LIBRARY_PATH photobooth-immich --version 2>&1 || true)
want="photobooth-immich $(cd "$work/src" && dpkg-parsechangelog -S Version)"
if [ "$version" = "$want" ] && [ "$(command -v photobooth-immich)" = /usr/bin/photobooth-immich ]; then
  ok "photobooth-immich --version: $version"
else
  fail "photobooth-immich --version: '$version' (want '$want')"
fi

fake=$(ls "$work"/src/obj-*/tests/fake-immich/fake-immich)
home="$work/home"
mkdir -p "$home/captures"
"$fake" --port 0 --api-version 3.2.2 --api-key "$key" >"$work/fake.out" 2>/dev/null &
fake_pid=$!
url=
for _ in $(seq 1 100); do
  url=$(head -n1 "$work/fake.out" 2>/dev/null || true)
  [ -n "$url" ] && break
  sleep 0.1
done
export HOME="$home" PHOTOBOOTH_IMMICH_DATABASE="$home/pb.db"
unset LD_LIBRARY_PATH GI_TYPELIB_PATH PYTHONPATH G_DEBUG IMMICH_INSTANCE_URL IMMICH_API_KEY || true
photobooth-immich config set immich_server_url "$url" >/dev/null
echo "$key" | photobooth-immich config set immich_api_key - >/dev/null
photobooth-immich config set immich_album_name "Deb Test" >/dev/null
for i in 1 2 3; do
  { printf '\xff\xd8\xff\xe0'; head -c 30000 /dev/urandom; printf '\xff\xd9'; } >"$home/captures/IMG_000$i.jpg"
done
if photobooth-immich sync "$home/captures" >"$work/sync.log" 2>&1 &&
   [ "$(curl -s "$url/__fake/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["assets"])')" = 3 ]; then
  ok "photobooth-immich sync: 3 photos on the fake server"
else
  fail "photobooth-immich sync"; cat "$work/sync.log"
fi

mkdir -p "$home/event"
for i in 1 2; do
  { printf '\xff\xd8\xff\xe0'; head -c 30000 /dev/urandom; printf '\xff\xd9'; } >"$home/event/p$i.jpg"
done
out=$(/usr/bin/python3 - "$home/event" <<'PY' 2>"$work/python.err" || true
import sys
import photobooth.immich
from photobooth.immich import get_immich_sync
sync = get_immich_sync()
result = sync.sync_all_photos(sys.argv[1])
print(f"Synced {result['uploaded']} professional photos")
print(photobooth.immich.__file__)
PY
)
if [ "$out" = "Synced 2 professional photos
/usr/lib/python3/dist-packages/photobooth/immich.py" ]; then
  ok "Python example from the installed package: Synced 2 professional photos"
else
  fail "Python example: $out"; cat "$work/python.err"
fi

echo "deb: $passed passed, $failed failed"
[ "$failed" = 0 ]
