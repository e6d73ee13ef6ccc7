"""The kiosk's one TOML config file, read with tomllib and validated at start.

Found at ``--config PATH``, else ``$KIOSK_CONFIG``, else /etc/kiosk/kiosk.toml. A bad file stops
the program with one message naming the file, each wrong key and what was expected. Sections for
devices a command does not use are optional.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from drivers.lockboard.protocols import CODECS
from kiosk import files
from kiosk.errors import ConfigError
from kiosk.office import BadOpening, Opening

DEFAULT_PATH = Path("/etc/kiosk/kiosk.toml")
CONFIG_ENV = "KIOSK_CONFIG"

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
PositiveMs = Annotated[int, Field(gt=0, le=60_000)]
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]  # "HH:MM", 24-hour


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class KioskSection(_Section):
    id: Name
    # where kiosk.db and the key live: made 0700 (2770 with group_shared), files in it 0600 (0660)
    data_dir: Annotated[str, Field(min_length=1, max_length=4096)]
    office: str = "Bộ phận Một cửa"  # printed at the top of every receipt
    # where a receipt's QR sends a citizen to track a dossier; {code} is the dossier code
    tracking_url: Annotated[str, Field(max_length=500)] = (
        "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?maHoSo={code}"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # the procedures a dossier can be handed in for without a code (TOML; relative to this file);
    # the shipped sample when not set
    procedures: Annotated[str, Field(min_length=1)] | None = None
    # two services (the UI and the sync, each its own user) share data_dir through the kiosk group
    group_shared: bool = False
    # below this much free space in data_dir, no new journey starts and an alarm is raised
    min_free_mb: Annotated[int, Field(ge=0, le=1_000_000)] = 64

    @model_validator(mode="after")
    def _tracking_url_is_a_plain_template(self) -> KioskSection:
        """Filled with every dossier's code (str.format): a stray brace, another field or a format
        spec ({code:>999999999}) would fail, or blow up, at a citizen's pickup, not here."""
        try:
            parsed = string.Formatter().parse(self.tracking_url)
            fields = [(name, spec, conv) for _, name, spec, conv in parsed if name is not None]
        except ValueError:
            fields = [("?", "", None)]
        if not self.tracking_url.startswith("https://") or fields != [("code", "", None)]:
            raise ValueError(
                f"kiosk.tracking_url: expected an https:// link with {{code}} once where the dossier code "
                f"goes, and no other {{…}}, got {self.tracking_url!r}"
            )
        return self


class BoardSection(_Section):
    address: Annotated[int, Field(ge=0, le=15)]
    # A normally-closed hook switch inverts the hook bit (protocols/lockboards.md).
    hook: Literal["normally-open", "normally-closed"] = "normally-open"


class BusSection(_Section):
    name: Name
    url: Annotated[str, Field(min_length=1)]
    protocol: Literal["cu48", "cu16"]
    baudrate: Literal[9600, 19200, 38400, 57600, 115200] = 19200
    reply_timeout_ms: PositiveMs = 150
    retries: Annotated[int, Field(ge=0, le=10)] = 2
    poll_interval_ms: PositiveMs = 50
    unlock_confirm_ms: PositiveMs = 1500
    unlock_attempts: Annotated[int, Field(ge=1, le=5)] = 2
    board: list[BoardSection] = []


class CompartmentSection(_Section):
    id: Annotated[str, Field(pattern=r"^[A-Z][0-9]{2,3}$")]
    bus: Name
    board: Annotated[int, Field(ge=0, le=15)]
    lock: Annotated[int, Field(ge=1, le=48)]  # 1-based, as printed on the board
    size: Literal["S", "M", "L"]
    position: Literal["low", "high"] = "high"  # low ones are offered to those who ask (access)


Height = Annotated[float, Field(gt=0, le=100)]


class HeightsSection(_Section):
    """How tall a door of each size is, in any one unit: only the proportions are drawn."""

    S: Height = 1.0
    M: Height = 2.0
    L: Height = 3.0

    @model_validator(mode="after")
    def _in_order(self) -> HeightsSection:
        if not self.S <= self.M <= self.L:
            raise ValueError(
                f"machine.heights: expected S ≤ M ≤ L, got S = {self.S:g}, M = {self.M:g}, L = {self.L:g}"
            )
        return self


class MachineSection(_Section):
    """How the machine looks from the front, for the map that shows a person the open door
    (kiosk/layout.py). Each compartment's id is its column's letter and its row's number."""

    # where the screen's own column stands, counted from the left with the compartment columns
    # (their letters in alphabetical order, left to right); unset: the middle
    screen_column: Annotated[int, Field(ge=1, le=27)] | None = None
    row_one: Literal["top", "bottom"] = "top"  # where each column's row 01 is
    column_width: Height = 3.0  # a column's width, in the unit of the heights
    heights: HeightsSection = HeightsSection()


class ScannerSection(_Section):
    url: Annotated[str, Field(min_length=1)]
    baudrate: Literal[9600, 19200, 38400, 57600, 115200] = 9600
    terminator: Literal["CR", "LF", "CRLF", "TAB"] = "CR"
    prefix: Annotated[str, Field(max_length=16)] = ""
    suffix: Annotated[str, Field(max_length=16)] = ""
    max_length: Annotated[int, Field(ge=16, le=4096)] = 512
    repeat_window_ms: Annotated[int, Field(ge=0, le=60_000)] = 1500
    idle_reset_ms: PositiveMs = 300


class CameraSection(_Section):
    source: int | Annotated[str, Field(min_length=1)]  # a device index, a video file or a stream URL
    decoder: Literal["zxing", "pyzbar"] = "zxing"
    width: Annotated[int, Field(ge=160, le=3840)] = 640
    height: Annotated[int, Field(ge=120, le=2160)] = 480
    idle_fps: Annotated[int, Field(ge=0, le=60)] = 5  # decoding rate cap while no code is in view
    repeat_window_ms: Annotated[int, Field(ge=0, le=60_000)] = 1500


class PrinterSection(_Section):
    url: Annotated[str, Field(min_length=1)]
    baudrate: Literal[9600, 19200, 38400, 57600, 115200] = 19200
    profile: str = "TM-T20II"  # a python-escpos (escpos-printer-db) profile name
    paper: Literal["80mm", "58mm"] = "80mm"
    # auto: TCVN-3 text where the profile has it, else user-defined characters
    vietnamese: Literal["auto", "text", "user-chars", "raster-lines", "raster"] = "auto"
    status_timeout_ms: PositiveMs = 500


Bin = Annotated[str, Field(pattern=r"^[0-9]{6}$")]  # a bank's BIN, as NAPAS numbers it
# an account or card number as VietQR carries it: letters and digits, at most 19
AccountNumber = Annotated[str, Field(pattern=r"^[0-9A-Za-z]{1,19}$")]


class BeneficiarySection(_Section):
    """Where the fees of some procedures go, when the province has more than one account."""

    procedures: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(min_length=1)]
    bin: Bin
    account: AccountNumber
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None  # shown under the QR


class FeesSection(_Section):
    """Fees paid at the kiosk (issue 14): the account a VietQR transfer goes to, and how long the
    kiosk waits for the bank's word. ``procedures`` in a [[fees.beneficiary]] name a result's
    procedure as the backend sends it (its name or its national code)."""

    bin: Bin
    account: AccountNumber
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None  # the account holder
    methods: Annotated[list[Literal["vietqr", "cash"]], Field(min_length=1)] = ["vietqr", "cash"]
    qr_wait_s: Annotated[float, Field(ge=60, le=1800)] = 300.0  # the QR screen waits this long
    poll_s: Annotated[float, Field(ge=1, le=60)] = 3.0  # the sync asks the backend this often
    beneficiary: list[BeneficiarySection] = []


class CashSection(_Section):
    """A bill validator speaking ITL's SSP (NV9 / NV10 / NV200), issue 14."""

    url: Annotated[str, Field(min_length=1)]
    protocol: Literal["ssp"] = "ssp"
    address: Annotated[int, Field(ge=0, le=0x7D)] = 0  # 0x7E and 0x7F are not addresses
    baudrate: Literal[9600, 19200, 38400] = 9600
    reply_timeout_ms: PositiveMs = 1000  # the manual's slave answers within about 1 s
    retries: Annotated[int, Field(ge=0, le=20)] = 3  # the same frame again, same sequence flag
    poll_interval_ms: PositiveMs = 200


Seconds = Annotated[float, Field(gt=0, le=86_400)]
MAX_HOLD_DAYS = 3650  # the contract's bound for a result's hold; a stored value past it is not trusted


class RulesSection(_Section):
    """The site's handover rules; every key is optional."""

    idle_timeout_s: Seconds = 60.0  # a person who stops touching the screen
    door_reminder_s: Seconds = 60.0
    door_alarm_s: Seconds = 120.0
    jam_retries: Annotated[int, Field(ge=0, le=10)] = 2  # other fitting compartments tried after a jam
    hold_days: Annotated[int, Field(ge=1, le=365)] = 14  # not picked up by then: listed for withdrawal
    # expiry reminders this many days before the end of the hold
    reminder_days: list[Annotated[int, Field(ge=1, le=365)]] = [3, 1]
    pin_tries: Annotated[int, Field(ge=1, le=20)] = 5
    pin_lockout_s: Seconds = 15 * 60
    kiosk_pin_failures: Annotated[int, Field(ge=1, le=1000)] = 20  # across all dossiers, per window
    kiosk_pin_window_s: Seconds = 10 * 60
    staff_failures: Annotated[int, Field(ge=1, le=1000)] = 10  # wrong staff PINs, any badges, per window
    staff_window_s: Seconds = 10 * 60
    # issue 13 (after): after a pickup or drop-off ends, its compartment may be opened once more
    # for this long ("Mở lại ngăn")
    reopen_grace_s: Seconds = 60.0
    # "the door did not open" believed (a compartment taken out of service) at most this many times
    # per window across the kiosk; beyond it a report is recorded and the person sent for help
    door_claims: Annotated[int, Field(ge=1, le=100)] = 3
    door_claims_window_s: Seconds = 24 * 3600
    # satisfaction ratings are reported in spans of whole hours holding at least this many ratings
    # (a day's last span whatever it holds), so no rating can be told apart by its time
    rating_min_group: Annotated[int, Field(ge=1, le=1000)] = 5

    @model_validator(mode="after")
    def _alarm_after_reminder(self) -> RulesSection:
        if self.door_alarm_s <= self.door_reminder_s:
            raise ValueError("rules: door_alarm_s must be longer than door_reminder_s")
        return self


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class BackendSection(_Section):
    """The provincial one-stop backend (sync/openapi.yaml)."""

    url: Annotated[str, Field(pattern=r"^https?://")]
    client_id: Annotated[str, Field(min_length=1, max_length=100)]
    # the secret lives in its own file (mode 600), never in this config: configs get copied around
    client_secret_file: Annotated[str, Field(min_length=1)]
    ca_bundle: str | None = None  # PEM of the CAs to trust; default: the system's
    client_cert: str | None = None  # PEM, for a backend that asks for a client certificate
    client_key: str | None = None
    connect_timeout_s: Annotated[float, Field(gt=0, le=120)] = 5.0
    read_timeout_s: Annotated[float, Field(gt=0, le=600)] = 15.0
    lookup_timeout_s: Annotated[float, Field(gt=0, le=30)] = 3.0  # a person waits at the screen
    max_backoff_s: Annotated[float, Field(ge=1, le=3600)] = 300.0
    batch_events: Annotated[int, Field(ge=1, le=100)] = 100
    batch_bytes: Annotated[int, Field(ge=4096, le=256 * 1024)] = 256 * 1024
    max_answer_bytes: Annotated[int, Field(ge=65536, le=64 * 1024 * 1024)] = 4 * 1024 * 1024
    idle_s: Annotated[float, Field(gt=0, le=600)] = 2.0  # between looks at an empty outbox
    assignments_s: Annotated[float, Field(gt=0, le=86_400)] = 60.0
    heartbeat_s: Annotated[float, Field(gt=0, le=86_400)] = 60.0

    @model_validator(mode="after")
    def _tls_unless_loopback(self) -> BackendSection:
        parts = urlsplit(self.url)
        if parts.scheme != "https" and parts.hostname not in LOOPBACK_HOSTS:
            raise ValueError(f"backend.url: {self.url} must be https (plain http only on loopback)")
        if (self.client_cert is None) != (self.client_key is None):
            raise ValueError("backend: client_cert and client_key go together")
        return self


class UiSection(_Section):
    """The touch screen."""

    orientation: Literal["portrait", "landscape"] = "portrait"  # 1080×1920 or 1920×1080
    language: Literal["vi", "en"] = "vi"  # what the idle screen starts in
    fullscreen: bool = True
    hide_cursor: bool = True  # a touch screen shows no pointer
    speech: bool = True  # read each screen aloud with espeak-ng (its Vietnamese voice), when installed
    # before any automatic return the screen counts down this long, offering more time: at least
    # 20 s to answer (WCAG 2.2.1), for a person who reads slowly or has walked to the door
    answer_s: Annotated[float, Field(ge=20, le=300)] = 30.0
    # a finished journey's "thank you", then idle (the last answer_s of it counted down)
    done_return_s: Annotated[float, Field(gt=0, le=600)] = 30.0
    # a screen carrying what the person needs (a proof, a code, a fee, a reference) stays until they
    # touch "Xong"; after this long untouched it goes back anyway (for the next person)
    proof_timeout_s: Annotated[float, Field(ge=60, le=3600)] = 300.0
    # a person who stops touching a screen that waits for them is asked after this long
    ask_more_time_s: Annotated[float, Field(ge=10, le=600)] = 40.0
    # staff who have no badge at hand: press and hold the top-left corner of the idle screen this
    # long, then touch the top-right corner (no citizen does that by accident)
    staff_hold_s: Annotated[float, Field(ge=2, le=30)] = 4.0
    # the darker theme from night_from until night_until, Vietnam time (UTC+7); the same time
    # twice: the day's theme at every hour
    night_from: ClockTime = "18:00"
    night_until: ClockTime = "06:00"


# shown to anyone at the screen: one line of text, no control characters (nor a newline to forge a line)
OneLine = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


class OfficeSection(_Section):
    """The one-stop office behind the kiosk: what its screens tell a person alone at the machine
    (the header, the help screen)."""

    name: OneLine | None = None  # the header's; kiosk.office when not set
    # the number help and the error screens give to call; ASCII digits, spaces and dots only
    hotline: Annotated[str, Field(pattern=r"^[0-9](?:[0-9 .]{0,18}[0-9])?$")] | None = None
    # when officers are at the counter: "mon-fri 07:30-11:30", local time
    hours: Annotated[list[str], Field(max_length=14)] = ["mon-fri 07:30-11:30", "mon-fri 13:30-17:00"]
    address: OneLine | None = None
    timezone: str = "Asia/Ho_Chi_Minh"  # the clock on the screen, and the opening hours

    @field_validator("hours")
    @classmethod
    def _hours_are_openings(cls, hours: list[str]) -> list[str]:
        for each in hours:
            try:
                Opening.parse(each)
            except BadOpening as exc:
                raise ValueError(f"office.hours: {exc}") from None
        return hours

    @field_validator("timezone")
    @classmethod
    def _a_known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"office.timezone: no time zone called {zone!r} (e.g. Asia/Ho_Chi_Minh)"
            ) from None
        return zone

    @property
    def openings(self) -> list[Opening]:
        return [Opening.parse(each) for each in self.hours]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


HEALTH_HOSTS = ("127.0.0.1", "::1")
UNPRIVILEGED_PORTS = 1024


class HealthSection(_Section):
    """The health endpoint (``/healthz``, ``/metrics``) that ``kiosk sync`` serves, on loopback only:
    what it says (the kiosk's state, queue, devices) is for this machine's monitoring agent, never
    for the street's network."""

    host: str = "127.0.0.1"  # 127.0.0.1 or ::1; nothing else is accepted
    port: Annotated[int, Field(ge=0, le=65535)] = 9108  # 0: not served (``kiosk health`` still works)
    # how often the touch screen's process publishes what only it knows (its liveness with it) …
    publish_s: Annotated[float, Field(ge=1, le=60)] = 5.0
    # … and how old that may be before /healthz says the screen is frozen or gone: longer than the
    # core's thread may be busy with one thing (a receipt in raster at 19200 baud takes 30 s)
    stale_s: Annotated[float, Field(gt=0, le=3600)] = 45.0

    @model_validator(mode="after")
    def _loopback_only(self) -> HealthSection:
        if self.host not in HEALTH_HOSTS:
            raise ValueError(
                f"health.host: the health endpoint is served on loopback only; expected "
                f"{' or '.join(HEALTH_HOSTS)}, got {self.host!r} (a monitoring agent on another machine "
                "reaches it through one on this machine, never through an open port)"
            )
        if 0 < self.port < UNPRIVILEGED_PORTS:
            raise ValueError(
                f"health.port: the sync runs without privileges and cannot listen on {self.port}; "
                f"expected {UNPRIVILEGED_PORTS}–65535, or 0 for no endpoint"
            )
        if self.stale_s < 3 * self.publish_s:
            raise ValueError(
                f"health.stale_s: expected at least three publish intervals (3 × publish_s = "
                f"{3 * self.publish_s:g} s), got {self.stale_s:g}"
            )
        return self

    @property
    def url(self) -> str | None:
        """Where the endpoint is, for a technician, the demo and the monitoring agent's config."""
        if not self.port:
            return None
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


class RetentionSection(_Section):
    """What the kiosk keeps and how much disk it may use (``kiosk maintain``, daily)."""

    # delivered events, audit rows, ended journeys and items gone older than this are archived to a
    # compressed file and pruned from the database
    archive_after_days: Annotated[int, Field(ge=1, le=3650)] = 90
    # where archives and backups go; relative to data_dir (the default: data_dir/archive, /backups)
    archive_dir: Annotated[str, Field(min_length=1, max_length=4096)] = "archive"
    backup_dir: Annotated[str, Field(min_length=1, max_length=4096)] = "backups"
    backups_kept: Annotated[int, Field(ge=1, le=365)] = 7  # one a day
    # the kiosk's own disk use (database, archives, backups): an alarm at alarm_percent of it, and at
    # it drop-offs are refused (pickups go on)
    max_disk_mb: Annotated[int, Field(ge=16, le=10_000_000)] = 2048
    alarm_percent: Annotated[int, Field(ge=10, le=99)] = 80


class KioskConfig(_Section):
    kiosk: KioskSection
    ui: UiSection = UiSection()
    office: OfficeSection = OfficeSection()
    retention: RetentionSection = RetentionSection()
    backend: BackendSection | None = None
    rules: RulesSection = RulesSection()
    bus: list[BusSection] = []
    compartment: list[CompartmentSection] = []
    machine: MachineSection = MachineSection()
    scanner: ScannerSection | None = None
    printer: PrinterSection | None = None
    camera: CameraSection | None = None
    fees: FeesSection | None = None
    cash: CashSection | None = None
    health: HealthSection = HealthSection()
    source: str = "<memory>"

    @property
    def office_name(self) -> str:
        return self.office.name or self.kiosk.office

    @property
    def data_dir(self) -> Path:
        return Path(self.kiosk.data_dir)

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / self.retention.archive_dir  # an absolute path stays as it is

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / self.retention.backup_dir

    @property
    def procedures_path(self) -> Path | None:
        if self.kiosk.procedures is None:
            return None
        # beside the config file; an absolute path stays as it is
        return Path(self.source).resolve().parent / self.kiosk.procedures

    def bus_named(self, name: str) -> BusSection:
        return next(b for b in self.bus if b.name == name)

    def boards_of(self, bus: str) -> list[int]:
        used = {c.board for c in self.compartment if c.bus == bus}
        return sorted(used | {b.address for b in self.bus_named(bus).board})

    @model_validator(mode="after")
    def _consistent(self) -> KioskConfig:
        problems = _cross_check(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self


UNIX_SOCKET_PATH_MAX = 107  # sun_path, less its terminating NUL


def _cross_check(cfg: KioskConfig) -> list[str]:
    problems: list[str] = []
    # the sync serves the touch screen's look-ups on data_dir/lookup.sock
    socket_path = os.fsencode(os.path.abspath(os.path.join(cfg.kiosk.data_dir, "lookup.sock")))
    if cfg.backend is not None and len(socket_path) > UNIX_SOCKET_PATH_MAX:
        problems.append(
            f"kiosk.data_dir: {len(socket_path) - 12} bytes long; with a [backend] it may be at most"
            f" {UNIX_SOCKET_PATH_MAX - 12} (the look-up socket lookup.sock lives in it)"
        )
    problems += _retention_problems(cfg)
    buses = {b.name: b for b in cfg.bus}
    problems += _duplicates("bus", [b.name for b in cfg.bus], "name")
    problems += _duplicates("compartment", [c.id for c in cfg.compartment], "id")
    for b in cfg.bus:
        problems += _duplicates(f"bus {b.name!r} board", [x.address for x in b.board], "address")
        limit = CODECS[b.protocol].max_boards
        problems += [
            f"bus {b.name!r} board.address: {b.protocol} boards are 0–{limit - 1}, not {x.address}"
            for x in b.board
            if x.address >= limit
        ]
    seen: dict[tuple[str, int, int], str] = {}
    for i, c in enumerate(cfg.compartment):
        key = f"compartment[{i}] ({c.id})"
        bus = buses.get(c.bus)
        if bus is None:
            problems.append(f"{key}.bus: no [[bus]] is named {c.bus!r}; expected one of {list(buses)}")
            continue
        codec = CODECS[bus.protocol]
        if c.board >= codec.max_boards:
            problems.append(f"{key}.board: {bus.protocol} boards are 0–{codec.max_boards - 1}, not {c.board}")
        if c.lock > codec.locks_per_board:
            problems.append(f"{key}.lock: {bus.protocol} locks are 1–{codec.locks_per_board}, not {c.lock}")
        other = seen.setdefault((c.bus, c.board, c.lock), c.id)
        if other != c.id:
            problems.append(
                f"{key}.lock: {c.id} and {other} are both on bus {c.bus} board {c.board} "
                f"lock {c.lock}; expected one compartment per lock"
            )
    return problems + _printer_problems(cfg.printer) + _machine_problems(cfg)


def _machine_problems(cfg: KioskConfig) -> list[str]:
    """The screen's column must stand somewhere among the compartments' columns, or beside them."""
    columns = sorted({c.id[0] for c in cfg.compartment})
    place = cfg.machine.screen_column
    if place is None or place <= len(columns) + 1:
        return []
    return [
        f"machine.screen_column: with {len(columns)} column(s) of compartments ({', '.join(columns)}) "
        f"the screen's column is 1–{len(columns) + 1} counted from the left, not {place}"
    ]


def _retention_problems(cfg: KioskConfig) -> list[str]:
    """Archives and backups each in a folder of their own: rotating backups deletes files there."""
    data = os.path.abspath(cfg.kiosk.data_dir)
    archive, backup = (os.path.abspath(p) for p in (cfg.archive_dir, cfg.backup_dir))
    problems = [
        f"retention.{key}: {path} is the data directory itself; expected a folder of its own"
        for key, path in (("archive_dir", archive), ("backup_dir", backup))
        if path == data
    ]
    if archive == backup:
        problems.append(f"retention.backup_dir: {backup} is also archive_dir; expected two folders")
    return problems


def _printer_problems(printer: PrinterSection | None) -> list[str]:
    if printer is None:
        return []
    from escpos.capabilities import CAPABILITIES  # 0.1 s to load: only when there is a printer

    profiles = CAPABILITIES["profiles"]
    if printer.profile not in profiles:
        return [
            f"printer.profile: no printer profile {printer.profile!r}; expected one of {sorted(profiles)}"
        ]
    pages = profiles[printer.profile].get("codePages", {}).values()
    if printer.vietnamese == "text" and "TCVN-3-1" not in pages:
        return [
            f"printer.vietnamese: profile {printer.profile} has no TCVN-3 code page; "
            'expected "auto", "user-chars", "raster-lines" or "raster"'
        ]
    return []


def _duplicates(what: str, values: list[Any], key: str) -> list[str]:
    seen: set[Any] = set()
    dups = [v for v in values if v in seen or seen.add(v)]  # type: ignore[func-returns-value]
    return [f"{what}.{key}: {v!r} appears more than once; expected each once" for v in dups]


def resolve_path(cli_path: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    if cli_path:
        return Path(cli_path)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    return DEFAULT_PATH


MAX_CONFIG_BYTES = 1024 * 1024  # a kiosk's config is a few kilobytes
MAX_DEPTH = 8  # tables in tables in lists: a kiosk's config needs four levels
TRAILING_INDEXES = re.compile(r"(\[[0-9]+\])+$")


def load(path: Path, *, create_data_dir: bool = True) -> KioskConfig:
    raw = read_toml(path, missing=f"file not found; pass --config PATH or set {CONFIG_ENV}")
    cfg = parse(raw, source=str(path))
    if create_data_dir:
        _ensure_data_dir(cfg)
    return cfg


def read_toml(path: Path, *, missing: str, what: str = "") -> dict[str, Any]:
    """A TOML file read as a hostile one may be written (the config, the procedure catalogue):
    bounded in size, nested no deeper than a kiosk needs, no control characters in any value;
    every problem a ``ConfigError`` naming the file and, where it can, the key."""
    data = b""
    try:
        data = files.read_regular(path, MAX_CONFIG_BYTES)
        if len(data) > MAX_CONFIG_BYTES:
            raise ConfigError(
                str(path), [f"{what}is larger than {MAX_CONFIG_BYTES:,} bytes; it should be a few KB"]
            )
        raw = tomllib.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), [missing]) from None
    except (OSError, UnicodeDecodeError, ValueError, files.FileModeError) as exc:
        # ValueError: a path with a NUL byte; TOMLDecodeError is one too, and says where
        bad = "is not valid TOML" if isinstance(exc, tomllib.TOMLDecodeError) else "cannot be read"
        raise ConfigError(str(path), [f"{what}{bad}: {exc}"]) from exc
    except RecursionError:
        raise ConfigError(
            str(path), [f"{_deep_key(data)}: nested too deeply (at most {MAX_DEPTH} levels)"]
        ) from None
    problems = _unsafe_values(raw)
    if problems:
        raise ConfigError(str(path), problems)
    return raw


def parse(raw: dict[str, Any], *, source: str = "<memory>") -> KioskConfig:
    if "source" in raw:
        raise ConfigError(source, ["source: unknown key"])
    try:
        return KioskConfig.model_validate({**raw, "source": source})
    except ValidationError as exc:
        raise ConfigError(source, explain(exc, raw)) from None


def _unsafe_values(raw: dict[str, Any]) -> list[str]:
    """What no key may hold, whatever its type: nesting deeper than a config needs, and text with
    control characters (a NUL in a path ends it early in the C library; a newline forges log lines)."""
    problems: set[str] = set()
    stack: list[tuple[str, Any, int]] = [(str(k), v, 1) for k, v in raw.items()]  # key, value, depth
    while stack:
        key, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.add(f"{TRAILING_INDEXES.sub('', key)}: nested too deeply (at most {MAX_DEPTH} levels)")
        elif isinstance(value, dict):
            stack += [(f"{key}.{k}", v, depth + 1) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(f"{key}[{i}]", v, depth + 1) for i, v in enumerate(value)]
        elif isinstance(value, str) and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            problems.add(
                f"{key}: contains a control character (a NUL byte, a newline, …); expected plain text"
            )
    return sorted(problems)


def _deep_key(data: bytes) -> str:
    """The key whose value is nested past what tomllib's parser can follow (it gives no position):
    the first line setting a key to more brackets than a config nests, under its table header."""
    table = b""
    for line in data.splitlines():
        header = re.fullmatch(rb"[ \t]*\[+([A-Za-z0-9_.\-]+)\]+[ \t]*", line)
        if header:
            table = header.group(1) + b"."
            continue
        setting = re.match(rb"[ \t]*([A-Za-z0-9_.\-\"]+)[ \t]*=(.*)", line)
        if setting and setting.group(2).count(b"[") + setting.group(2).count(b"{") > MAX_DEPTH:
            return (table + setting.group(1).strip(b'"')).decode("ascii", "replace")
    return "a value"


def _ensure_data_dir(cfg: KioskConfig) -> None:
    try:
        files.secure_dir(cfg.data_dir, cfg.kiosk.group_shared)
    except files.FileModeError as exc:
        raise ConfigError(cfg.source, [f"kiosk.data_dir: {exc}"]) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        problem = f"kiosk.data_dir: cannot create {cfg.data_dir}: {reason}"
        raise ConfigError(cfg.source, [problem]) from exc


# -- turning pydantic's errors into a technician's words -------------------------------------------

_EXPECTED = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key",
    "int_type": "expected a whole number",
    "string_type": "expected a text string in quotes",
    "list_type": "expected a list ([[…]] tables)",
    "model_type": "expected a table",
    "string_pattern_mismatch": "expected text matching {pattern}",
    "greater_than_equal": "expected a number of at least {ge}",
    "less_than_equal": "expected a number of at most {le}",
    "greater_than": "expected a number above {gt}",
    "string_too_short": "expected at least {min_length} character(s)",
    "string_too_long": "expected at most {max_length} characters",
}


def explain(exc: ValidationError, raw: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for err in exc.errors():
        if err["type"] == "value_error":  # our own cross-checks, already in words
            problems += str(err["ctx"]["error"]).splitlines()
            continue
        key = _key(err["loc"], raw)
        template = _EXPECTED.get(err["type"])
        words = template.format(**err.get("ctx", {})) if template else _lower(err["msg"])
        if err["type"] == "extra_forbidden":
            words += _allowed(err["loc"])
        elif err["type"] != "missing":
            words += f", got {err['input']!r}"
        problems.append(f"{key}: {words}")
    return problems


def _key(loc: tuple[int | str, ...], raw: dict[str, Any]) -> str:
    """``compartment[2] (A03).lock`` — the index as in the file, and the id where there is one."""
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int):
            node = node[item] if isinstance(node, list) and item < len(node) else None
            ident = node.get("id") or node.get("name") or node.get("key") if isinstance(node, dict) else None
            parts[-1] += f"[{item}]" + (f" ({ident})" if ident else "")
        else:
            node = node.get(item) if isinstance(node, dict) else None
            parts.append(str(item))
    return ".".join(parts)


def _allowed(loc: tuple[int | str, ...]) -> str:
    model: type[BaseModel] = KioskConfig
    for item in loc[:-1]:
        if isinstance(item, str):
            annotation = model.model_fields[item].annotation
            inner = getattr(annotation, "__args__", (annotation,))[0]
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                model = inner
    names = [n for n in model.model_fields if n != "source"]
    return f"; expected one of: {', '.join(names)}"


def _lower(msg: str) -> str:
    msg = msg.replace("Input should be", "expected")
    return msg[:1].lower() + msg[1:]
