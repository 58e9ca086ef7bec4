"""Screen benchmark: from a scan typed into `pvz run` to the page's DOM showing it, in Debian's
headless Chromium, and what the screen adds to the daemon's memory.

`./dev bench --screen [--scans 500]`. Each scan is written to the daemon's standard input (its
stdin scanner) and timed until a MutationObserver in the page sees the message it produced; the
time includes reading the line, the engine's commit, the event and the browser's rendering.
Memory: the daemon's resident set after the same scans with `[screen] listen = "off"` (the
baseline, in the same run) and with the screen on and one page connected.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import publish
from bench.stats import stats
from tests.support.broker import free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
BADGE = "BADGE-7001"
# Alternate two commands so that each scan changes what the screen says.
CYCLE = ("PVZC-ISSUE", "PVZC-CANCEL")
SETTLE_S = 1.0

# Installed before the page's own script: the time (epoch ms) each message number reached the DOM.
OBSERVER = """
window.__seen = {};
new MutationObserver(() => {
  const seq = document.body && document.body.dataset.seq;
  if (seq && !(seq in window.__seen)) window.__seen[seq] = performance.timeOrigin + performance.now();
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-seq']});
"""


def write_config(work: Path, listen: str) -> Path:
    path = work / f"pvz-{listen.replace(':', '_')}.toml"
    path.write_text(
        '[device]\nid = "pvz-bench-0001"\nsite = "bench"\n'
        f'[store]\npath = "{work / "pvz.db"}"\n'
        '[security]\npickup_key = "00112233445566778899aabbccddeeff"\n'
        f'[screen]\nlisten = "{listen}"\n'
        '[[stations]]\nname = "counter-1"\n[[stations.scanners]]\nbackend = "stdin"\n'
        f'[stations.printer]\nbackend = "sim"\nout_dir = "{work / "prints"}"\n'
        f'[[clerks]]\nbadge = "{BADGE}"\nname = "Анна С."\n',
        encoding="utf-8",
    )
    return path


def start(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "device.cli.main", "run", "--config", str(config)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def type_line(proc: subprocess.Popen[bytes], code: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write(code.encode() + b"\n")
    proc.stdin.flush()


def stop(proc: subprocess.Popen[bytes]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(30)


def baseline_rss(work: Path, scans: int) -> int:
    """The daemon's memory after the same scans with no screen at all."""
    proc = start(write_config(work, "off"))
    try:
        time.sleep(SETTLE_S * 2)
        type_line(proc, BADGE)
        for i in range(scans):
            type_line(proc, CYCLE[i % 2])
        time.sleep(SETTLE_S * 2)
        return rss_kib(proc.pid)
    finally:
        stop(proc)


def with_page(work: Path, scans: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start(write_config(work, f"127.0.0.1:{port}"))
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.add_init_script(OBSERVER)
            deadline = time.monotonic() + 30
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/", timeout=2000)
                    break
                except Exception:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise
                    time.sleep(0.1)
            page.wait_for_function("document.body.dataset.connected === '1'", timeout=30_000)
            type_line(proc, BADGE)
            time.sleep(SETTLE_S)
            samples = []
            for i in range(scans):
                before = int(page.evaluate("document.body.dataset.seq || '0'"))
                sent = time.time() * 1000
                type_line(proc, CYCLE[i % 2])
                handle = page.wait_for_function(
                    f"Object.keys(window.__seen).map(Number).filter(s => s > {before}).sort((a, b) => a - b)[0]",
                    timeout=10_000,
                )
                seq = int(handle.json_value())
                shown = float(page.evaluate(f"window.__seen['{seq}']"))
                samples.append(int((shown - sent) * 1e6))  # ns, as bench.stats takes them
            rss = rss_kib(proc.pid)
            browser.close()
        return {"latency": stats(samples), "rss_kib": rss}
    finally:
        stop(proc)


def run(scans: int = 500) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pvz-screen-") as tmp:
        work = Path(tmp)
        (work / "off").mkdir()
        (work / "on").mkdir()
        base = baseline_rss(work / "off", scans)
        on = with_page(work / "on", scans)
    return {
        "scans": scans,
        "scan_to_dom_ms": on["latency"],
        "rss_screen_off_mib": round(base / 1024, 1),
        "rss_screen_on_mib": round(on["rss_kib"] / 1024, 1),
        "screen_overhead_mib": round((on["rss_kib"] - base) / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench --screen", description=__doc__)
    parser.add_argument("--scans", type=int, default=500)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    report = run(args.scans)
    publish(report, args.out)
    return 0
