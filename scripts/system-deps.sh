#!/usr/bin/env bash
# Checks the system packages the kiosk needs and installs the missing ones with apt-get when run
# as root; otherwise prints the exact apt-get line and fails, so `make` stops with one clear step.
set -euo pipefail
PY=${PY:-python3}

missing=()
if ! command -v "$PY" >/dev/null 2>&1; then
    missing+=(python3)
elif ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: $PY is $("$PY" -V 2>&1); the kiosk needs Python 3.11 or newer." >&2
    exit 1
elif ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
# Receipts are rendered with DejaVu Sans, which sets stacked Vietnamese marks correctly.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# The camera's optional pyzbar decoder (compared in `make bench`) needs libzbar0.
if [ "${1:-}" = "--zbar" ] && ! ldconfig -p 2>/dev/null | grep -q 'libzbar\.so\.0'; then
    missing+=(libzbar0)
fi
# Later issues add their system libraries here (one check, one package name each).

[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
    echo "error: missing system packages. Install them with:" >&2
    echo "    sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
