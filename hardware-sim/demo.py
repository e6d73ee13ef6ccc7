"""``make demo``: the simulated lock bus and a scripted technician session against it.

Copies the example config with only the bus URL (and the data folder) changed, starts
``kiosk-sim lockboard`` on a pty, then runs the real ``kiosk`` commands a technician would: check
every board, list the compartments, open a few, meet a jammed lock and a silent board, and verify
the audit log. Exits 0 only when every step ended as expected.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from hardware_sim.control import ControlClient


@dataclass(frozen=True)
class Step:
    say: str
    argv: tuple[str, ...] = ()  # a kiosk command; empty when the step acts on the simulator
    ctl: tuple[str, ...] = ()  # a simulator control command
    expect: int = 0


def steps(locks: dict[str, tuple[int, int]]) -> list[Step]:
    def at(cid: str) -> tuple[str, str]:
        board, lock = locks[cid]
        return str(board), str(lock)

    return [
        Step("Check that every board on the bus answers.", ("doctor",)),
        Step("List every compartment as the boards report it.", ("lockers",)),
        Step("Test-open A01.", ("open", "A01", "--reason", "demo: test-open after install")),
        Step("At the machine: put a folder in A01 and close the door.", ctl=("put", *at("A01"))),
        Step("", ctl=("close", *at("A01"))),
        Step("Test-open C03, on the board wired normally-closed.", ("open", "C03", "--reason", "demo")),
        Step("At the machine: close C03.", ctl=("close", *at("C03"))),
        Step("Fault: the lock of B02 jams.", ctl=("jam", *at("B02"), "on")),
        Step(
            "Try to open B02: it must fail, not report 'opened'.",
            ("open", "B02", "--reason", "demo: jammed lock"),
            expect=1,
        ),
        Step("Fault: board 1 goes silent (power lost).", ctl=("silent", "1", "on")),
        Step("The doctor finds it; board 0 keeps working.", ("doctor",), expect=1),
        Step("Repair: power back, lock freed.", ctl=("clear",)),
        Step("List the compartments again.", ("lockers",)),
        Step("Verify the tamper-evident audit log.", ("audit", "verify")),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("examples/kiosk.toml"))
    parser.add_argument("--workdir", type=Path, default=Path(".demo"))
    args = parser.parse_args(argv)

    work = args.workdir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    raw = tomllib.loads(args.config.read_text(encoding="utf-8"))
    bus = raw["bus"][0]
    link = work / bus["name"]
    demo_cfg = work / "kiosk.toml"
    demo_cfg.write_text(_demo_config(args.config.read_text(encoding="utf-8"), link, work / "data"))
    boards = sorted({c["board"] for c in raw["compartment"] if c["bus"] == bus["name"]})
    nc = [b["address"] for b in bus.get("board", []) if b.get("hook") == "normally-closed"]
    locks = {c["id"]: (c["board"], c["lock"]) for c in raw["compartment"]}

    print(f"Config: {args.config} with url = {link} (the simulator) and data_dir = {work / 'data'}")
    sim = _start_sim(bus["protocol"], boards, nc, link)
    try:
        return _run(steps(locks), demo_cfg, ControlClient(link.with_name(link.name + ".ctl")))
    finally:
        sim.terminate()
        sim.wait(5)


def _demo_config(text: str, link: Path, data_dir: Path) -> str:
    text = re.sub(r'(?m)^url = "[^"]*"', f'url = "{link}"', text, count=1)
    return re.sub(r'(?m)^data_dir = "[^"]*"', f'data_dir = "{data_dir}"', text, count=1)


def _start_sim(protocol: str, boards: list[int], nc: list[int], link: Path) -> subprocess.Popen[str]:
    argv = [
        sys.executable,
        "-m",
        "hardware_sim",
        "lockboard",
        "--protocol",
        protocol,
        "--boards",
        ",".join(map(str, boards)),
        "--link",
        str(link),
        "--release-ms",
        "40",
    ]
    if nc:
        argv += ["--nc-boards", ",".join(map(str, nc))]
    print("$ kiosk-sim " + " ".join(argv[3:]))
    sim = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert sim.stdout is not None
    line = sim.stdout.readline()  # the simulator prints "ready: …" once it serves
    if not line.startswith("ready"):
        sim.kill()
        raise SystemExit("the simulator did not start")
    print(line.rstrip())
    return sim


def _run(plan: list[Step], cfg: Path, ctl: ControlClient) -> int:
    surprises = 0
    for step in plan:
        if step.say:
            print(f"\n# {step.say}")
        if step.ctl:
            print("$ kiosk-sim ctl " + " ".join(step.ctl))
            ctl.call(*step.ctl)
            continue
        print("$ kiosk " + shlex.join(step.argv))
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", "--config", str(cfg), *step.argv], capture_output=True, text=True
        )
        sys.stdout.write(done.stdout + done.stderr)
        took = time.monotonic() - started
        verdict = "as expected" if done.returncode == step.expect else "UNEXPECTED"
        print(f"(exit {done.returncode}, {took:.1f} s, {verdict})")
        surprises += done.returncode != step.expect
    print(f"\nDemo finished: {len(plan)} steps, {surprises} unexpected outcome(s).")
    return 1 if surprises else 0


if __name__ == "__main__":
    raise SystemExit(main())
