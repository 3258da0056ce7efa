#!/bin/sh
# setup.sh - installs what the Node-side tests need: Debian's chromium
# (never a downloaded browser) and the pinned npm packages of
# tests/package-lock.json.  Idempotent; the apt step needs root.
set -e
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup.sh: /usr/bin/chromium missing; run as root" >&2
		exit 1
	fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
command -v npm >/dev/null 2>&1 || {
	echo "setup.sh: npm missing (apt-get install nodejs npm)" >&2
	exit 1
}
# playwright-core never downloads browsers; make sure nothing else does.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
