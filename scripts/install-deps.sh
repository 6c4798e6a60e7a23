#!/usr/bin/env bash
# Installs every Debian package the build and the tests need. Idempotent: a machine
# that already has them only pays for one dpkg query.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache clang libclang-rt-14-dev
  libcli11-dev libcpp-httplib-dev nlohmann-json3-dev libyaml-cpp-dev
  libarchive-dev libgtest-dev libsqlite3-dev libssl-dev
  json-schema-test-suite zip unzip curl autoconf automake libtool make bash-completion
  zsh fish  # the completion scripts are tested in them (skipped when absent)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
