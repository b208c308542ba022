#!/usr/bin/env bash
# Boots Debian's linux-image-6.1.0-*-cloud-amd64 kernel under qemu-system-x86_64 and runs one command inside
# it, chrooted into this machine's own root filesystem (shared read-only), so the guest runs the host's dotnet
# on the host's build output without a guest image. Used by tests/CsBpf.KernelMatrix.Tests (issue #7: the
# host kernel lacks kprobes and refuses fentry/LSM programs; Debian's 6.1 kernel has all of them, with BTF).
#
# Usage: eng/vm/run-guest.sh --results DIR [--timeout SECONDS] [--memory MIB] [--cpus N] -- COMMAND [ARGS...]
#
#   --results DIR   a host directory, shared read-write with the guest at the same path; receives
#                   console.log (the guest's serial console), guest.log (COMMAND's output), exit-code,
#                   and whatever COMMAND writes there. CSBPF_GUEST_RESULTS=DIR inside the guest.
#   --timeout S     hard limit for the whole VM run (default 420); qemu is killed after it.
#   COMMAND         runs in the guest as root with cwd /tmp, HOME=/tmp/csbpf-guest-home, CSBPF_GUEST=1 and
#                   the host's PATH. The guest sees the host's files as they are; its writes (outside DIR)
#                   go to an overlay in guest RAM and are discarded.
#
# Environment:
#   CSBPF_VM_CACHE           where kernels are cached (default /var/cache/csbpf-vm, else artifacts/vm-cache)
#   CSBPF_VM_KERNEL_PACKAGE  the kernel package (default: the newest linux-image-6.1.0-N-cloud-amd64 apt knows)
#   CSBPF_VM_ACCEL           kvm or tcg (default: kvm when /dev/kvm works for this guest, else tcg)
#
# Exit code: COMMAND's exit code; 124 when the VM timed out; 2 for usage errors; 3 when the VM could not be
# prepared or did not report (qemu/kernel/virtiofsd missing, boot failure): the cause is printed on stderr.
#
# The shares use virtiofs, not 9p: Debian's cloud kernel is built without 9p (CONFIG_NET_9P is not set) but
# has virtiofs as a module; the daemon is qemu-system-common's /usr/lib/qemu/virtiofsd.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

die()  { echo "run-guest: error: $*" >&2; exit 3; }
log()  { echo "run-guest: $*" >&2; }
usage() { sed -n '7,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

results="" timeout_s=420 memory_mib=3072 cpus=2
while [ $# -gt 0 ]; do
  case "$1" in
    --results) results=${2:?}; shift 2 ;;
    --timeout) timeout_s=${2:?}; shift 2 ;;
    --memory)  memory_mib=${2:?}; shift 2 ;;
    --cpus)    cpus=${2:?}; shift 2 ;;
    --) shift; break ;;
    -h|--help) usage ;;
    *) echo "run-guest: unknown option $1" >&2; usage ;;
  esac
done
[ -n "$results" ] && [ $# -gt 0 ] || usage
[ "$(id -u)" -eq 0 ] || die "must run as root (virtiofsd exports / and the guest runs as root); run the tests as root"
mkdir -p "$results"
results=$(cd "$results" && pwd)
case "$results" in *[[:space:]]*) die "the results directory must not contain spaces: $results" ;; esac

# ---- tools ------------------------------------------------------------------------------------------------
qemu=$(command -v qemu-system-x86_64 || true)
[ -n "$qemu" ] || die "qemu-system-x86_64 not found: install Debian package qemu-system-x86 (bash eng/install-prereqs.sh)"
virtiofsd=/usr/lib/qemu/virtiofsd
[ -x "$virtiofsd" ] || die "$virtiofsd not found: it comes with Debian package qemu-system-common (a dependency of qemu-system-x86)"
busybox=/bin/busybox
# Static: the initramfs has no libc. (ldd succeeds only for dynamic executables.)
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1 || ! "$busybox" --list | grep -x insmod >/dev/null; then
  die "$busybox is missing or not statically linked: install Debian package busybox-static (bash eng/install-prereqs.sh)"
fi

# ---- kernel: download once with apt-get download, cache vmlinuz + the modules the guest needs ------------
cache=${CSBPF_VM_CACHE:-}
if [ -z "$cache" ]; then
  cache=/var/cache/csbpf-vm
  mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache="$repo/artifacts/vm-cache"
fi
mkdir -p "$cache"

# Both print nothing (and succeed) when apt does not know the package.
find_kernel_package() {
  { apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' 2>/dev/null || true; } | awk '{ print $1 }' | sort -V | tail -n 1
}
package_version() { { apt-cache show "$1" 2>/dev/null || true; } | awk '/^Version:/ { print $2 }' | sort -V | tail -n 1; }

package=${CSBPF_VM_KERNEL_PACKAGE:-}
[ -n "$package" ] || package=$(find_kernel_package)
version=""
[ -z "$package" ] || version=$(package_version "$package")
if [ -z "$package" ] || [ -z "$version" ]; then
  # A fresh machine has empty package lists: update once, as install-prereqs.sh does for missing packages.
  log "apt does not know ${package:-any linux-image-6.1.0-*-cloud-amd64}: apt-get update"
  apt-get update >&2 || log "apt-get update failed"
  [ -n "${CSBPF_VM_KERNEL_PACKAGE:-}" ] || package=$(find_kernel_package)
  [ -z "$package" ] || version=$(package_version "$package")
fi
if [ -n "${CSBPF_VM_KERNEL_PACKAGE:-}" ] && [ -z "$version" ]; then
  die "CSBPF_VM_KERNEL_PACKAGE=$CSBPF_VM_KERNEL_PACKAGE is not known to apt even after apt-get update: name an existing package (apt-cache search linux-image-6.1.0 cloud-amd64)"
fi
if [ -z "$package" ] || [ -z "$version" ]; then
  # Offline: fall back to the newest kernel already cached.
  cached=$(ls -d "$cache"/linux-image-6.1.0-*-cloud-amd64_*/ 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$cached" ] || die "no linux-image-6.1.0-*-cloud-amd64 package known to apt (Debian bookworm main/security) and none cached in $cache: check the apt sources and run apt-get update"
  kdir=${cached%/}
  log "apt does not know the kernel package; using the cached $(basename "$kdir")"
else
  kdir="$cache/${package}_${version}"
fi

# The cached layout: bump when the set of extracted files changes, so older caches are refreshed.
layout=2
if [ "$(sed -n 2p "$kdir/ready" 2>/dev/null)" != "layout $layout" ]; then
  log "fetching $package $version into $kdir"
  tmp=$(mktemp -d "$cache/.download.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # apt runs the download as _apt, which cannot write to a root-only directory: give it a world-writable one.
  chmod 1777 "$tmp"
  if ! (cd "$tmp" && apt-get download "$package=$version" >&2); then
    log "apt-get download failed: apt-get update and retry"
    apt-get update >&2 || true
    (cd "$tmp" && apt-get download "$package=$version" >&2) || die "apt-get download $package=$version failed (see above): the guest kernel cannot be fetched"
  fi
  dpkg-deb -x "$tmp"/*.deb "$tmp/x"
  mkdir -p "$tmp/k/modules"
  cp "$tmp"/x/boot/vmlinuz-* "$tmp/k/vmlinuz"
  cp "$tmp"/x/boot/config-* "$tmp/k/config"
  # virtiofs and its virtio-pci transport are modules in the cloud kernel (check: grep VIRTIO_FS k/config),
  # and so is overlayfs, which makes the shared root writable in the guest (writes go to guest RAM).
  # Keep them and what they depend on (the 'depends=' field of each .ko's modinfo), in load order.
  moddir=$(echo "$tmp"/x/lib/modules/*)
  declare -A seen=()
  order=()
  add_module() {
    local name=$1 ko dep
    [ -z "${seen[$name]:-}" ] || return 0
    seen[$name]=1
    ko=$(find "$moddir/kernel" -name "$name.ko" -o -name "$name.ko.xz" | head -n 1)
    [ -n "$ko" ] || die "module $name.ko is not in $package: the guest cannot mount the host filesystem"
    case "$ko" in *.xz) die "$ko is compressed; busybox insmod needs plain .ko files" ;; esac
    for dep in $(tr '\0' '\n' < "$ko" | sed -n 's/^depends=//p' | tr ',' ' '); do add_module "$dep"; done
    cp "$ko" "$tmp/k/modules/$name.ko"
    order+=("$name")
  }
  for m in virtio_pci virtiofs overlay; do add_module "$m"; done
  printf '%s\n' "${order[@]}" > "$tmp/k/modules/order"
  printf '%s\nlayout %s\n' "$package $version" "$layout" > "$tmp/k/ready"
  rm -rf "$kdir"
  mv "$tmp/k" "$kdir"
  rm -rf "$tmp"
  trap - EXIT
fi
log "kernel: $(head -n 1 "$kdir/ready")"

# ---- initramfs: static busybox, the modules, and an init that chroots into the shared host root ---------
work=$(mktemp -d "${TMPDIR:-/tmp}/csbpf-vm.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/initramfs"/{bin,dev,proc,sys,newroot,modules}
cp "$busybox" "$work/initramfs/bin/busybox"
cp "$kdir"/modules/*.ko "$kdir/modules/order" "$work/initramfs/modules/"
cp "$here/guest-init.sh" "$work/initramfs/init"
chmod +x "$work/initramfs/init"
(cd "$work/initramfs" && find . | "$busybox" cpio -o -H newc 2>/dev/null) > "$work/initramfs.cpio"

# The command, as a script the guest runs inside the chroot (the results share is at the same path there).
{
  echo '#!/bin/sh'
  echo "export PATH='$PATH'"
  echo "export CSBPF_GUEST=1 CSBPF_GUEST_RESULTS='$results' HOME=/tmp/csbpf-guest-home DOTNET_CLI_HOME=/tmp/csbpf-guest-home"
  echo 'export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_GENERATE_ASPNET_CERTIFICATE=false'
  for v in CI CSBPF_LIBBPF; do
    [ -z "${!v:-}" ] || printf "export %s='%s'\n" "$v" "${!v}"
  done
  echo 'mkdir -p "$HOME" && cd /tmp'
  # Each argument single-quoted for the guest's /bin/sh, a ' inside one written as '\''.
  printf 'exec'
  for a in "$@"; do printf " '%s'" "${a//\'/\'\\\'\'}"; done
  echo
} > "$results/guest-run.sh"
rm -f "$results/exit-code" "$results/console.log" "$results/guest.log"

# ---- virtiofsd + qemu ------------------------------------------------------------------------------------
# lsm= names the LSMs explicitly: BPF's (for the LSM tests) and none whose policy (AppArmor, TOMOYO, ...)
# could refuse what the tests do; panic=-1 with -no-reboot turns a guest panic into a qemu exit, not a hang.
append="console=ttyS0 lsm=lockdown,capability,bpf panic=-1 oops=panic loglevel=4 mitigations=off csbpf.results=$results"

# virtiofsd exits when qemu disconnects, so each VM start gets fresh daemons: / (mounted read-only by the
# guest) and the results directory (read-write).
start_virtiofsd() {
  local socket=$1 source=$2 cache_mode=$3
  rm -f "$socket"
  "$virtiofsd" --socket-path="$socket" -o source="$source" -o cache="$cache_mode" -o sandbox=chroot \
    -o log_level=err >> "$work/virtiofsd.log" 2>&1 &
  pids+=($!)
}

# start_vm ACCEL: starts virtiofsd and qemu (in the background, under a hard timeout); sets qemu_pid.
start_vm() {
  local accel_args
  case "$1" in
    kvm) accel_args=(-accel kvm -cpu host) ;;
    tcg) accel_args=(-accel tcg -cpu max) ;;
  esac
  : > "$work/virtiofsd.log"
  start_virtiofsd "$work/root.sock" / always
  start_virtiofsd "$work/results.sock" "$results" none
  for _ in $(seq 100); do
    [ -S "$work/root.sock" ] && [ -S "$work/results.sock" ] && break
    sleep 0.05
  done
  [ -S "$work/root.sock" ] && [ -S "$work/results.sock" ] || die "virtiofsd did not start: $(cat "$work/virtiofsd.log")"
  rm -f "$results/console.log"
  timeout --kill-after=10 "$timeout_s" "$qemu" \
    -nodefaults -no-user-config -nographic -monitor none -no-reboot \
    "${accel_args[@]}" -smp "$cpus" -m "$memory_mib" \
    -object memory-backend-memfd,id=mem,size="${memory_mib}M",share=on -numa node,memdev=mem \
    -chardev socket,id=fsroot,path="$work/root.sock" -device vhost-user-fs-pci,chardev=fsroot,tag=hostroot \
    -chardev socket,id=fsresults,path="$work/results.sock" -device vhost-user-fs-pci,chardev=fsresults,tag=results \
    -serial file:"$results/console.log" \
    -kernel "$kdir/vmlinuz" -initrd "$work/initramfs.cpio" -append "$append" \
    < /dev/null > "$work/qemu.log" 2>&1 &
  qemu_pid=$!
}

# KVM when /dev/kvm opens and actually boots this kernel; otherwise TCG. Some nested setups expose a
# /dev/kvm that cannot run a stock kernel (e.g. PVM-based nested KVM hangs right after the decompressor,
# and qemu's '-cpu host' aborts on MSR 0x10a there), so the first KVM boot must reach /init within
# kvm_probe_s seconds; a failure is remembered per host kernel so later runs go straight to TCG.
kvm_probe_s=30
kvm_marker="$cache/kvm-unusable-$(uname -r)"
accel=${CSBPF_VM_ACCEL:-}
if [ -z "$accel" ]; then
  if [ -e /dev/kvm ] && { exec 9<>/dev/kvm; } 2>/dev/null; then
    exec 9>&-
    if [ -f "$kvm_marker" ]; then
      accel=tcg
      log "warning: KVM cannot boot the guest on this host ($(cat "$kvm_marker")); using TCG (slower). Delete $kvm_marker to retry KVM."
    else
      accel=kvm-probe
    fi
  else
    accel=tcg
    log "warning: /dev/kvm is missing or not accessible: emulating the CPU with TCG (several times slower)"
  fi
fi
case "$accel" in kvm|tcg|kvm-probe) ;; *) die "CSBPF_VM_ACCEL must be kvm or tcg, not '$accel'" ;; esac

start=$(date +%s)
if [ "$accel" = kvm-probe ]; then
  log "booting with KVM (${cpus} vCPUs, ${memory_mib} MiB, timeout ${timeout_s}s); console: $results/console.log"
  start_vm kvm
  booted=0
  for _ in $(seq $((kvm_probe_s * 10))); do
    if grep -q 'guest-init: started' "$results/console.log" 2>/dev/null; then booted=1; break; fi
    kill -0 "$qemu_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ $booted -eq 1 ]; then
    accel=kvm
  else
    reason="no guest output within ${kvm_probe_s}s"
    kill -0 "$qemu_pid" 2>/dev/null || reason="qemu exited: $(tail -n 2 "$work/qemu.log" | tr '\n' ' ')"
    kill "$qemu_pid" 2>/dev/null || true
    wait "$qemu_pid" 2>/dev/null || true
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    pids=()
    echo "$reason" > "$kvm_marker"
    log "warning: KVM could not boot the guest ($reason); falling back to TCG (slower). Remembered in $kvm_marker."
    accel=tcg
  fi
fi
if [ "$accel" != kvm ] || [ -z "${qemu_pid:-}" ]; then
  log "booting with $accel (${cpus} vCPUs, ${memory_mib} MiB, timeout ${timeout_s}s); console: $results/console.log"
  start_vm "$accel"
fi
set +e
wait "$qemu_pid"
qemu_exit=$?
set -e
log "VM ran $(( $(date +%s) - start ))s with $accel (qemu exit $qemu_exit)"

if [ "$qemu_exit" -eq 124 ] || [ "$qemu_exit" -eq 137 ]; then
  echo "run-guest: error: the VM did not finish within ${timeout_s}s; last console lines:" >&2
  tail -n 30 "$results/console.log" >&2 || true
  exit 124
fi
if [ ! -s "$results/exit-code" ]; then
  {
    echo "run-guest: error: the guest did not report an exit code (qemu exit $qemu_exit)."
    [ ! -s "$work/qemu.log" ] || { echo "qemu:"; cat "$work/qemu.log"; }
    [ ! -s "$work/virtiofsd.log" ] || { echo "virtiofsd:"; cat "$work/virtiofsd.log"; }
    echo "last console lines:"; tail -n 40 "$results/console.log" 2>/dev/null || true
  } >&2
  exit 3
fi
exit "$(cat "$results/exit-code")"
