#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the program (and, with --test, its tests) needs.
# Only packages that are missing are installed; uses sudo when not run as root.
set -euo pipefail

runtime=(python3 python3-venv python3-pip libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0
         libfontconfig1 libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
         libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
         libxcb-xkb1 libx11-xcb1 libcups2)
testing=(poppler-utils zbar-tools xvfb xauth)

wanted=("${runtime[@]}")
[ "${1:-}" = "--test" ] && wanted+=("${testing[@]}")

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "请手动安装这些系统软件包：${missing[*]}" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "安装系统软件包：${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
