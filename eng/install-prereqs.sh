#!/usr/bin/env bash
# Installs what building and testing CsBpf needs on Debian (bookworm) / Ubuntu, idempotently:
#   libllvm19  - libLLVM.so.19.1, the back end csbpfc loads at run time
#   libbpf1    - libbpf.so.1, used by the host runtime (CsBpf.Runtime) to load and attach objects
#   bpftool    - inspecting objects and loaded programs (tests, debugging)
#   clang-19   - compiles C reference objects for tests and benchmarks
#   llvm-19    - llvm-objdump-19/llvm-readelf-19, to inspect the objects csbpfc emits (tests, benchmarks)
#   iproute2   - ip/tc, for network program tests
#   qemu-system-x86, busybox-static - the kernel-matrix guest (Debian's 6.1 cloud kernel, fetched by
#                eng/vm/run-guest.sh with apt-get download) for kprobe/fentry/LSM tests
#   libbpf-dev, gcc - headers for the C test fixtures and the native benchmark reference programs
#   systemtap-sdt-dev - <sys/sdt.h>, for the USDT probes of the C program the USDT tests build
# and checks that the .NET 10 SDK is on PATH. Packages already installed are skipped, and 'apt-get update'
# runs only when a missing package is not known to apt yet, so this is fast when everything is present.
set -euo pipefail

PACKAGES=(libllvm19 libbpf1 bpftool clang-19 llvm-19 iproute2 qemu-system-x86 busybox-static libbpf-dev gcc systemtap-sdt-dev)

log() { echo "install-prereqs: $*"; }
die() { echo "install-prereqs: error: $*" >&2; exit 1; }

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "installing packages needs root: run as root or install sudo (missing: ${missing[*]})"
  fi
}

apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${PACKAGES[@]}"; do
    is_installed "$p" || missing+=("$p")
  done
else
  die "dpkg not found: this script supports Debian and Ubuntu; install the equivalents of: ${PACKAGES[*]}"
fi

if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install: ${missing[*]}"
  log "installing ${missing[*]}"

  # Update the package lists first only if apt does not know a missing package (fresh machine, empty lists).
  need_update=0
  for p in "${missing[@]}"; do
    candidate=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then need_update=1; break; fi
  done
  if [ $need_update -eq 1 ]; then
    log "apt-get update"
    as_root apt-get update
  fi

  # Lists that are known but stale can still fail the download: update once and retry.
  if ! apt_install "${missing[@]}"; then
    log "install failed; apt-get update and retry"
    as_root apt-get update
    apt_install "${missing[@]}"
  fi

  for p in "${missing[@]}"; do
    is_installed "$p" || die "package $p is still not installed"
  done
else
  log "packages present: ${PACKAGES[*]}"
fi

if ! command -v dotnet >/dev/null 2>&1; then
  die "dotnet not found on PATH: install the .NET 10 SDK (10.0.100 or later, see global.json) and add it to PATH"
fi
if ! dotnet --list-sdks 2>/dev/null | grep -Eq '^(1[0-9]|[2-9][0-9])\.'; then
  die "no .NET SDK 10 or later found (dotnet --list-sdks: $(dotnet --list-sdks 2>/dev/null | tr '\n' ' ')): install the .NET 10 SDK"
fi
log "dotnet $(dotnet --version 2>/dev/null || echo '?') present"

if [ ! -r /sys/kernel/btf/vmlinux ]; then
  log "warning: /sys/kernel/btf/vmlinux is missing: the kernel has no BTF, so BPF objects cannot be loaded here"
fi
