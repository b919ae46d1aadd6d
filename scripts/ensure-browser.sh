#!/usr/bin/env bash
# The console's browser tests drive Debian's Chromium (never a browser downloaded by Playwright)
# and need Japanese fonts to render kana and kanji. Installs both from Debian's packages when
# missing; .ci/run calls this before the tests. Needs root (CI and the dev machines run as root).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
if ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then missing+=(fonts-noto-cjk); fi
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
echo "ensure-browser: installing ${missing[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
