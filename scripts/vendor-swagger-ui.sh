#!/usr/bin/env bash
# Vendor Swagger UI (the interactive /docs) from npm into app/web/static/swagger-ui/: the page never
# loads it from a CDN. Run it to upgrade: change VERSION and INTEGRITY (`npm view swagger-ui-dist@X
# dist.integrity`), run, check /docs, commit the files. The tarball's integrity is checked first.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=5.35.0
INTEGRITY="sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="
TARGET=app/web/static/swagger-ui
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack "swagger-ui-dist@$VERSION" --silent >/dev/null)
TARBALL="$WORK/swagger-ui-dist-$VERSION.tgz"
ACTUAL="sha512-$(openssl dgst -sha512 -binary "$TARBALL" | base64 -w0)"
if [[ "$ACTUAL" != "$INTEGRITY" ]]; then
  echo "swagger-ui-dist@$VERSION: integrity $ACTUAL, expected $INTEGRITY" >&2
  exit 1
fi
tar xzf "$TARBALL" -C "$WORK"
mkdir -p "$TARGET"
for file in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE; do
  cp "$WORK/package/$file" "$TARGET/$file"
done
echo "$VERSION" > "$TARGET/VERSION"
echo "Swagger UI $VERSION vendored into $TARGET"
