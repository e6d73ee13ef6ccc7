"""The Python distributions the kiosk's Debian package ships, pinned to a virtualenv's versions.

Run with the virtualenv's own Python (``make deb`` uses .venv, the one ``make test`` ran in):

    .venv/bin/python scripts/build-deb-requirements.py OUT.txt [--wheelhouse DIR]

OUT.txt gets ``name==version`` for every runtime requirement of dossier-kiosk and theirs, their
markers evaluated here, never an extra (so no dev tool). With ``--wheelhouse``, each of them is also
written into DIR as a wheel, from the files the virtualenv holds, so that the package can be built
with no package index at all (tests/test_deb.py builds offline this way).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import sys
import zipfile
from collections.abc import Iterator
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "dossier-kiosk"
# What pip writes at install time: a wheel must not carry them (RECORD is written anew)
INSTALL_ONLY = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


class PinError(Exception):
    """The virtualenv lacks a distribution the project needs: it is not the one `make` built."""


def runtime_closure(project: str = PROJECT) -> list[Distribution]:
    """The installed distributions ``project`` needs at run time, itself excluded, by name."""
    found: dict[str, Distribution] = {}
    todo: list[tuple[str, frozenset[str]]] = [(project, frozenset())]
    visited: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if (key, extras) in visited:
            continue
        visited.add((key, extras))
        try:
            dist = distribution(name)
        except PackageNotFoundError as exc:
            raise PinError(f"{name} is not installed in {sys.prefix}; run `make` to rebuild it") from exc
        if key != canonicalize_name(project):
            found[key] = dist
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in {"", *extras}):
                todo.append((req.name, frozenset(req.extras)))
    return [found[key] for key in sorted(found)]


def pins(dists: list[Distribution]) -> str:
    return "".join(f"{d.metadata['Name']}=={d.version}\n" for d in dists)


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def _wheel_name(dist: Distribution) -> str:
    tags = [line.split(":", 1)[1].strip() for line in (dist.read_text("WHEEL") or "").splitlines()
            if line.startswith("Tag:")]  # fmt: skip
    if not tags:
        raise PinError(f"{dist.metadata['Name']} has no WHEEL tags: it was not installed from a wheel")
    parts = [dict.fromkeys(tag.split("-")[i] for tag in tags) for i in range(3)]
    name = canonicalize_name(dist.metadata["Name"]).replace("-", "_")
    return f"{name}-{dist.version}-{'-'.join('.'.join(p) for p in parts)}.whl"


def _entries(dist: Distribution) -> Iterator[tuple[str, Path]]:
    """(name in the wheel, file in the virtualenv) of every file the distribution installed."""
    scripts = {ep.name for ep in dist.entry_points if ep.group in ("console_scripts", "gui_scripts")}
    info = next((f.parts[0] for f in dist.files or [] if f.parts[0].endswith(".dist-info")), None)
    if info is None:
        raise PinError(f"{dist.metadata['Name']}: no .dist-info among its files")
    data = info.removesuffix(".dist-info") + ".data"  # pip finds it beside the .dist-info
    prefix = Path(sys.prefix).resolve()
    for file in dist.files or []:
        if "__pycache__" in file.parts or file.suffix == ".pyc":
            continue
        if file.parts[0].endswith(".dist-info") and file.name in INSTALL_ONLY:
            continue
        path = Path(str(dist.locate_file(file))).resolve()
        if not str(file).startswith(".."):
            yield file.as_posix(), path
            continue
        where = path.relative_to(prefix)  # outside the prefix: refused (ValueError), never guessed
        if where.parts[0] == "bin":
            if where.name not in scripts:  # pip makes entry points' scripts itself
                yield f"{data}/scripts/{where.name}", path
        else:
            yield f"{data}/data/{where.as_posix()}", path


def repack(dist: Distribution, wheelhouse: Path) -> Path:
    """``dist`` as a wheel again (uncompressed: written and read once, locally)."""
    target = wheelhouse / _wheel_name(dist)
    record: list[str] = []
    dist_info = ""  # the .dist-info folder's name, as installed
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as whl:
        for arcname, path in _entries(dist):
            data = path.read_bytes()
            if arcname.split("/")[1:2] == ["scripts"] and data.startswith(b"#!"):
                data = b"#!python" + data[data.index(b"\n") :]  # pip writes the interpreter's path
            info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (path.stat().st_mode & 0o777 | 0o100000) << 16
            whl.writestr(info, data)
            record.append(f"{arcname},{_record_hash(data)},{len(data)}")
            if arcname.split("/")[0].endswith(".dist-info"):
                dist_info = arcname.split("/")[0]
        record.append(f"{dist_info}/RECORD,,")
        whl.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the requirements file to write")
    parser.add_argument("--wheelhouse", type=Path, help="also write every distribution here as a wheel")
    args = parser.parse_args(argv)
    try:
        dists = runtime_closure()
        args.out.write_text(pins(dists), encoding="utf-8")
        if args.wheelhouse:
            args.wheelhouse.mkdir(parents=True, exist_ok=True)
            for dist in dists:
                repack(dist, args.wheelhouse)
    except PinError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(dists)} distributions pinned in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
