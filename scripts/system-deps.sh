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
# The touch UI: the libraries PyQt6's wheels expect from the system (offscreen, and on a real
# screen through X11's xcb plugin).
for pair in libEGL.so.1:libegl1 libGL.so.1:libgl1 libxkbcommon.so.0:libxkbcommon0 \
            libfontconfig.so.1:libfontconfig1 libdbus-1.so.3:libdbus-1-3 libglib-2.0.so.0:libglib2.0-0 \
            libX11.so.6:libx11-6 libxcb.so.1:libxcb1 \
            libxcb-cursor.so.0:libxcb-cursor0 libxcb-icccm.so.4:libxcb-icccm4 \
            libxcb-keysyms.so.1:libxcb-keysyms1 libxkbcommon-x11.so.0:libxkbcommon-x11-0; do
    ldconfig -p 2>/dev/null | grep -q "${pair%%:*}" || missing+=("${pair##*:}")
done
# `make screenshots` renders the screens in a real X server.
if [ "${1:-}" = "--xvfb" ] && ! command -v xvfb-run >/dev/null 2>&1; then
    missing+=(xvfb xauth)
fi
# Spoken prompts ([ui] speech = true) use espeak-ng's Vietnamese voice; the tests hear it too.
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
# `make test` checks the systemd units offline: systemd-analyze (verify, security), with
# systemd-sysusers and systemd-tmpfiles for the users and the state directory, all in one package.
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
# `make test` builds the Debian package (tests/test_deb.py) and `make deb` ships it: dh-virtualenv
# and debhelper, with the system Python's venv (the package's venv is made from /usr/bin/python3,
# never from a pyenv or /usr/local one), and fakeroot to build without root.
for pair in dh_virtualenv:dh-virtualenv dh:debhelper dpkg-buildpackage:dpkg-dev fakeroot:fakeroot; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
# `make deb` also checks what it built with lintian (the test runs it too when it is installed).
if [ "${1:-}" = "--deb" ] && ! command -v lintian >/dev/null 2>&1; then
    missing+=(lintian)
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
