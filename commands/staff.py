"""``kiosk staff add|list``: enrol the officers and technicians who sign in at the machine.

The PIN is read from the terminal without echo (twice), or from standard input when it is not a
terminal, so it never appears in a shell history or a process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from kiosk import staff
from kiosk.config import KioskConfig
from kiosk.errors import KioskError
from kiosk.store import Store

OK = 0


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    st = sub.add_parser("staff", help="enrol staff (badge id, name, role, PIN) or list them")
    st.add_argument("action", choices=["add", "list"])
    st.add_argument("staff_id", nargs="?", help="the id on the badge QR (after DKS1|), e.g. CB-0042")
    st.add_argument("--name", help="as shown on screen")
    st.add_argument("--role", choices=staff.ROLES, default="officer")


def cmd_staff(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    if args.action == "list":
        for row in store.db.query("SELECT id, name, role, active FROM staff ORDER BY id"):
            print(
                f"{row['id']}  {row['role']:<10}  {row['name']}{'' if row['active'] else '  (inactive)'}",
                file=out,
            )
        return OK
    if not args.staff_id or not args.name:
        raise KioskError("staff add needs the badge id and --name")
    pin = _read_pin()
    try:
        staff.add(store, args.staff_id, args.name, args.role, pin, by=f"technician:{getpass.getuser()}")
    except staff.StaffError as exc:
        raise KioskError(str(exc)) from exc
    print(
        f"{args.staff_id} ({args.name}, {args.role}) can now sign in with badge DKS1|{args.staff_id}.",
        file=out,
    )
    return OK


def _read_pin() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    pin = getpass.getpass("PIN (6 to 8 digits): ")
    if getpass.getpass("PIN again: ") != pin:
        raise KioskError("the two PINs differ; nothing was changed")
    return pin
