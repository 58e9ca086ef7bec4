#!/bin/sh
# Test hook of `./dev image-test`, written into the test's copy of the image only (never the
# image itself) and started by `systemd.wants=pvz-image-test.service` on the kernel command line.
# It reports pvz.service's READY on the console, stops the daemon with SIGSTOP, and reports the
# restart the watchdog causes. Lines start with PVZ-TEST so the host can pick them out.
say() { echo "PVZ-TEST $*" >/dev/console; }
prop() { systemctl show -P "$1" pvz.service; }
say HOOK type=$(prop Type)
# For Type=notify, "active" means READY=1 has arrived.
until [ "$(systemctl is-active pvz.service)" = active ]; do
    if [ "$(systemctl is-failed pvz-provision.service)" = failed ]; then
        # A refused provisioning file: the daemon must never have started.
        say PROVISION-FAILED pvz=$(systemctl is-active pvz.service) pvz_started_us=$(prop ExecMainStartTimestampMonotonic)
        journalctl -b --no-pager -o cat -u pvz-provision.service | grep REJECTED | sed 's/^/PVZ-TEST JOURNAL /' >/dev/console
        say DONE
        systemctl poweroff --no-block; exit 0
    fi
    if [ "$(systemctl is-failed pvz.service)" = failed ]; then
        say FAILED; journalctl -b --no-pager -o short-monotonic -u pvz-provision.service -u pvz.service | tail -n 40 >/dev/console
        systemctl poweroff --no-block; exit 0
    fi
    sleep 0.5
done
pid=$(prop MainPID)
say READY pid=$pid mono_us=$(prop ActiveEnterTimestampMonotonic) watchdog_usec=$(prop WatchdogUSec) status="$(prop StatusText)"
sleep 5
say STOPPING pid=$pid
kill -STOP "$pid"
# Between the kill and the restart (RestartSec=) the unit's Result says why it went down.
why=none
until [ "$(prop MainPID)" != "$pid" ] && [ "$(systemctl is-active pvz.service)" = active ]; do
    result=$(prop Result)
    [ "$result" != success ] && why=$result
    sleep 0.5
done
say RESTARTED pid=$(prop MainPID) restarts=$(prop NRestarts) mono_us=$(prop ActiveEnterTimestampMonotonic) after=$why
journalctl -b --no-pager -o short-monotonic -u pvz.service | grep -i -E 'watchdog|Started|Main process' | tail -n 10 | sed 's/^/PVZ-TEST JOURNAL /' >/dev/console
sleep 10
say DONE
systemctl poweroff --no-block
