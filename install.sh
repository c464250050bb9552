#!/bin/sh
# Install one pinned version of the awsmfa release binary, verified against
# the release's SHA256SUMS, for Linux and macOS. Suitable for a dotfiles
# bootstrap:
#
#   sh install.sh 0.1.0
#
# Environment:
#   AWSMFA_INSTALL_DIR  where to install (default: $HOME/.local/bin)
#   AWSMFA_BASE_URL     the directory holding the release files (default: the
#                       GitHub release of that version, below)
#
# It downloads awsmfa-<version>-<target> and SHA256SUMS with curl or wget,
# checks the binary with sha256sum or shasum -a 256, and only then moves it
# into place (a rename inside the install directory). On any failure it
# removes what it downloaded and leaves the install directory untouched.
set -eu

# The GitHub repository the releases are published in. OWNER is a placeholder
# until the repository is published; the release workflow refuses to release
# while it is still here.
REPO="OWNER/awsmfa"

me="install.sh"
tmp=""

die() {
  echo "$me: $1" >&2
  exit "${2:-1}"
}

cleanup() {
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
  if [ -n "${partial:-}" ]; then rm -f "$partial"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$#" -ne 1 ]; then
  die "usage: sh install.sh VERSION (for example: sh install.sh 0.1.0)" 2
fi
version=${1#v}
if ! printf '%s\n' "$version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'; then
  die "\"$1\" is not a version like 0.1.0" 2
fi

os=$(uname -s)
arch=$(uname -m)
case "$arch" in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) die "there is no awsmfa binary for the $arch processor" ;;
esac
case "$os" in
  Linux)
    for loader in /lib/ld-musl-*; do
      if [ -e "$loader" ]; then
        die "the awsmfa binary needs glibc, and this system uses musl"
      fi
    done
    target="$arch-unknown-linux-gnu"
    ;;
  Darwin)
    # A shell running under Rosetta reports x86_64 on Apple silicon.
    if [ "$arch" = x86_64 ] &&
      [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
      arch=aarch64
    fi
    target="$arch-apple-darwin"
    ;;
  MINGW* | MSYS* | CYGWIN*) die "on Windows, use install.ps1 in PowerShell" ;;
  *) die "there is no awsmfa binary for $os" ;;
esac

name="awsmfa-$version-$target"
base=${AWSMFA_BASE_URL:-"https://github.com/$REPO/releases/download/v$version"}
base=${base%/}
dir=${AWSMFA_INSTALL_DIR:-"${HOME:?HOME is not set}/.local/bin"}

if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --retry 2 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  die "cannot download: neither curl nor wget is installed"
fi

if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | awk '{ print $1 }'; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | awk '{ print $1 }'; }
else
  die "cannot verify the download: neither sha256sum nor shasum is installed"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/awsmfa-install.XXXXXX")

fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS" ||
  die "cannot download $base/SHA256SUMS"
fetch "$base/$name" "$tmp/$name" || die "cannot download $base/$name"

expected=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1; exit }' \
  "$tmp/SHA256SUMS")
if [ -z "$expected" ]; then
  die "SHA256SUMS of awsmfa $version has no entry for $name; nothing was installed"
fi
actual=$(sha256 "$tmp/$name")
if [ "$actual" != "$expected" ]; then
  die "the checksum of $name does not match SHA256SUMS; nothing was installed"
fi

mkdir -p "$dir"
partial="$dir/.awsmfa.partial.$$"
cp "$tmp/$name" "$partial"
chmod 755 "$partial"
mv -f "$partial" "$dir/awsmfa"
partial=""

case ":${PATH:-}:" in
  *":$dir:"*) echo "Installed awsmfa $version ($target) to $dir/awsmfa" ;;
  *) echo "Installed awsmfa $version ($target) to $dir/awsmfa ($dir is not on your PATH)" ;;
esac
