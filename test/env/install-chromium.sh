#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's chromium (never a downloaded browser build):
# install it when it is missing. Needs root, as CI and the developers' machines run.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "installing chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
