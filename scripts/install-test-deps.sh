#!/usr/bin/env bash
# System packages the tests use: Debian's Chromium (report and UI tests in a real headless browser) and
# PostgreSQL (the store's PostgreSQL backend). Installs only what is missing; needs root (or sudo) and apt.
# Without them the browser and PostgreSQL tests skip with a reason; everything else still runs.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-liberation >/dev/null 2>&1 || missing+=(fonts-liberation)  # chromium pulls in no font
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: no apt-get; install ${missing[*]} yourself (their tests skip meanwhile)" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
