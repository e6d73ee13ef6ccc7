"""The soak's end (tests/soak.py): what the kiosk wrote, in its database and its archives, read
back against what the backend applied; the audit chain through every archive; the logs scanned
for citizen data; the figures as a table and ``report.json``."""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import assembly, config, flags, retention
from tests.logscan import CitizenData, leaks, log_lines
from tests.soak_day import SMS

if TYPE_CHECKING:
    from tests.soak import Soak

MB = 1024 * 1024


def rows(db: Any, table: str) -> list[dict[str, Any]]:
    cursor = db.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def count(db: Any, table: str) -> int:
    return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def kiosk_side(root: Path) -> dict[str, Any]:
    """Every event and journey the kiosk ever wrote (archives and database), and its state now."""
    cfg = config.load(root / "kiosk.toml")
    store = assembly.open_store(cfg)
    try:
        db = store.db
        return {
            "events": [*retention.archived(store, cfg, "outbox"), *rows(db, "outbox")],
            "journeys": [*retention.archived(store, cfg, "journey"), *rows(db, "journey")],
            "flags": [f"{f.key}: {f.value}" for f in flags.all_flags(store)],
            "open_journeys": db.execute("SELECT COUNT(*) FROM journey WHERE ended_at IS NULL").fetchone()[0],
            "mid_handover": db.execute(
                "SELECT COUNT(*) FROM item WHERE state IN ('placing', 'releasing')"
            ).fetchone()[0],
            "rows_now": {t: count(db, t) for t in ("audit_log", "outbox", "journey", "item")},
            "archives": db.execute("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM archive").fetchone(),
            "archive_dir": cfg.archive_dir,
            "backup_dir": cfg.backup_dir,
        }
    finally:
        store.close()


def kiosk_command(root: Path, *args: str) -> tuple[int, str]:
    argv = [sys.executable, "-m", "commands", "--config", str(root / "kiosk.toml"), *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    (root / "logs" / f"kiosk-{'-'.join(a.strip('-') for a in args)}.log").write_text(done.stderr)
    return done.returncode, done.stdout


def delivery(ours: list[dict[str, Any]], theirs: list[dict[str, Any]], stats: dict[str, int],
             sms: list[dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    """Every event of the kiosk applied once by the backend, none it did not write."""
    applied = {e["uuid"]: e for e in theirs}
    seqs = sorted(e["seq"] for e in ours)
    lost = [e["uuid"] for e in ours if e["uuid"] not in applied]
    wrong = [u for e in ours if (u := e["uuid"]) in applied and (applied[u]["seq"], applied[u]["kind"]) != (
        e["seq"], e["kind"])]  # fmt: skip
    accepted = [e for e in theirs if e["status"] == "accepted"]
    loaded = collections.Counter(e["dossier_code"] for e in accepted if e["kind"] == "result-loaded")
    texts = collections.Counter(m[1] for s in sms if (m := SMS.match(s["text"])))
    sms_twice = sum(max(0, n - loaded[code]) for code, n in texts.items())
    return {
        "events written": len(ours),
        "events delivered": sum(1 for e in ours if e["delivered_at"] is not None),
        "lost": len(lost),
        "duplicates applied": stats.get("applied", 0) - len(accepted) + sms_twice,
        "resent, answered duplicate (not applied)": stats.get("duplicates", 0),
        "rejected": sum(1 for e in theirs if e["status"] != "accepted"),
        "events the kiosk never wrote": len(set(applied) - {e["uuid"] for e in ours}),
        "sequence gapless": seqs == list(range(1, len(seqs) + 1))
        and len({e["uuid"] for e in ours}) == len(ours),
        "applied as written": not wrong,
    }


def citizens(soak: Soak, ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> CitizenData:
    data = CitizenData()
    for d in range(soak.plan.days):
        for result in soak.plan.results(d):
            data.add(name=result.citizen)
        for deposit in soak.plan.deposits(d):
            data.add(phone=deposit.phone)
    for event in theirs:
        payload = event["payload"]
        if event["kind"] == "result-loaded":
            data.add(pin=payload.get("pin", ""), token=payload.get("token", ""))
    for event in ours:
        if event["kind"] == "result-picked-up":
            data.add(code=event["dossier_code"])
    return data


def ledger(root: Path) -> dict[str, collections.Counter[str]]:
    found: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for line in (root / "ledger.jsonl").read_text().splitlines():
        entry = json.loads(line)
        for key in ("fault", "recovered", "receipt", "refused"):
            if key in entry:
                found[key][entry[key]] += 1
    return found


def check_and_report(soak: Soak, undelivered: int, wall_s: float, args: argparse.Namespace) -> int:
    root = soak.root
    verify_status, verified = kiosk_command(root, "audit", "verify", "--archives")
    ours = kiosk_side(root)
    theirs = soak_backend(soak)
    sent = delivery(ours["events"], theirs["events"], theirs["stats"], theirs["sms"])
    data = citizens(soak, ours["events"], theirs["events"])
    found = leaks(log_lines(soak.logs), data)
    kinds = ("names", "phones", "pins", "tokens", "codes")
    (root / "citizens.json").write_text(json.dumps({k: sorted(getattr(data, k)) for k in kinds}))
    book = ledger(root)
    journeys = collections.Counter(j["kind"] for j in ours["journeys"])
    outcomes = collections.Counter(
        f"{j['kind']} {j['outcome']}" for j in ours["journeys"] if j["kind"] in ("load", "dropoff", "pickup")
    )
    faults = collections.Counter(book["fault"]) + soak.faults
    problems = list(soak.problems)
    checks = {
        "lost": sent["lost"] + undelivered == 0,
        "duplicates applied": sent["duplicates applied"] == 0,
        "rejected": sent["rejected"] == 0,
        "events the kiosk never wrote": sent["events the kiosk never wrote"] == 0,
        "sequence gapless": sent["sequence gapless"],
        "applied as written": sent["applied as written"],
        "audit chain through every archive": verify_status == 0,
        "no flag up": not ours["flags"],
        "no journey open, no item mid-handover": ours["open_journeys"] == ours["mid_handover"] == 0,
        "no citizen data in any log line": not found,
    }
    problems += [f"check failed: {name}" for name, ok in checks.items() if not ok]
    problems += [f"log leak: {line}" for line in found[:20]]
    if verify_status:
        problems.append("kiosk audit verify --archives: " + verified.strip().replace("\n", " | "))
    first, last = soak.rss_kb[0], soak.rss_kb[-1]
    archives, archive_bytes = ours["archives"]
    backups = sorted(ours["backup_dir"].glob("kiosk-*.db"))
    report = {
        "days": soak.plan.days, "dossiers a day": soak.plan.per_day,
        "journeys": sum(journeys.values()), "journeys by kind": dict(sorted(journeys.items())),
        "handovers by outcome": dict(sorted(outcomes.items())),
        "faults injected": sum(faults.values()), "faults by kind": dict(sorted(faults.items())),
        "recovered at restart": dict(sorted(book["recovered"].items())),
        "receipts not printed (paper out)": book["receipt"]["not printed"],
        **{k: v for k, v in sent.items() if not isinstance(v, bool)},
        "undelivered at the end": undelivered,
        "core RSS at start (day 1) MB": round(first[2] / 1024, 1),
        "core RSS at end MB": round(last[2] / 1024, 1),
        "core RSS by day MB": [round(kb / 1024, 1) for _, _, kb in soak.rss_kb],
        "core process by day": [start for _, start, _ in soak.rss_kb],  # which start of it ran the day
        "core process started": soak.procs["core"].starts,
        "database MB after each day": [round(x, 2) for x in soak.db_mb],
        "database MB at end": round(soak.db_mb[-1], 2),
        "largest write-ahead log MB": round(max(soak.wal_mb), 2),
        "rows in the database at end": ours["rows_now"],
        "archives": archives, "archive MB": round(archive_bytes / MB, 2),
        "backups kept": len(backups), "backup MB": round(sum(p.stat().st_size for p in backups) / MB, 2),
        "log lines scanned": len(log_lines(soak.logs)), "citizen values looked for": len(data),
        "CPU s by process": {name: round(p.cpu_now(), 1) for name, p in soak.procs.items()}
        | {"maintain": round(soak.maintain_cpu_s, 1)},
        "wall time s": round(wall_s, 1), "checks": checks, "problems": problems,
    }  # fmt: skip
    (root / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print_table(report)
    return 1 if problems else 0


def soak_backend(soak: Soak) -> dict[str, Any]:
    import requests

    def get(what: str, **params: str) -> Any:
        answer = requests.get(f"{soak.backend_url}/_admin/{what}", params=params, timeout=60)
        answer.raise_for_status()
        return answer.json()

    return {
        "events": get("events", kiosk_id="HG-VT-01")["events"],
        "stats": get("stats"),
        "sms": get("sms")["sms"],
    }


def print_table(report: dict[str, Any]) -> None:
    print("| what | figure |\n|---|---|")
    for key, value in report.items():
        if key in (
            "checks",
            "problems",
            "core RSS by day MB",
            "core process by day",
            "database MB after each day",
        ):
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
        print(f"| {key} | {value} |")
    print(f"\ndatabase MB after each day: {report['database MB after each day']}")
    print(f"core RSS MB by day: {report['core RSS by day MB']}")
    print(f"core process (its start) by day: {report['core process by day']}")
    for name, ok in report["checks"].items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    for problem in report["problems"]:
        print(f"PROBLEM: {problem}")
