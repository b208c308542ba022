#!/bin/busybox sh
# /init of the guest's initramfs (built by run-guest.sh): loads the virtiofs and overlay modules, mounts the
# host's root read-only (with a RAM overlay) and the results directory read-write at its host path, mounts the kernel filesystems BPF needs,
# chroots to run guest-run.sh, records its exit code and powers off. Any failure powers off too: run-guest.sh
# then reports the missing exit code with this console's last lines.
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# run-guest.sh watches for this line to know the kernel booted (its KVM probe).
echo "guest-init: started"

fail() {
  echo "guest-init: error: $*"
  poweroff -f
  sleep 10
}

results=$(sed -n 's/.*csbpf\.results=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -n "$results" ] || fail "no csbpf.results= on the kernel command line"

for m in $(cat /modules/order); do
  insmod "/modules/$m.ko" || fail "insmod $m failed"
done

# The virtio-pci devices probe asynchronously after the driver loads: retry a virtiofs mount for up to 10 s.
mount_virtiofs() {
  for _ in $(seq 100); do
    mount -t virtiofs "$@" 2>/dev/null && return 0
    sleep 0.1
  done
  mount -t virtiofs "$@"
}

# The host root, read-only, under a tmpfs overlay: the guest can write anywhere (dotnet writes to $HOME,
# /tmp, ...) without touching the host, and sees every host path (the repo may live under /tmp) unchanged.
mkdir -p /lower /upper
mount_virtiofs -o ro hostroot /lower || fail "mounting the host root (virtiofs tag hostroot) failed"
mount -t tmpfs -o mode=755 tmpfs /upper
mkdir -p /upper/data /upper/work
r=/newroot
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work $r || fail "mounting the overlay on the host root failed"

# Fresh kernel filesystems over the host's mount points.
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts devpts $r/dev/pts
mount -t tmpfs tmpfs $r/dev/shm
mount -t tmpfs tmpfs $r/run
mkdir -p "$r$results"
mount_virtiofs results "$r$results" || fail "mounting the results share at $results failed"
mount -t bpf bpf $r/sys/fs/bpf || fail "mounting bpffs failed"
mount -t tracefs tracefs $r/sys/kernel/tracing || fail "mounting tracefs failed"
mount -t debugfs debugfs $r/sys/kernel/debug || fail "mounting debugfs failed"
mount -t securityfs securityfs $r/sys/kernel/security || fail "mounting securityfs failed"
ulimit -l unlimited 2>/dev/null
# Loopback only (the VM has no network device): vstest.console talks to its testhost over 127.0.0.1.
ip link set lo up || fail "bringing up the loopback interface failed"

uname -r > "$r$results/kernel-release"
echo "guest-init: running $results/guest-run.sh ($(uname -r), lsm=$(cat $r/sys/kernel/security/lsm))"
chroot $r /bin/sh "$results/guest-run.sh" > "$r$results/guest.log" 2>&1
code=$?
echo "$code" > "$r$results/exit-code"
echo "guest-init: guest-run.sh exited with $code"
sync
umount "$r$results"
poweroff -f
sleep 10
