#!/usr/bin/env bash
# Build a static, position-independent libcrypto for the cyjwt wheels.
#
# cibuildwheel runs this as `before-all` on Linux (inside each manylinux /
# musllinux container) and macOS (on the runner); see docs/wheels.md for
# why the wheels link OpenSSL statically.  The compiled core then links
# $CYJWT_OPENSSL_DIR/lib/libcrypto.a (CYJWT_OPENSSL_STATIC=1 in setup.py).
#
# Environment:
#   CYJWT_OPENSSL_DIR   install prefix (required; include/ and lib/ below it)
#   OPENSSL_VERSION     release to build (default below)
#   OPENSSL_SHA256      its tarball's SHA-256 (must match; default below)
#   OPENSSL_TARBALL     use this local tarball instead of downloading
#   OPENSSL_JOBS        parallel make jobs (default: number of CPUs)
#
# An OpenSSL security release reaches the wheels by bumping the two
# defaults below and tagging a new cyjwt release.
set -euo pipefail

OPENSSL_VERSION="${OPENSSL_VERSION:-3.0.22}"
OPENSSL_SHA256="${OPENSSL_SHA256:-67ebca7e50d17383028045486653492195b83db95f8558709701bb47b5c1ef81}"
prefix="${CYJWT_OPENSSL_DIR:?set CYJWT_OPENSSL_DIR to the install prefix}"

stamp="$prefix/.cyjwt-openssl-$OPENSSL_VERSION"
if [ -f "$stamp" ] && [ -f "$prefix/lib/libcrypto.a" ]; then
  echo "build_openssl.sh: OpenSSL $OPENSSL_VERSION already in $prefix"
  exit 0
fi

os="$(uname -s)"
arch="$(uname -m)"

# Build tools inside the cibuildwheel containers (we are root there).
if [ "$os" = Linux ] && [ "$(id -u)" = 0 ]; then
  if command -v apk >/dev/null 2>&1; then          # musllinux (Alpine)
    apk add --no-cache perl make linux-headers >/dev/null
  elif command -v dnf >/dev/null 2>&1; then        # manylinux_2_28 (AlmaLinux 8)
    dnf install -y -q perl-core make >/dev/null
  elif command -v yum >/dev/null 2>&1; then        # manylinux2014 (CentOS 7)
    yum install -y -q perl-core make >/dev/null
  fi
fi

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$work/openssl-$OPENSSL_VERSION.tar.gz"
if [ -n "${OPENSSL_TARBALL:-}" ]; then
  cp "$OPENSSL_TARBALL" "$tarball"
else
  for url in \
    "https://github.com/openssl/openssl/releases/download/openssl-$OPENSSL_VERSION/openssl-$OPENSSL_VERSION.tar.gz" \
    "https://www.openssl.org/source/openssl-$OPENSSL_VERSION.tar.gz"; do
    if curl -fsSL --retry 3 -o "$tarball" "$url"; then
      break
    fi
  done
fi
got="$(sha256 "$tarball")"
if [ "$got" != "$OPENSSL_SHA256" ]; then
  echo "build_openssl.sh: SHA-256 mismatch for OpenSSL $OPENSSL_VERSION: $got" >&2
  exit 1
fi

tar xzf "$tarball" -C "$work"
cd "$work/openssl-$OPENSSL_VERSION"

case "$os-$arch" in
  Linux-x86_64) target=linux-x86_64 ;;
  Linux-aarch64) target=linux-aarch64 ;;
  Linux-*) target="linux-$arch" ;;
  Darwin-arm64) target=darwin64-arm64-cc ;;
  Darwin-x86_64) target=darwin64-x86_64-cc ;;
  *) echo "build_openssl.sh: no OpenSSL target for $os-$arch" >&2; exit 1 ;;
esac
if [ "$os" = Darwin ]; then
  # Match the deployment target cibuildwheel gives the wheels.
  if [ "$arch" = arm64 ]; then
    export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-11.0}"
  else
    export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-10.13}"
  fi
fi

# Only libcrypto's hash and constant-time-compare code ends up used; the
# section flags let the extension's link (--gc-sections / -dead_strip)
# drop much of the rest.  no-shared: libcrypto.a only, nothing to bundle.
./Configure "$target" \
  --prefix="$prefix" --openssldir="$prefix/ssl" --libdir=lib \
  no-shared no-module no-tests no-engine no-legacy no-dso no-comp \
  no-ssl3 no-dtls no-ui-console \
  -fPIC -ffunction-sections -fdata-sections >/dev/null
jobs="${OPENSSL_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}"
make -s -j"$jobs" build_libs >/dev/null
make -s install_dev >/dev/null
touch "$stamp"
echo "build_openssl.sh: OpenSSL $OPENSSL_VERSION installed in $prefix ($target)"
ls -l "$prefix/lib/libcrypto.a"
