"""``/metrics``: a prometheus-client collector that turns one reading of the database
(kiosk/health.py, both processes' numbers) into metric families at scrape time, with the sync
errors this process has counted since it started."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from kiosk import health
from kiosk.metrics import HistogramSnapshot

PAPER_STATES = ("ok", "near-end", "out", "unknown")


class KioskCollector(Collector):
    def __init__(
        self, read: Callable[[], health.Reading], sync_errors: Callable[[], dict[str, int]], stale_s: float
    ) -> None:
        self.read = read
        self.sync_errors = sync_errors
        self.stale_s = stale_s

    def collect(self) -> Iterator[Metric]:
        reading = self.read()
        yield from _kiosk(reading, self.stale_s)
        yield from _journeys(reading)
        yield from _outbox(reading)
        yield from _compartments(reading)
        yield from _ui(reading)
        errors = CounterMetricFamily(
            "kiosk_sync_errors", "Failed sync rounds by the error's kind, since the sync started",
            labels=["kind"],
        )  # fmt: skip
        for kind, count in sorted(self.sync_errors().items()):
            errors.add_metric([kind], count)
        yield errors


def _gauge(name: str, doc: str, value: float | None) -> Iterator[Metric]:
    if value is not None:
        yield GaugeMetricFamily(name, doc, value=value)


def _kiosk(r: health.Reading, stale_s: float) -> Iterator[Metric]:
    info = InfoMetricFamily("kiosk_build", "The kiosk software's version")
    info.add_metric([], {"version": r.version})
    yield info
    yield GaugeMetricFamily(
        "kiosk_can_serve", "1 when /healthz answers 200: the kiosk can serve citizens",
        value=0 if health.problems(r, stale_s) else 1,
    )  # fmt: skip
    yield GaugeMetricFamily("kiosk_store_ok", "1 when the database can be read and written", value=int(
        r.store_problem is None))  # fmt: skip
    yield from _gauge("kiosk_store_free_bytes", "Free space where the database lives",
                      None if r.free_mb is None else r.free_mb * 1024 * 1024)  # fmt: skip
    flags = GaugeMetricFamily("kiosk_flag", "A condition that keeps the kiosk out of service", labels=["key"])
    for key in r.flags:
        flags.add_metric([health.label_value(key)], 1)
    yield flags


def _journeys(r: health.Reading) -> Iterator[Metric]:
    ended = CounterMetricFamily(
        "kiosk_journeys", "Journeys ended, by kind and outcome (the store's journey table)",
        labels=["kind", "outcome"],
    )  # fmt: skip
    for (kind, outcome), count in sorted(r.journeys.items()):
        ended.add_metric([kind, outcome], count)
    yield ended
    running = GaugeMetricFamily("kiosk_journeys_open", "Journeys in progress, by kind", labels=["kind"])
    for kind, count in sorted(r.open_journeys.items()):
        running.add_metric([kind], count)
    yield running


def _outbox(r: health.Reading) -> Iterator[Metric]:
    yield GaugeMetricFamily(
        "kiosk_outbox_depth", "Events not yet delivered to the backend", value=r.queue_depth
    )
    yield GaugeMetricFamily(
        "kiosk_outbox_oldest_age_seconds", "Age of the oldest undelivered event (0: none waiting)",
        value=r.oldest_undelivered_age_s or 0.0,
    )  # fmt: skip
    yield GaugeMetricFamily(
        "kiosk_dead_letters", "Events the backend rejected, kept whole", value=r.dead_letters
    )
    if r.last_success is not None and (when := health.parse_time(r.last_success)) is not None:
        yield GaugeMetricFamily(
            "kiosk_sync_last_success_timestamp_seconds", "When the backend last answered a round",
            value=when.timestamp(),
        )  # fmt: skip


def _compartments(r: health.Reading) -> Iterator[Metric]:
    free = GaugeMetricFamily(
        "kiosk_compartments_free", "Compartments a new item could be given, by size", labels=["size"]
    )
    for size, count in r.compartments.free.items():
        free.add_metric([size], count)
    yield free
    states = GaugeMetricFamily("kiosk_compartments", "Compartments in the config, by state", labels=["state"])
    c = r.compartments
    for state, count in (("in_service", c.in_service), ("out_of_service", c.out_of_service),
                         ("uncertain", c.uncertain)):  # fmt: skip
        states.add_metric([state], count)
    yield states
    up = GaugeMetricFamily("kiosk_device_up", "1 when the device answered when last read", labels=["device"])
    for name, device in r.devices.items():
        up.add_metric([name], int(device["answers"]))
    yield up


def _ui(r: health.Reading) -> Iterator[Metric]:
    """What only the touch screen's process knows, from its last snapshot (kiosk/metrics.py)."""
    yield from _gauge("kiosk_ui_snapshot_age_seconds", "Age of the touch screen's last snapshot", r.ui_age_s)
    ui = r.ui
    if ui is None:
        return
    yield _histogram("kiosk_unlock_latency_seconds", "Unlock frame sent to the board's proof that it opened",
                     ui.unlock_latency_seconds)  # fmt: skip
    yield _histogram("kiosk_door_open_seconds", "Unlock to the door read closed", ui.door_open_seconds)
    faults = CounterMetricFamily(
        "kiosk_device_faults", "Device errors by device and kind, since the touch screen started",
        labels=["device", "kind"],
    )  # fmt: skip
    for fault in ui.faults:
        faults.add_metric([fault.device, fault.kind], fault.count)
    yield faults
    paper = GaugeMetricFamily("kiosk_printer_paper", "The receipt printer's paper (1: the state it is in)",
                              labels=["state"])  # fmt: skip
    for state in PAPER_STATES:
        paper.add_metric([state], int(ui.printer_paper == state))
    yield paper
    yield from _gauge(
        "kiosk_ui_resident_memory_bytes", "The touch screen's resident memory", ui.resident_bytes
    )


def _histogram(name: str, doc: str, h: HistogramSnapshot) -> HistogramMetricFamily:
    return HistogramMetricFamily(name, doc, buckets=h.cumulative(), sum_value=h.sum)
