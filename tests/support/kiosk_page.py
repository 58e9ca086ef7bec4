"""The kiosk page's checks in a browser: contrast and sizes computed from the page's own computed
styles (WCAG 2.1 relative luminance), and a kiosk device whose order a test sets directly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.support.screen import ScreenDevice
from workflows.kiosk_model import DoorStep, KioskData, KioskDoor

# Every visible text: its contrast against the nearest opaque background behind it, its size.
# Every visible control: its outline's (or its fill's) contrast against what surrounds it, its box.
MEASURE_JS = """
() => {
  const parse = (c) => {
    const p = c.match(/rgba?\\(([^)]+)\\)/)[1].split(/[ ,\\/]+/).filter(Boolean).map(parseFloat);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = (c) => 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const background = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c.a > 0) return c;
    }
    return parse(getComputedStyle(document.documentElement).backgroundColor || 'rgb(255,255,255)');
  };
  const shown = (node) => {
    if (!node.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
    const r = node.getBoundingClientRect();
    return r.width > 1 && r.height > 1;  // the visually hidden labels are for screen readers
  };
  const name = (node) => node.id ? '#' + node.id : node.tagName.toLowerCase() + '.' + node.className;
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const t = walker.currentNode;
    const node = t.parentElement;
    if (!t.textContent.trim() || !shown(node)) continue;
    const cs = getComputedStyle(node);
    texts.push({text: t.textContent.trim().slice(0, 40), where: name(node),
      ratio: ratio(parse(cs.color), background(node)), size: parseFloat(cs.fontSize)});
  }
  for (const input of document.querySelectorAll('input')) {
    if (!input.value || !shown(input)) continue;
    const cs = getComputedStyle(input);
    texts.push({text: input.value, where: name(input), ratio: ratio(parse(cs.color), background(input)),
      size: parseFloat(cs.fontSize)});
  }
  const controls = [];
  for (const c of document.querySelectorAll('button, input')) {
    if (!shown(c)) continue;
    const cs = getComputedStyle(c);
    const around = background(c.parentElement);
    const r = c.getBoundingClientRect();
    controls.push({where: name(c) + (c.dataset.key ? '[' + c.dataset.key + ']' : ''),
      border: parseFloat(cs.borderTopWidth) >= 2 ? ratio(parse(cs.borderTopColor), around) : 0,
      fill: ratio(background(c), around), width: r.width, height: r.height, disabled: c.disabled});
  }
  const f = document.activeElement;
  let focus = null;
  if (f && f !== document.body) {
    const cs = getComputedStyle(f);
    focus = {where: name(f), style: cs.outlineStyle, width: parseFloat(cs.outlineWidth),
      ratio: ratio(parse(cs.outlineColor), background(f.parentElement))};
  }
  return {texts, controls, focus};
}
"""


def measure(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(MEASURE_JS)
    return result


def check_accessible(page: Page, state: str) -> int:
    """WCAG 2.1 AA on what the page shows now; returns how many texts were measured."""
    found = measure(page)
    assert found["texts"], state
    for text in found["texts"]:
        assert text["ratio"] >= 4.5, (state, text)
        assert text["size"] >= 24, (state, text)
    for control in found["controls"]:
        assert max(control["border"], control["fill"]) >= 3, (state, control)
        assert control["width"] >= 44 and control["height"] >= 44, (state, control)
    return len(found["texts"])


def doors(*steps: DoorStep, first: int = 14) -> KioskData:
    """An order of one parcel per door, doors labelled from `first`."""
    made = tuple(
        KioskDoor(f"L-{first + n:02d}", str(first + n), first + n - 1, step, (f"1234-{n}",))
        for n, step in enumerate(steps)
    )
    return KioskData("12345678", "Иван П.", tuple(d.parcels[0] for d in made), made)


class KioskView:
    """Sets, on the device's loop, what its kiosk's page is to show: an order, a lock, a message."""

    def __init__(self, dev: ScreenDevice, station: str = "k1") -> None:
        self.dev = dev
        self.station = station
        self.data: KioskData | None = None
        self.locked_s: float | None = None
        hub = dev.hub
        assert hub is not None

        def install() -> None:
            hub.kiosk_source = lambda _rt, st: self.data if st == station else None
            hub.lock_left = lambda _rt, st: self.locked_s if st == station else None

        dev.call(install)

    def show(
        self,
        data: KioskData | None = None,
        *,
        locked_s: float | None = None,
        message: tuple[str, list[str], str] | None = None,
    ) -> None:
        hub = self.dev.hub
        assert hub is not None

        def publish() -> None:
            self.data, self.locked_s = data, locked_s
            if message is None:
                hub._mark(self.station)
            else:
                hub.shown(self.station, *message)

        self.dev.call(publish)


def kiosk_device(path: Path, **kwargs: Any) -> ScreenDevice:
    return ScreenDevice(path, stations=("k1", "s1"), kiosks=frozenset({"k1"}), **kwargs)
