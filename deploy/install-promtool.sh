#!/bin/sh
# Put promtool (Prometheus' checker for metrics and rules) at $1/bin/promtool for the tests.
#
# promtool comes from the Debian package `prometheus` (a static Go binary; the package is
# about 19 MB to download). We fetch the .deb with `apt-get download` and unpack only
# usr/bin/promtool, so nothing is installed system-wide, no Prometheus server gets started
# and no root is needed when the apt lists are current. As root, the lists are refreshed
# once if the download fails. Where none of this works the script says how to get promtool
# and exits 0: the tests that need promtool then fail with the same instructions.
set -u
venv="${1:-.venv}"
target="$venv/bin/promtool"

if [ -x "$target" ]; then exit 0; fi
if command -v promtool >/dev/null 2>&1; then
    mkdir -p "$venv/bin" && ln -sf "$(command -v promtool)" "$target" && exit 0
fi

how="install it with 'apt-get install prometheus' (Debian/Ubuntu, provides /usr/bin/promtool) or put a promtool binary from https://prometheus.io/download/ on PATH, then rerun 'make test'"
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "warning: promtool not found and apt-get/dpkg-deb are missing; $how" >&2
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # apt's download sandbox user must be able to write here
fetch() { (cd "$work" && apt-get download -qq prometheus >/dev/null 2>&1); }
if ! fetch; then
    if [ "$(id -u)" = 0 ]; then
        echo "promtool: refreshing apt lists" >&2
        apt-get update -qq >/dev/null 2>&1
        fetch || true
    fi
fi
deb="$(ls "$work"/prometheus_*.deb 2>/dev/null | head -n 1)"
if [ -z "$deb" ]; then
    echo "warning: could not download the Debian package 'prometheus' for promtool; $how" >&2
    exit 0
fi
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" ./usr/bin/promtool
mkdir -p "$venv/bin"
install -m 755 "$work/usr/bin/promtool" "$target"
echo "promtool: $("$target" --version 2>&1 | head -n 1) -> $target" >&2
