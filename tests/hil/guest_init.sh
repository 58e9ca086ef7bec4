#!/bin/sh
# /init of the HIL guest (busybox sh), packed into the initramfs by tests/hil/build.py.
# Loads the kernel modules, mounts the host's root read-only over 9p (tag "host") with a
# tmpfs overlay on top, mounts the writable job share (tag "out") at /run/pvz-hil, then runs
# the in-guest test runner (tests.hil.guest) with the host's own Python and checkout, and
# powers off. The job share holds job.env (the Python and the checkout to use) and
# job.json (scenarios and environment); the runner writes results.json there, this script dmesg.txt.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

say() { echo "PVZ-HIL: $*"; }
die() {
    say "FAILED: $*"
    dmesg | tail -n 40
    poweroff -f
}

# Modules in dependency order, each line "file [params]" (see MODULES in build.py).
while read -r module params; do
    # $params is split on purpose: "num=4" and the like.
    # shellcheck disable=SC2086
    insmod "/modules/$module" $params || say "insmod $module failed"
done </modules/order

OPTS=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "$OPTS,ro,cache=loose" host /lower || die "cannot mount the host root over 9p"
mount -t 9p -o "$OPTS" out /out || die "cannot mount the job share over 9p"

# A writable root: tmpfs over the read-only host root; without overlayfs, tmpfs on /tmp.
mount -t tmpfs -o size=256m tmpfs /upper
mkdir -p /upper/data /upper/work
if ! mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work /newroot; then
    say "no overlayfs: read-only root with a tmpfs /tmp"
    mount --bind /lower /newroot
    mount -t tmpfs tmpfs /newroot/tmp
fi
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
mount -t configfs configfs /newroot/sys/kernel/config || die "cannot mount configfs"
mount -t tmpfs tmpfs /newroot/run
mkdir -p /newroot/run/pvz-hil
mount --bind /out /newroot/run/pvz-hil

. /out/job.env
[ -n "$PVZ_HIL_PYTHON" ] && [ -n "$PVZ_HIL_REPO" ] || die "job.env names no Python or checkout"
say "kernel $(uname -r) up in $(cut -d' ' -f1 /proc/uptime) s; running $PVZ_HIL_PYTHON -m tests.hil.guest"
chroot /newroot /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    /bin/sh -c 'cd "$1" && exec "$2" -m tests.hil.guest /run/pvz-hil/job.json /run/pvz-hil/results.json' \
    sh "$PVZ_HIL_REPO" "$PVZ_HIL_PYTHON"
rc=$?
dmesg >/out/dmesg.txt
say "PVZ-HIL-DONE rc=$rc after $(cut -d' ' -f1 /proc/uptime) s"
sync
poweroff -f
