#!/usr/bin/env bash
# Installs what vncview needs to build, run and test on Debian 12 / Ubuntu 22.04+.
# Build: compiler, CMake, SDL2, SDL2_ttf, fontconfig, libvncclient/libvncserver, GnuTLS, libpng,
# libssh, SQLite, libjpeg, liblzo2 (our Ultra decoder).
# Tests: real peers (TigerVNC Xvnc and vncviewer, x11vnc, OpenSSH), Xvfb, xdotool, ImageMagick,
# clang with libFuzzer and sanitizer runtimes.
set -euo pipefail
BUILD=(build-essential cmake pkg-config clang-format
       libsdl2-dev libsdl2-ttf-dev libfontconfig-dev fonts-dejavu-core
       libvncserver-dev libgnutls28-dev libpng-dev zlib1g-dev libssh-dev libsqlite3-dev
       libjpeg-dev liblzo2-dev)
TEST=(tigervnc-standalone-server tigervnc-viewer tigervnc-tools x11vnc
      openssh-server openssh-client gnutls-bin openssl xvfb xdotool imagemagick x11-apps x11-utils
      x11-xserver-utils xterm xclip procps iproute2 clang libclang-rt-14-dev llvm)
want=("${BUILD[@]}")
[ "${1:-}" = "--build-only" ] || want+=("${TEST[@]}")
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: everything is installed"
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
