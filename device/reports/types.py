"""The JSON-able shapes of the reports: day, shift, parcel history."""

from __future__ import annotations

from typing import Any, TypedDict


class SupplyRow(TypedDict):
    """A supply with events in the window; counts are of the window's events."""

    supply: str
    carrier: str
    expected: int  # parcels its manifest lists (surplus not included)
    accepted: int  # accepted and accepted_late events
    missing: int
    surplus: int
    damaged: int


class ClerkRow(TypedDict):
    """One clerk's work in the window; `kinds` counts every event kind, known or not."""

    badge: str
    name: str
    accepted: int  # accepted, accepted_late and surplus
    placed: int
    issued: int
    refused: int
    customer_returns: int
    returned: int  # parcels handed back to the sender
    inventory: int  # inventory corrections (inventory_* events about one parcel)
    events: int
    kinds: dict[str, int]


class StationRow(TypedDict):
    """One station's work in the window (journal events carry the station they were scanned at)."""

    station: str
    accepted: int  # accepted, accepted_late and surplus
    placed: int
    issued: int
    refused: int
    customer_returns: int
    returned: int
    cod_kopecks: int  # cash on delivery taken at the station, cash and card
    events: int


class CodItem(TypedDict):
    ts: str
    order: str
    kopecks: int
    payment: str  # "cash" or "card"
    clerk: str | None
    station: str | None


class Cod(TypedDict):
    total_kopecks: int
    cash_kopecks: int
    card_kopecks: int
    orders: int  # completed issues with cash on delivery taken
    items: list[CodItem]


class EventRef(TypedDict):
    """A parcel event in a list: a refusal, a customer return, a parcel back to the sender."""

    ts: str
    parcel: str
    order: str | None
    clerk: str | None
    station: str | None


class Returns(TypedDict):
    customer: list[EventRef]
    to_sender: list[EventRef]


class WaitRow(TypedDict):
    parcel: str
    order: str | None
    accepted_at: str | None
    issued_at: str
    seconds: int | None  # never negative: a clock stepped back shows as 0 with clock_back
    hours: float | None
    clock_back: bool  # the issue is journalled before the acceptance: the device's clock went back


class Waits(TypedDict):
    """Acceptance to issue, over the parcels issued in the window whose acceptance is journaled.

    The figures count only waits with the clock going forward; `clock_back` counts the others.
    """

    count: int
    clock_back: int
    mean_hours: float | None
    median_hours: float | None
    max_hours: float | None
    parcels: list[WaitRow]


class ChannelRow(TypedDict):
    """Parcels of one channel that came into the point and went out of it in the window."""

    channel: str  # one of device.reports.stats.CHANNELS
    parcels_in: int
    parcels_out: int


class DayFigures(TypedDict):
    """One local day of the window: parcels in and out by channel, money taken."""

    date: str
    parcels_in: dict[str, int]  # channel -> parcels
    parcels_out: dict[str, int]
    cash_kopecks: int
    card_kopecks: int


class ClerkIssues(TypedDict):
    badge: str
    name: str
    orders: int  # completed issues (a customer served)
    parcels: int  # parcels handed over


class ReasonRow(TypedDict):
    reason: str  # a return reason code, or one of device.reports.stats refusal codes
    count: int


class TicketRow(TypedDict):
    """Exceptions of one kind: opened in the window, resolved in it, and open now."""

    kind: str
    opened: int
    resolved: int
    open_now: int


class Stats(TypedDict):
    """The owner's figures for a day, a week or a month."""

    channels: list[ChannelRow]
    days: list[DayFigures]
    issues: list[ClerkIssues]
    refusals: list[ReasonRow]
    tickets: list[TicketRow]
    cash_kopecks: int
    card_kopecks: int


class Sections(TypedDict):
    states: dict[str, int]
    supplies: list[SupplyRow]
    clerks: list[ClerkRow]
    stations: list[StationRow]
    cod: Cod
    refusals: list[EventRef]
    returns: Returns
    waits: Waits
    events: int


class DayReport(Sections):
    date: str
    stats: Stats


class PeriodReport(Sections):
    """Dates from .. to, both included, local at the site; `clerk`/`station` name a filter when set."""

    date_from: str
    date_to: str
    clerk: str | None
    station: str | None
    stats: Stats


class ShiftHeader(TypedDict):
    id: int
    badge: str
    clerk: str
    station: str
    opened_at: str
    closed_at: str | None
    until: str  # closed_at, or the time the report was made for a shift still open


class ShiftReport(Sections):
    shift: ShiftHeader


class Origin(TypedDict):
    """Where a parcel came from: its supply's manifest."""

    supply: str
    carrier: str | None
    version: int | None
    imported_at: str | None
    manifest_event_ts: str | None
    manifest_parcels: int | None


class HistoryEvent(TypedDict):
    seq: int
    ts: str
    kind: str
    from_state: str | None
    to_state: str | None
    clerk: str | None
    clerk_name: str | None
    station: str | None
    cell: str | None
    data: dict[str, Any]


class ParcelHistory(TypedDict):
    barcode: str
    kind: str
    order: str | None
    state: str
    cell: str | None
    origin: Origin | None
    events: list[HistoryEvent]


class History(TypedDict):
    """A barcode's history, or every parcel of an order when the code is an order number."""

    code: str
    by: str  # "parcel" or "order"
    parcels: list[ParcelHistory]
