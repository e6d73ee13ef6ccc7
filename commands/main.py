"""``kiosk``: the technician's command line. Exit 0 when all is well, 1 when the job failed,
2 when the config or the command line is wrong. Never a traceback for a problem a person can fix.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from commands import cash, health, holder, journey, maintain, printer, run, scan, staff, sync, vietqr
from drivers.errors import DeviceError
from drivers.lockboard.errors import DoorJammed, UnlockUnconfirmed
from kiosk import assembly, audit, config, flags, history, logs, migrations, rekey, retention
from kiosk.compartments import sync_from_config
from kiosk.config import KioskConfig
from kiosk.errors import ConfigError, KioskError
from kiosk.lockers import DoctorReport, Lockers
from kiosk.store import Store

OK, FAILED, USAGE = 0, 1, 2
# the long-running commands, whose lines go to the journal at [kiosk] log_level; the others log
# warnings only (or everything with -v), so a technician's terminal shows their answer
SERVICES = frozenset({"run", "sync"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Dossier kiosk controller.")
    where = f"else ${config.CONFIG_ENV}, else {config.DEFAULT_PATH}"
    parser.add_argument("--config", help=f"config file ({where})")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every frame on the buses")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("lockers", help="every compartment: hook, item sensor, what it holds")
    op = sub.add_parser("open", help="open one compartment for a technician (audited)")
    op.add_argument("compartment", help="compartment id, e.g. A01")
    op.add_argument("--reason", required=True, help="why it is opened; goes into the audit log")
    op.add_argument("--by", default=None, help="who opens it (default: the login name)")
    sub.add_parser("doctor", help="check that every bus and board answers")
    au = sub.add_parser("audit", help="the audit log")
    au.add_argument("action", choices=["verify"])
    au.add_argument("--archives", action="store_true", help="also walk the chain through every archive")
    sc = sub.add_parser("scenario", help="run a scripted journey file against the (simulated) devices")
    sc.add_argument("file", help="a scenario TOML file, e.g. examples/scenarios/load-and-pickup.toml")
    ke = sub.add_parser("key", help="replace a kiosk key that is lost for good (last resort)")
    ke.add_argument("action", choices=["replace"])
    ke.add_argument("--reason", help="why; goes into the audit log")
    ke.add_argument("--by", default=None, help="who replaces it (default: the login name)")
    hi = sub.add_parser("history", help="whether this database holds the kiosk's whole history")
    hi.add_argument("action", choices=["status", "confirm"])
    hi.add_argument("--reason", help="confirm: what the technician checked; goes into the audit log")
    hi.add_argument("--by", default=None, help="who confirms (default: the login name)")
    scan.add_parser(sub)
    staff.add_parser(sub)
    sync.add_parser(sub)
    run.add_parser(sub)
    printer.add_parser(sub)
    health.add_parser(sub)
    maintain.add_parser(sub)
    journey.add_parser(sub)
    vietqr.add_parser(sub)
    cash.add_parser(sub)
    holder.add_parser(sub)
    return parser


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(logging.DEBUG if args.verbose else logging.WARNING)
    if args.command == "vietqr":  # a codec's answer: no config, no database
        return vietqr.cmd_vietqr(args, out)
    try:
        cfg = config.load(config.resolve_path(args.config, os.environ))
    except KioskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE
    if args.verbose or args.command in SERVICES:  # a technician's command prints; a service logs
        logs.configure(logging.DEBUG if args.verbose else cfg.kiosk.log_level)
    try:
        store = assembly.open_store(cfg)
    except KioskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.command == "run":
            return run.out_of_service(cfg, exc)  # the screen says so instead of going black
        return FAILED
    try:
        sync_from_config(store, cfg)
        return COMMANDS[args.command](args, cfg, store, out)
    except (KioskError, DeviceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE if isinstance(exc, ConfigError) else FAILED  # e.g. the procedure catalogue
    finally:
        store.close()


def _with_lockers(
    run: Callable[[argparse.Namespace, Lockers, TextIO], int],
) -> Callable[[argparse.Namespace, KioskConfig, Store, TextIO], int]:
    @functools.wraps(run)
    def command(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
        if not cfg.bus:
            raise ConfigError(cfg.source, ["bus: no [[bus]] is configured; this command needs one"])
        with assembly.lockers_of(cfg, store) as lockers:
            return run(args, lockers, out)

    return command


@_with_lockers
def cmd_lockers(args: argparse.Namespace, lockers: Lockers, out: TextIO) -> int:
    header = ("ID", "BUS", "BOARD", "LOCK", "SIZE", "POS", "HOOK", "ITEM", "HOLDS", "SERVICE")
    rows: list[tuple[str, ...]] = [header]
    problems: dict[str, str] = {}
    uncertain: list[str] = []
    for r in lockers.survey():
        c = r.compartment
        holds = f"{c.holds_kind}: {c.holds}" if c.holds else "-"
        if c.holds_state == "uncertain":
            holds += " (UNCERTAIN)"
            uncertain.append(c.id)
        service = "in service" if c.in_service else f"OUT ({c.service_note or 'no note'})"
        place = (c.bus, str(c.board), str(c.lock), c.size, c.position)
        rows.append((c.id, *place, r.hook, r.item, holds, service))
        if r.problem:
            problems.setdefault(f"{c.bus} board {c.board}", r.problem)
    _table(rows, out)
    for where, problem in problems.items():
        print(f"! {where}: {problem}", file=out)
    raised = _print_flags(lockers.store, out)
    if uncertain:
        print(f"! {', '.join(uncertain)}: what is inside could not be proven after an interruption; "
              "an officer must open it and settle it (the settle journey)", file=out)  # fmt: skip
    return FAILED if problems or uncertain or raised else OK


def _print_flags(store: Store, out: TextIO) -> bool:
    """What keeps the kiosk from serving (kiosk/flags.py), each with what to do; True if any."""
    up = flags.all_flags(store)
    for flag in up:
        todo = {
            flags.HISTORY: "check every compartment, then: kiosk history confirm --reason '…'",
            flags.DISK_LOW: "free space on the kiosk's disk; it serves again by itself once there is room",
            flags.DISK_CAP: "move the archives to the office and delete them here (kiosk maintain --status)",
            flags.DISK_NEAR_CAP: "move the archives to the office before the cap is reached",
        }.get(flag.key, "")
        heading = {flags.DISK_CAP: "NO DROP-OFFS", flags.DISK_NEAR_CAP: "WARNING"}.get(
            flag.key, "OUT OF SERVICE"
        )
        print(f"! {heading} ({flag.key}: {flag.value}, since {flag.at}): {flag.detail}", file=out)
        if todo:
            print(f"  to do: {todo}", file=out)
    return bool(up)


@_with_lockers
def cmd_open(args: argparse.Namespace, lockers: Lockers, out: TextIO) -> int:
    cid = args.compartment.upper()
    reason = args.reason.strip()
    if not reason:
        raise KioskError("give a reason with --reason; it goes into the audit log")
    actor = f"technician:{args.by or getpass.getuser()}"
    try:
        proof = lockers.technician_open(cid, reason=reason, actor=actor)
    except DoorJammed:
        print(
            f"{cid} did not open: door jammed (the lock stayed locked). Check the lock and "
            f"take {cid} out of service until it is repaired.",
            file=sys.stderr,
        )
        return FAILED
    except UnlockUnconfirmed as exc:
        print(
            f"{cid} may be open but the board could not confirm it: {exc.cause}. "
            f"Look at the door before leaving the machine.",
            file=sys.stderr,
        )
        return FAILED
    except DeviceError as exc:
        print(f"{cid} did not open: {exc}", file=sys.stderr)
        return FAILED
    item = proof.has_item(lockers.compartment(cid).lock)
    sensed = "" if item is None else f" The item sensor reads {'an item' if item else 'empty'}."
    print(f"{cid} is open: the board reports its lock released.{sensed}", file=out)
    print("Close the door when you are done; the board will then read it locked.", file=out)
    return OK


@_with_lockers
def cmd_doctor(args: argparse.Namespace, lockers: Lockers, out: TextIO) -> int:
    report = lockers.doctor()
    _print_doctor(lockers, report, out)
    damage = lockers.store.integrity_problems()
    for problem in damage:
        print(f"DATABASE DAMAGED: {problem}", file=out)
    if damage:
        print("Restore kiosk.db from the latest backup (README: A damaged database).", file=out)
    raised = _print_flags(lockers.store, out)
    return OK if report.ok and not damage and not raised else FAILED


def _print_doctor(lockers: Lockers, report: DoctorReport, out: TextIO) -> None:
    cfg = lockers.cfg
    print(f"Kiosk {cfg.kiosk.id} (config {cfg.source})", file=out)
    for section in cfg.bus:
        print(f"Bus {section.name}: {section.protocol} at {section.url}, {section.baudrate} baud", file=out)
        if section.name in report.link_errors:
            print(f"  FAIL  {report.link_errors[section.name]}", file=out)
            continue
        for check in (c for c in report.checks if c.bus == section.name):
            if check.status is None:
                print(f"  FAIL  board {check.board}: {check.error}", file=out)
                continue
            s = check.status
            unlocked = [i + 1 for i, locked in enumerate(s.locked) if not locked]
            line = f"  ok    board {check.board}: answers; {len(unlocked)} of {len(s.locked)} locks unlocked"
            if s.item_present is not None:
                line += f", items sensed in {sum(s.item_present)}"
            print(line, file=out)
    problems = len(report.link_errors) + sum(1 for c in report.checks if c.error)
    print("All buses and boards answer." if report.ok else f"{problems} problem(s) found.", file=out)


def cmd_audit(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    report = audit.verify(store.db)
    version = migrations.current_version(store.db)
    print(f"Audit log of {cfg.kiosk.id}: {report.rows} rows (schema v{version}).", file=out)
    if report.archived:
        print(f"Rows 1–{report.archived} are in the archives; the chain here starts from row"
              f" {report.archived}'s hash.", file=out)  # fmt: skip
    problems = report.problems
    if args.archives:
        archives = retention.verify_archives(store, cfg)
        print(f"Archives: {archives.archives}, holding {archives.audit_rows} audit rows and"
              f" {archives.events} events.", file=out)  # fmt: skip
        problems = [*archives.problems, *problems]
    lost = history.problem(store)
    if lost is not None:
        # the chain in this file may be whole, but it is not the kiosk's whole history
        print(f"HISTORY {lost.value.upper()}: {lost.detail}", file=out)
        return FAILED
    if not problems:
        through = " through every archive" if args.archives else ""
        print(f"The chain is intact{through}: no row was edited or deleted.", file=out)
        return OK
    for problem in problems:
        print(f"TAMPERED: {problem}", file=out)
    return FAILED


def _table(rows: list[tuple[str, ...]], out: TextIO) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip(), file=out)


def cmd_scenario(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    from kiosk.scenario import Runner, ScenarioClock, load_steps

    scenario = load_steps(Path(args.file))
    clock = ScenarioClock()
    store.clock = clock
    with assembly.lockers_of(cfg, store) as lockers:
        core, settled = assembly.build_core(cfg, store, lockers)
        for one in settled:
            print(f"recovered: {one.kind} {one.state} -> {one.outcome}", file=out)
        return Runner(core, clock, out).run(scenario)


def cmd_history(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    if args.action == "status":
        lost = history.problem(store)
        if lost is None:
            print(
                "This database is the kiosk's own: its history is whole as far as the kiosk knows.", file=out
            )
            return OK
        print(f"HISTORY {lost.value.upper()} (since {lost.at}): {lost.detail}", file=out)
        print(
            "Citizens are not served until a technician confirms: kiosk history confirm --reason '…'",
            file=out,
        )
        return FAILED
    reason = (args.reason or "").strip()
    if not reason:
        raise KioskError("give a reason with --reason (what you checked); it goes into the audit log")
    actor = f"technician:{args.by or getpass.getuser()}"
    try:
        was = history.confirm(store, by=actor, reason=reason, group_shared=cfg.kiosk.group_shared)
    except ValueError as exc:
        raise KioskError(str(exc)) from exc
    if was is None:
        print("Nothing to confirm: the history was not flagged. The marker names this database.", file=out)
    else:
        print(
            f"Confirmed ({was.value}): this database is now the kiosk's own; citizens are served again.",
            file=out,
        )
    return OK


def cmd_key(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    reason = (args.reason or "").strip()
    if not reason:
        raise KioskError("give a reason with --reason (why the key could not be restored); it is audited")
    done = rekey.replace_key(store, by=f"technician:{args.by or getpass.getuser()}", reason=reason)
    print(f"A new kiosk key is in {cfg.data_dir / 'pickup-token.key'}.", file=out)
    if done.held:
        held = ", ".join(f"{code} ({compartment})" for code, compartment in done.held)
        print(f"{len(done.held)} held result(s) can no longer be picked up with the PIN or QR their "
              f"citizens have: {held}. An officer takes each out (settle) and loads it again, which "
              "sends a new PIN.", file=out)  # fmt: skip
    if done.staff:
        print(f"Enrol each member of staff again: kiosk staff add ID --name NAME --role ROLE "
              f"({', '.join(done.staff)})", file=out)  # fmt: skip
    return OK


COMMANDS: dict[str, Callable[[argparse.Namespace, KioskConfig, Store, TextIO], int]] = {
    "lockers": cmd_lockers,
    "open": cmd_open,
    "doctor": cmd_doctor,
    "audit": cmd_audit,
    "scan": scan.cmd_scan,
    "scenario": cmd_scenario,
    "staff": staff.cmd_staff,
    "sync": sync.cmd_sync,
    "run": run.cmd_run,
    "printer": printer.cmd_printer,
    "history": cmd_history,
    "key": cmd_key,
    "health": health.cmd_health,
    "maintain": maintain.cmd_maintain,
    "journey": journey.cmd_journey,
    "cash": cash.cmd_cash,
    "holder-key": holder.cmd_holder_key,
}
