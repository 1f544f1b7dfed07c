#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# install-deps.sh: installs what chatcrm needs to build and to run its tests
# on Debian 12 (libpurple, GLib, SQLite, libnotify, meson; prosody, finch
# and tmux for the integration tests; dbus, xvfb and dunst for a real
# notification server).  apt runs only when a package is missing, so a
# rerun costs a few dpkg queries.  Needs root, or sudo.
set -euo pipefail

packages=(
	libpurple-dev libglib2.0-dev libsqlite3-dev libnotify-dev libical-dev
	libsodium-dev meson ninja-build pkg-config gettext python3
	prosody finch tmux dbus dbus-x11 xvfb libsasl2-modules
)
# The notification server only: its recommends pull in a desktop.
packages_no_recommends=(dunst libnotify-bin)

missing() {
	local package
	for package in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null \
			| grep -q 'install ok installed'; then
			printf '%s\n' "$package"
		fi
	done
}

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	echo "install-deps: this is not a Debian system; install by hand:" >&2
	echo "  ${packages[*]} ${packages_no_recommends[*]}" >&2
	exit 1
fi

mapfile -t need < <(missing "${packages[@]}")
mapfile -t need_nr < <(missing "${packages_no_recommends[@]}")
if [ "${#need[@]}" -eq 0 ] && [ "${#need_nr[@]}" -eq 0 ]; then
	echo "install-deps: all packages are installed"
	exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null; then
		echo "install-deps: missing ${need[*]} ${need_nr[*]};" \
			"run as root or install sudo" >&2
		exit 1
	fi
	as_root=(sudo)
fi

echo "install-deps: installing ${need[*]} ${need_nr[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
if [ "${#need[@]}" -gt 0 ]; then
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y "${need[@]}"
fi
if [ "${#need_nr[@]}" -gt 0 ]; then
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${need_nr[@]}"
fi
