#!/usr/bin/env bash
# The install step of native/action.yml: downloads the release archive of msstore-submit for
# this runner's OS and architecture, checks its SHA-256 against the sum pinned in release.txt
# (next to this script), unpacks it and writes `path=<binary>` to GITHUB_OUTPUT.
#
# Runs under bash on every runner (Windows runners have Git Bash; `shell: bash`). Reads
# RUNNER_OS (Linux, Windows, macOS) and RUNNER_ARCH (X64, ARM64), which the runner sets:
# https://docs.github.com/en/actions/reference/variables-reference
# An archive whose sum does not match is deleted and nothing runs.
set -euo pipefail

fail() { echo "::error title=msstore-submit native action::$*"; exit 1; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pins="$here/release.txt"

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  # Windows on Arm runs x64 programs (https://learn.microsoft.com/en-us/windows/arm/apps-on-arm-x86-emulation).
  Windows/X64 | Windows/ARM64) target=x86_64-pc-windows-gnu ;;
  *) fail "no msstore-submit binary for RUNNER_OS=${RUNNER_OS:-unset} RUNNER_ARCH=${RUNNER_ARCH:-unset}; use the container action on Linux, or the binary from a release" ;;
esac

url=$(sed -n 's/^url \(.*\)$/\1/p' "$pins" | tail -n1)
line=$(grep -E "^[0-9a-f]{64}  msstore-submit-[^ ]*-$target\.(tar\.gz|zip)$" "$pins" || true)
if [ -z "$url" ] || [ -z "$line" ]; then
  fail "this ref of native/action.yml pins no release for $target (release.txt is filled in only in release commits): use a release tag such as @v1, not a branch"
fi
want=${line%% *}
archive=${line##* }
name=${archive%.tar.gz}
name=${name%.zip}

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum -- "$1" | cut -d' ' -f1
  else shasum -a 256 -- "$1" | cut -d' ' -f1
  fi
}

# Git Bash on Windows: turn D:\a\_temp into /d/a/_temp.
dir_of() { if command -v cygpath >/dev/null; then cygpath -u "$1"; else printf '%s' "$1"; fi; }
base=$(dir_of "${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:?RUNNER_TEMP is not set}}")/msstore-submit/$want
mkdir -p "$base"
exe=msstore-submit
[ "$target" = x86_64-pc-windows-gnu ] && exe=msstore-submit.exe
bin="$base/$name/$exe"

# The verified archive stays in the cache (a self-hosted runner's next job downloads nothing),
# but its sum is checked and the binary unpacked afresh on every run: what runs is always
# what the sum pins, whatever happened to the cache in between.
if [ ! -f "$base/$archive" ]; then
  echo "downloading $url/$archive"
  curl --fail --silent --show-error --location --retry 5 --retry-all-errors \
    --output "$base/$archive.part" "$url/$archive"
  mv "$base/$archive.part" "$base/$archive"
fi
got=$(sha256 "$base/$archive")
if [ "$got" != "$want" ]; then
  rm -f "$base/$archive"
  fail "$archive has SHA-256 $got, but this action pins $want: refusing to run it (a changed release asset, or a proxy rewriting downloads)"
fi
rm -rf "${base:?}/$name"
case "$archive" in
  *.zip)
    if command -v unzip >/dev/null; then unzip -q -o "$base/$archive" -d "$base"
    else powershell -NoProfile -Command "Expand-Archive -Force -LiteralPath '$(cygpath -w "$base/$archive")' -DestinationPath '$(cygpath -w "$base")'"
    fi ;;
  *) tar -xzf "$base/$archive" -C "$base" ;;
esac
[ -f "$bin" ] || fail "$archive has no $name/$exe"
chmod +x "$bin"
echo "msstore-submit for $target: $bin"
echo "path=$bin" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
