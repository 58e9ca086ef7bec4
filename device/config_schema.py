"""The device config's schema: its TOML tables as typed, frozen structs with bounds and defaults."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from sync.topics import ID_PATTERN

Name = Annotated[str, msgspec.Meta(pattern=r"\A[a-z0-9][a-z0-9_-]{0,31}\Z")]
DeviceId = Annotated[str, msgspec.Meta(pattern=ID_PATTERN)]  # a site or device id: one topic level
# An even number of hex digits so that it is whole bytes; 32 digits = 128 bits at least.
HexKey = Annotated[str, msgspec.Meta(pattern=r"\A(?:[0-9a-fA-F]{2}){16,128}\Z")]
PathStr = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
UsbId = Annotated[int, msgspec.Meta(ge=0, le=0xFFFF)]
Pin = Annotated[int, msgspec.Meta(ge=0, le=63)]

# Every table below is frozen and forbids unknown fields, so a misspelt key is named.


class DeviceSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: DeviceId
    site: DeviceId
    # "station": a remote station of the site's main device ([site] main): its own scanners, printer,
    # lights and screen, no store; every input is decided by the main device over the site broker.
    role: Literal["counter", "kiosk", "hub", "station"] = "counter"
    language: Literal["ru", "en"] = "ru"
    # The site's time zone: deadlines are local dates, and the day turns at local midnight.
    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] = "Europe/Moscow"
    # The pickup point's address as the customer's receipt prints it; empty: not printed.
    address: Annotated[str, msgspec.Meta(max_length=200, pattern=r"\A[^\x00-\x1f\x7f-\x9f]*\Z")] = ""


class StoreSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    # A remote station (role "station") opens no store: the folder of `path` keeps its small files
    # (the print jobs' ids it printed, device/site_station/printing.py).
    path: PathStr = "/var/lib/pvz/pvz.db"
    # The full integrity check reads the whole file, so it runs this often and only while no
    # station has work open; 0 turns it off (the quick check at every start still runs).
    integrity_check_hours: Annotated[float, msgspec.Meta(ge=0, le=24 * 30)] = 24.0


class SecuritySection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pickup_key: HexKey

    def __repr__(self) -> str:
        # The site key must not end up in logs through a repr of the config.
        return "SecuritySection(pickup_key=<hidden>)"

    @property
    def pickup_key_bytes(self) -> bytes:
        return bytes.fromhex(self.pickup_key)


VendorProduct = Annotated[str, msgspec.Meta(pattern=r"\A[0-9a-fA-F]{4}:[0-9a-fA-F]{4}\Z")]


class ScannerConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A barcode scanner or a numeric keypad.

    evdev: `path` is a device path or a glob such as /dev/input/by-id/usb-*Honeywell*-event-kbd,
    or `device` = "vvvv:pppp" picks it by USB vendor and product. serial: `path` is the tty
    (a glob is allowed too). `keypad` marks typed input (codes, order numbers).
    """

    backend: Literal["script", "stdin", "evdev", "serial"]
    path: PathStr | None = None
    device: VendorProduct | None = None
    keypad: bool = False
    layout: Literal["us", "ru"] = "us"
    terminator: Literal["enter", "tab", "cr", "lf", "crlf"] | None = None
    prefix: Annotated[str, msgspec.Meta(max_length=16)] = ""
    suffix: Annotated[str, msgspec.Meta(max_length=16)] = ""
    # A scanner types a whole code within milliseconds; a slower gap means a person typing.
    max_gap_ms: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 60
    baudrate: Annotated[int, msgspec.Meta(ge=1200, le=921_600)] = 9600


class PrinterConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    backend: Literal["sim", "file", "usb", "serial", "network"] = "sim"
    out_dir: PathStr | None = None
    profile: str | None = None
    path: PathStr | None = None
    host: str | None = None
    port: Port = 9100
    vendor_id: UsbId | None = None
    product_id: UsbId | None = None
    baudrate: Annotated[int, msgspec.Meta(ge=1200, le=921_600)] = 19200
    # A printer that takes no data this long fails the job (it stays queued) instead of hanging.
    timeout_s: Annotated[float, msgspec.Meta(gt=0, le=120)] = 10.0


class SignalConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A status light (three GPIO pins: green, amber, red) or a buzzer (one pin); or simulated."""

    backend: Literal["sim", "gpio"] = "sim"
    pin: Pin | None = None
    pins: Annotated[list[Pin], msgspec.Meta(min_length=3, max_length=3)] | None = None


class Station(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Name
    scanners: Annotated[list[ScannerConfig], msgspec.Meta(min_length=1)]
    # "counter": a clerk signs in and works every workflow; "kiosk": customers collect their own
    # prepaid orders with no clerk (workflows/kiosk.py). Without it, the device's role says.
    kind: Literal["counter", "kiosk"] | None = None
    # The language of this station's screen and messages; without it, the device's.
    language: Literal["ru", "en"] | None = None
    printer: PrinterConfig = msgspec.field(default_factory=PrinterConfig)
    status_light: SignalConfig = msgspec.field(default_factory=SignalConfig)
    buzzer: SignalConfig = msgspec.field(default_factory=SignalConfig)
    # The id of the video camera that sees this station, named in every ticket opened here so that a
    # dispute finds its video; empty: no camera.
    camera: Annotated[str, msgspec.Meta(max_length=64, pattern=r"\A[^\x00-\x1f\x7f-\x9f]*\Z")] = ""


class LightsSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The cell lights: one GPIO pin per cell (`pins[channel]`), or a 74HC595 chain on three pins."""

    backend: Literal["sim", "gpio", "shift"] = "sim"
    # gpiozero pin factory: "auto" picks lgpio on a Pi 5 and RPi.GPIO on a Pi 3/4.
    pin_factory: Literal["auto", "rpigpio", "lgpio", "mock"] = "auto"
    pins: list[Pin] = msgspec.field(default_factory=list)
    data_pin: Pin | None = None
    clock_pin: Pin | None = None
    latch_pin: Pin | None = None
    registers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    # A light nobody turned off goes dark after this long.
    timeout_s: Annotated[float, msgspec.Meta(gt=0, le=86_400)] = 300.0


class RackSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    file: PathStr | None = None


class IssueSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Issue at the counter: what releases an order, and how wrong pickup codes are limited."""

    # An order found by its number alone is shown; "never" releases it without its code or QR,
    # "id_check" also after an ID check the clerk confirms by scanning ID CHECKED (journalled).
    release_by_number: Literal["never", "id_check"] = "never"
    # Wrong codes in a row at one station before it pauses codes; the pause doubles with every
    # further wrong code up to the cap. A right code clears the run.
    max_wrong_codes: Annotated[int, msgspec.Meta(ge=1, le=100)] = 5
    pause_s: Annotated[int, msgspec.Meta(ge=1, le=3600)] = 30
    max_pause_s: Annotated[int, msgspec.Meta(ge=1, le=86_400)] = 900


class LockBoard(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One lock-control board on the RS-485 bus: its address (DIP switches) and model."""

    address: Annotated[int, msgspec.Meta(ge=0, le=255)]
    # cu16: Kerong KR-CU16 (16 locks, 0x30 status, 0x31 open); cu48: the 48-lock variant (0x60, 0x61).
    model: Literal["cu16", "cu48"] = "cu16"
    # The cells' infrared occupancy sensors are fitted and wired to this CU16 (the CU48 reports none).
    # Off, the doors report no occupancy: an unwired sensor would read "empty" and confirm a taking.
    infrared: bool = False


class DoorsSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The locker's doors (drivers/doors/): cells in `zone` have a door, numbered by their light channel.

    kerong: lock-control boards sharing one RS-485 bus on `port`; doors are numbered from 0 across
    `boards` in their order (board 1's 16 locks are doors 0-15, the next board's follow).
    gpio: a relay per door (`relay_pins[door]`), a door sensor per door (`sensor_pins`, empty: none)
    and, where fitted, an occupancy sensor per cell (`occupancy_pins`).
    """

    # "station": the locker's boards are wired to a remote station's Pi ([site] stations, `station`
    # below): the main device drives them through that station over the site broker.
    backend: Literal["none", "sim", "kerong", "gpio", "station"] = "none"
    station: Name | None = None  # backend "station": the remote station whose Pi drives the doors
    zone: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] = "locker"
    count: Annotated[int, msgspec.Meta(ge=0, le=1024)] = 0  # sim: how many doors
    # sim: a simulated customer empties and shuts each door a pulse opened this long after (0: off,
    # doors move only as a caller scripts them). For a sim locker run by `pvz run` (`pvz demo --site`).
    sim_take_after_s: Annotated[float, msgspec.Meta(ge=0, le=3600)] = 0.0
    port: PathStr | None = None
    baudrate: Annotated[int, msgspec.Meta(ge=1200, le=921_600)] = 19200
    boards: list[LockBoard] = msgspec.field(default_factory=list)
    pin_factory: Literal["auto", "rpigpio", "lgpio", "mock"] = "auto"
    relay_pins: list[Pin] = msgspec.field(default_factory=list)
    sensor_pins: list[Pin] = msgspec.field(default_factory=list)
    occupancy_pins: list[Pin] = msgspec.field(default_factory=list)
    relay_active_high: bool = True
    pulse_s: Annotated[float, msgspec.Meta(gt=0, le=10)] = 0.5  # how long a relay holds a lock open
    # A door whose sensor does not read open this long after the pulse is jammed.
    opened_within_s: Annotated[float, msgspec.Meta(gt=0, le=60)] = 3.0
    # A door left open this long raises an alert (and keeps its state until it closes).
    left_open_alert_s: Annotated[float, msgspec.Meta(gt=0, le=86_400)] = 120.0
    poll_s: Annotated[float, msgspec.Meta(ge=0.01, le=5)] = 0.2  # how often the sensors are read
    # An open command not executed within this long after it was decided is never executed.
    command_expiry_s: Annotated[float, msgspec.Meta(gt=0, le=600)] = 20.0


class KioskSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Self-service: wrong codes per kiosk, how long a customer may take, what is kept about customers."""

    # Wrong codes in a row before the keypad locks for `lock_s`; each further lock doubles, to the cap.
    max_wrong_codes: Annotated[int, msgspec.Meta(ge=1, le=100)] = 3
    lock_s: Annotated[int, msgspec.Meta(ge=1, le=86_400)] = 300
    max_lock_s: Annotated[int, msgspec.Meta(ge=1, le=7 * 86_400)] = 86_400
    # The lock level is forgotten only after this many quiet hours, not by a right code.
    forget_after_h: Annotated[float, msgspec.Meta(gt=0, le=24 * 30)] = 24.0
    # A customer who stops answering (an open shelf, scanning parcels) is timed out after this.
    idle_s: Annotated[float, msgspec.Meta(ge=10, le=3600)] = 120.0
    # Speak prompts through espeak-ng on this ALSA device; empty: no speaker.
    speaker: Annotated[str, msgspec.Meta(max_length=128)] = ""


class SendSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Customers' sends from the point: central's key that signs their QR codes, the limits, the scale."""

    # Central's Ed25519 public key, base64 of the raw 32 bytes; empty: this point takes no sends.
    public_key: Annotated[str, msgspec.Meta(max_length=64)] = ""
    max_weight_g: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 15_000
    max_sides_sum_cm: Annotated[int, msgspec.Meta(ge=3, le=1000)] = 180
    max_side_cm: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 120
    # The counter's scale: "none" (the weight is typed), "serial" (the ST/US line protocol), "sim".
    scale: Literal["none", "serial", "sim"] = "none"
    scale_path: Annotated[str, msgspec.Meta(max_length=256)] = ""
    scale_baudrate: Annotated[int, msgspec.Meta(ge=1200, le=115_200)] = 9600


class UpdateSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Software updates (device/update/): the release key's public half, where packages are kept."""

    # The Ed25519 key of `pvz-central pki release-key`, base64 of the raw 32 bytes; empty: no updates.
    public_key: Annotated[str, msgspec.Meta(max_length=64)] = ""
    # The running version's .deb and the one before it, root's alone (installed on a rollback without
    # another check, so the daemon must not write there); relative paths are to this file.
    keep_dir: PathStr = "/var/lib/pvz-update"
    # The daemon's: the release it hands to the installer, the outcome, its mark of a healthy start.
    handoff_dir: PathStr = "/var/lib/pvz/releases"
    # READY and one good status after the restart within this, or the previous version comes back.
    health_deadline_s: Annotated[float, msgspec.Meta(ge=10, le=3600)] = 120.0
    # Who runs the installer for a release from MQTT: "systemd" (pvz-update.path starts the root unit
    # pvz-update.service, which outlives the daemon's restart), "sim" (records it, installs nothing).
    launcher: Literal["systemd", "sim"] = "systemd"


class PrivacySection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    # A customer's masked name and phone ending are erased this many days after the last parcel of
    # the order was issued, returned or went missing.
    purge_after_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 30


class TicketsSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A ticket's evidence window: this many seconds of video before and after its moment."""

    evidence_before_s: Annotated[int, msgspec.Meta(ge=0, le=3600)] = 120
    evidence_after_s: Annotated[int, msgspec.Meta(ge=0, le=3600)] = 60


class PrintSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    width: Annotated[int, msgspec.Meta(ge=24, le=80)] = 42


class ClerkConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A clerk's badge (the barcode on it) and the name printed on reports."""

    badge: Annotated[str, msgspec.Meta(min_length=4, max_length=64, pattern=r"\A[!-~]+\Z")]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class ReturnsSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    window_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 14


class MqttSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The broker the device syncs through; without `host` the device works offline only."""

    host: str | None = None
    port: Port = 8883
    keepalive_s: Annotated[int, msgspec.Meta(ge=5, le=3600)] = 30
    # TLS with a client certificate per device (see docs/security.md); paths relative to this file.
    ca_file: PathStr | None = None
    cert_file: PathStr | None = None
    key_file: PathStr | None = None
    telemetry_s: Annotated[float, msgspec.Meta(ge=1, le=3600)] = 60.0


class ScreenSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The local screen: a web page per station served by the daemon (device/screen/).

    `listen` is "host:port" ("[::1]:8080" for IPv6), or "off" for no server. On a loopback host
    only this machine's own browser (the HDMI kiosk) reaches it; on any other address every
    client from another machine needs a paired station token (device/screen/auth.py).
    """

    listen: Annotated[
        str, msgspec.Meta(pattern=r"\A(?:off|\[[0-9a-fA-F:.]+\]:\d{1,5}|[A-Za-z0-9.-]+:\d{1,5})\Z")
    ] = "127.0.0.1:8080"


class RemoteStation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A station of this (main) device that runs on a Pi of its own at the site (role "station")."""

    name: Name  # the station's name, as the station device's own [[stations]] entry names it
    device: DeviceId  # the station device's id: its topics on the site broker, its certificate
    kind: Literal["counter", "kiosk"] | None = None
    language: Literal["ru", "en"] | None = None
    camera: Annotated[str, msgspec.Meta(max_length=64, pattern=r"\A[^\x00-\x1f\x7f-\x9f]*\Z")] = ""
    # The python-escpos profile of the station's printer: the main device renders its bytes.
    printer_profile: str | None = None


class SiteSection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One site, several devices (docs/site.md): the main device holds the store and the rack, each
    remote station sends its inputs to it over the site broker ([mqtt] host) and shows the answers."""

    # On a remote station (role "station"): the main device's id.
    main: DeviceId | None = None
    # On the main device: its remote stations.
    stations: list[RemoteStation] = msgspec.field(default_factory=list)
    # A station shows "waiting for the main device" when an answer takes longer than this.
    reply_wait_s: Annotated[float, msgspec.Meta(ge=0.05, le=30)] = 1.0
    # An input not answered within this long is given up at the station (the clerk is told to scan
    # again) and refused by the main device if it arrives later: no old scan is ever replayed.
    replay_window_s: Annotated[float, msgspec.Meta(ge=1, le=3600)] = 30.0
    # How long the main device waits for a remote station to say a job printed, or a door answered.
    print_timeout_s: Annotated[float, msgspec.Meta(gt=0, le=120)] = 15.0
    door_timeout_s: Annotated[float, msgspec.Meta(gt=0, le=30)] = 3.0
    # How long the main device keeps the answers it gave, to answer a retried input the same way.
    keep_answers_h: Annotated[float, msgspec.Meta(ge=1, le=24 * 30)] = 48.0
    # On a remote station: the main device's screen server ("http://10.0.0.2:8080"), whose page for
    # this station the station's own screen shows (device/site/station_screen.py), and the station
    # token `pvz screen pair --station <name>` made for it there (needed unless the main device's
    # screen listens on loopback only). Without `main_screen` the station serves no screen.
    main_screen: (
        Annotated[str, msgspec.Meta(pattern=r"\Ahttps?://[A-Za-z0-9.:\[\]-]+(?::\d{1,5})?/?\Z")] | None
    ) = None
    main_screen_token: Annotated[str, msgspec.Meta(pattern=r"\A[A-Za-z0-9_-]{16,128}\Z")] | None = None


class Config(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    device: DeviceSection
    # Required, except on a remote station (role "station"), which decides nothing and must not hold the key.
    security: SecuritySection | None = None
    stations: list[Station] = msgspec.field(default_factory=list)
    store: StoreSection = msgspec.field(default_factory=StoreSection)
    lights: LightsSection = msgspec.field(default_factory=LightsSection)
    rack: RackSection = msgspec.field(default_factory=RackSection)
    issue: IssueSection = msgspec.field(default_factory=IssueSection)
    print: PrintSection = msgspec.field(default_factory=PrintSection)
    returns: ReturnsSection = msgspec.field(default_factory=ReturnsSection)
    mqtt: MqttSection = msgspec.field(default_factory=MqttSection)
    clerks: list[ClerkConfig] = msgspec.field(default_factory=list)
    screen: ScreenSection = msgspec.field(default_factory=ScreenSection)
    doors: DoorsSection = msgspec.field(default_factory=DoorsSection)
    kiosk: KioskSection = msgspec.field(default_factory=KioskSection)
    privacy: PrivacySection = msgspec.field(default_factory=PrivacySection)
    send: SendSection = msgspec.field(default_factory=SendSection)
    update: UpdateSection = msgspec.field(default_factory=UpdateSection)
    tickets: TicketsSection = msgspec.field(default_factory=TicketsSection)
    site: SiteSection = msgspec.field(default_factory=SiteSection)
