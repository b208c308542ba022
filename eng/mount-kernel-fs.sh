#!/usr/bin/env bash
# Mounts the file systems BPF programs need, if they are not mounted yet: tracefs at /sys/kernel/tracing
# (tracepoint ids and attach points) and bpffs at /sys/fs/bpf (pinning). Needs root (or sudo); failures
# are reported as warnings, since the tests say themselves what they lack.
set -uo pipefail

log() { echo "mount-kernel-fs: $*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else return 1
  fi
}

is_mounted() { awk -v p="$1" '$2 == p { found = 1 } END { exit !found }' /proc/self/mounts; }

if [ ! -d /sys/kernel/tracing/events ]; then
  if as_root mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null; then
    log "mounted tracefs at /sys/kernel/tracing"
  else
    log "warning: tracefs is not mounted at /sys/kernel/tracing and mounting it failed"
  fi
fi

if ! is_mounted /sys/fs/bpf; then
  if as_root mount -t bpf bpf /sys/fs/bpf 2>/dev/null; then
    log "mounted bpffs at /sys/fs/bpf"
  else
    log "warning: bpffs is not mounted at /sys/fs/bpf and mounting it failed"
  fi
fi
exit 0
