"""A week's or a month's figures as a PNG chart, because an owner would rather look than read:
parcels in and out per day by channel above, cash and card taken per day below.

Drawn with matplotlib's Agg canvas on a Figure of its own (no pyplot, so no global state and no
display); imported only when a chart is asked for, since matplotlib takes seconds to load on a Pi.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from device.reports.stats import CHANNELS
from device.reports.stats_text import channel_name
from device.reports.tables import t
from device.reports.types import Stats

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# The chart's size in pixels: WIDTH_IN x HEIGHT_IN inches at DPI.
WIDTH_IN, HEIGHT_IN, DPI = 10, 7, 100
COLOURS = {
    "orders": "#1f77b4",
    "customer_returns": "#ff7f0e",
    "dropoffs": "#2ca02c",
    "sends": "#9467bd",
    "to_sender": "#8c564b",
}
CASH, CARD = "#17becf", "#bcbd22"
BAR = 0.4  # each day holds an "in" bar and an "out" bar side by side


def _parcels(ax: Axes, s: Stats, lang: str) -> None:
    days = range(len(s["days"]))
    below_in = [0] * len(s["days"])
    below_out = [0] * len(s["days"])
    for name in CHANNELS:
        got = [d["parcels_in"][name] for d in s["days"]]
        gone = [d["parcels_out"][name] for d in s["days"]]
        colour = COLOURS[name]
        ax.bar(
            [x - BAR / 2 for x in days],
            got,
            BAR,
            bottom=below_in,
            color=colour,
            label=channel_name(name, lang),
        )
        ax.bar(
            [x + BAR / 2 for x in days],
            gone,
            BAR,
            bottom=below_out,
            color=colour,
            hatch="//",
            edgecolor="white",
        )
        below_in = [a + b for a, b in zip(below_in, got, strict=True)]
        below_out = [a + b for a, b in zip(below_out, gone, strict=True)]
    ax.set_title(
        t(lang, "stat_chart_parcels") + f" ({t(lang, 'stat_chart_in')} | {t(lang, 'stat_chart_out')})"
    )
    ax.legend(fontsize="small", loc="upper left")


def _money(ax: Axes, s: Stats, lang: str) -> None:
    days = range(len(s["days"]))
    cash = [d["cash_kopecks"] / 100 for d in s["days"]]
    card = [d["card_kopecks"] / 100 for d in s["days"]]
    ax.bar(days, cash, 0.8, color=CASH, label=t(lang, "stat_chart_cash"))
    ax.bar(days, card, 0.8, bottom=cash, color=CARD, label=t(lang, "stat_chart_card"))
    ax.set_title(t(lang, "stat_chart_money"))
    ax.legend(fontsize="small", loc="upper left")


def write_chart(path: Path, s: Stats, lang: str) -> Path:
    """The chart of `s` as a PNG of WIDTH_IN*DPI x HEIGHT_IN*DPI pixels at `path`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True)
    _parcels(top, s, lang)
    _money(bottom, s, lang)
    labels = [d["date"][5:] for d in s["days"]]  # MM-DD: the period's title gives the year
    step = max(1, len(labels) // 16)
    bottom.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, fontsize="small")
    for ax in (top, bottom):
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", alpha=0.3)
        ax.margins(y=0.1)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
    return path
