"""The Debian package (`make deb`): built here for real by scripts/build-deb (dh-virtualenv, the
versions of the .venv these tests run in), offline in a network namespace of its own, then read
back with dpkg-deb and checked: what it installs and where, what its maintainer scripts do, what
it depends on, and that its virtualenv runs the kiosk with the system's own Python.

The build takes about a minute on 2 cores (it writes the 600 MB virtualenv twice); lintian takes
three more minutes on it, so it runs in `make deb` and here only with KIOSK_TEST_LINTIAN=1."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from packaging.utils import canonicalize_name

from tests.test_systemd import parse_unit

ROOT = Path(__file__).resolve().parent.parent
SYSTEMD = ROOT / "systemd"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PREFIX = "/opt/kiosk"
CONFIG = "/etc/kiosk/kiosk.toml"
UNIT_SUFFIXES = (".service", ".timer", ".socket", ".path")
UNIT_DIRS = ("lib/systemd/system", "usr/lib/systemd/system")
# Where each kind of file in systemd/ goes: (the folders it may be in, its name there)
PLACES: dict[str, tuple[tuple[str, ...], str]] = {
    **dict.fromkeys(UNIT_SUFFIXES, (UNIT_DIRS, "{name}")),
    ".rules": (("lib/udev/rules.d", "usr/lib/udev/rules.d"), "{name}"),
    ".sysusers": (("usr/lib/sysusers.d",), "{stem}.conf"),
    ".tmpfiles": (("usr/lib/tmpfiles.d",), "{stem}.conf"),
}
DEV_TOOLS = ("pytest", "_pytest", "mypy", "ruff", "hypothesis", "schemathesis")
# What Qt draws the kiosk's screens with: eglfs on KMS (kiosk-ui.service), linuxfb, offscreen (a
# technician's commands, the tests). Their system libraries must be in Depends; xcb (a window on
# an X11 desktop) in Depends or Recommends.
SCREEN_PLUGINS = (
    "platforms/libqeglfs.so",
    "egldeviceintegrations/libqeglfs-kms-integration.so",
    "platforms/libqlinuxfb.so",
    "platforms/libqoffscreen.so",
)
XCB_PLUGINS = ("platforms/libqxcb.so", "xcbglintegrations/*.so")
QT_MODULES = ("QtCore", "QtGui", "QtWidgets")  # what ui/ imports (tests/test_no_qt.py keeps Qt there)
# The PyQt6-Qt6 wheel ships the eglfs KMS integration without the two Qt libraries it links to:
# eglfs on KMS cannot start with this wheel (see the README, "Installing on a kiosk").
NOT_IN_THE_WHEEL = {"libQt6EglFsKmsSupport.so.6", "libQt6EglFsKmsGbmSupport.so.6"}
NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[(.+)\]")
LINTIAN = os.environ.get("KIOSK_TEST_LINTIAN") == "1"

pytestmark = pytest.mark.timeout(900)  # the build, once for the module, counts in the first test


@dataclass(frozen=True)
class Package:
    deb: Path
    out: Path  # where it was built: nothing in the package may name it
    root: Path  # its files, as dpkg-deb -x unpacks them
    control: Path  # its control files (dpkg-deb -e)

    def file(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def script(self, name: str) -> str:
        return (self.control / name).read_text(encoding="utf-8")

    @property
    def site(self) -> Path:
        found = list(self.root.glob("opt/kiosk/lib/python3.*/site-packages"))
        assert len(found) == 1, found
        return found[0]

    @property
    def python_minor(self) -> str:
        return self.site.parent.name.removeprefix("python")  # "3.11"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not installed: scripts/system-deps.sh installs the package build's tools when "
            f"make runs as root; otherwise run: sudo apt-get install -y dh-virtualenv debhelper fakeroot"
        )
    return found


def run(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, timeout=600, env=env, cwd=cwd
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """On tmpfs when there is room: the build writes and reads back some 2.5 GB."""
    shm = Path("/dev/shm")
    if shm.is_dir() and shutil.disk_usage(shm).free > 6 * 2**30:
        path = Path(tempfile.mkdtemp(prefix="kiosk-deb-", dir=shm))
    else:
        path = tmp_path_factory.mktemp("deb")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def pkg(workdir: Path) -> Package:
    for name in ("dh_virtualenv", "dh", "dpkg-deb", "fakeroot", "unshare", "readelf", "git"):
        tool(name)
    out = workdir / "out"
    env = {**os.environ, "KIOSK_VENV": sys.prefix}
    # uncompressed unless lintian is to read it (it calls anything but gzip, xz and bzip2 malformed)
    fast = [] if LINTIAN else ["--fast"]
    done = run(ROOT / "scripts/build-deb", "--offline", *fast, "--out", out, env=env)
    assert done.returncode == 0, f"scripts/build-deb failed:\n{(done.stdout + done.stderr)[-6000:]}"
    (deb,) = out.glob("dossier-kiosk_*.deb")
    root, control = workdir / "root", workdir / "control"
    assert run(tool("dpkg-deb"), "-x", deb, root).returncode == 0
    assert run(tool("dpkg-deb"), "-e", deb, control).returncode == 0
    return Package(deb=deb, out=out, root=root, control=control)


def fields(pkg: Package) -> dict[str, str]:
    text = run(tool("dpkg-deb"), "-f", pkg.deb).stdout
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith(" ") and found:
            key = next(reversed(found))
            found[key] += "\n" + line
        else:
            key, _, value = line.partition(":")
            found[key] = value.strip()
    return found


def relation_names(value: str) -> set[str]:
    """Every package a Depends-like field names, alternatives included, without versions."""
    return {
        alt.split()[0].split(":")[0] for part in value.split(",") if part.strip() for alt in part.split("|")
    }


def listing(pkg: Package) -> dict[str, tuple[str, str]]:
    """path -> (mode string, owner) as dpkg-deb -c shows the data archive."""
    entries = {}
    for line in run(tool("dpkg-deb"), "-c", pkg.deb).stdout.splitlines():
        mode, owner, _size, _date, _time, path, *_ = line.split(maxsplit=6)
        entries[path.removeprefix(".").rstrip("/") or "/"] = (mode, owner)
    return entries


def build_requirements() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_deb_requirements", ROOT / "scripts/build-deb-requirements.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def installed_dists(site: Path) -> dict[str, str]:
    dists: dict[str, str] = {}
    for info in site.glob("*.dist-info"):
        meta = (info / "METADATA").read_text(encoding="utf-8", errors="replace")
        name = re.search(r"^Name: (.+)$", meta, re.M)
        version = re.search(r"^Version: (.+)$", meta, re.M)
        assert name and version, info
        dists[canonicalize_name(name[1].strip())] = version[1].strip()
    return dists


def package_python(pkg: Package, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The package's own interpreter, in place: bin/python is the system's /usr/bin/python3.X and
    finds the unpacked virtualenv by its pyvenv.cfg, as it will in /opt/kiosk. Isolated (-I): not
    this checkout, not the tests' .venv."""
    clean = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(pkg.out), **env}
    return run(pkg.file(f"{PREFIX}/bin/python"), "-I", *args, env=clean, cwd=pkg.out)


# --- the control file --------------------------------------------------------------------------


def test_control_names_the_package_its_version_and_what_it_depends_on(pkg: Package) -> None:
    f = fields(pkg)
    arch = run("dpkg", "--print-architecture").stdout.strip()
    assert (f["Package"], f["Architecture"]) == ("dossier-kiosk", arch)
    assert f["Version"].rsplit("-", 1)[0] == PYPROJECT["project"]["version"]
    depends = relation_names(f["Depends"])
    # exactly the interpreter the virtualenv was made with, which bin/python links to
    assert f"python{pkg.python_minor}" in depends
    assert (
        os.readlink(pkg.file(f"{PREFIX}/bin/python{pkg.python_minor}"))
        == f"/usr/bin/python{pkg.python_minor}"
    )
    assert {"systemd", "libegl1", "libgl1", "libxkbcommon0", "libfontconfig1", "fonts-dejavu-core"} <= depends
    assert "espeak-ng" in depends  # spoken prompts
    assert f["Maintainer"] and f["Description"].startswith("controller of a 24/7 dossier ATM")


def test_depends_cover_every_system_library_the_kiosk_loads(pkg: Package) -> None:
    """dh_shlibdeps is off (the wheels' Qt has plugins for every platform and database); instead
    the ELF files the kiosk does load, and what they pull in from the package, are read here, and
    each system library they ask for must come from a package the control file names."""
    f = fields(pkg)
    depends, recommends = relation_names(f["Depends"]), relation_names(f.get("Recommends", ""))
    site, qt = pkg.site, pkg.site / "PyQt6/Qt6"
    core = [p for p in site.rglob("*.so*") if is_elf(p) and site / "PyQt6" not in p.parents]
    core += [site / "PyQt6" / f"{m}.abi3.so" for m in QT_MODULES]
    core += [p for g in SCREEN_PLUGINS for p in (qt / "plugins").glob(g)]
    xcb = [p for g in XCB_PLUGINS for p in (qt / "plugins").glob(g)]
    assert len(core) > 50 and xcb, "the wheels' layout changed: update SCREEN_PLUGINS and XCB_PLUGINS"
    core_needs, missing = system_packages(site, core)
    xcb_needs, missing_xcb = system_packages(site, xcb)
    assert missing | missing_xcb <= NOT_IN_THE_WHEEL, "libraries found nowhere: " + ", ".join(
        sorted((missing | missing_xcb) - NOT_IN_THE_WHEEL)
    )
    assert core_needs - depends == set(), "add to Depends in debian/control"
    assert xcb_needs - depends - recommends == set(), "add to Recommends in debian/control"
    assert {"libc6", "libegl1", "libgl1", "libxkbcommon0", "libfontconfig1"} <= core_needs  # the check reads


def is_elf(path: Path) -> bool:
    if not path.is_file() or path.is_symlink():
        return False
    with path.open("rb") as fh:
        return fh.read(4) == b"\x7fELF"


def system_packages(site: Path, seeds: list[Path]) -> tuple[set[str], set[str]]:
    """(Debian packages of the system libraries ``seeds`` need, following the package's own
    libraries they pull in; sonames found neither in the package nor on this system)."""
    own = {p.name: p for p in site.rglob("*.so*")}
    todo, seen, system = set(seeds), set(), set()
    while todo:
        seen |= todo
        found = set()
        for needed in needed_by(sorted(todo)).values():
            for soname in needed:
                if soname in own:
                    found.add(own[soname])
                else:
                    system.add(soname)
        todo = found - seen
    cache = ldconfig_cache()
    owners = owning_packages([cache[s] for s in system if s in cache])
    packages = {owners[cache[s]] for s in system if s in cache and cache[s] in owners}
    return packages, {s for s in system if s not in cache or cache[s] not in owners}


def needed_by(paths: list[Path]) -> dict[str, list[str]]:
    """Each ELF file's DT_NEEDED sonames, from one readelf for all of them."""
    text = run(tool("readelf"), "-dW", *paths).stdout
    if len(paths) == 1:
        text = f"File: {paths[0]}\n{text}"
    return {
        block.split("\n", 1)[0].strip(): NEEDED.findall(block)
        for block in re.split(r"^File: ", text, flags=re.M)[1:]
    }


def ldconfig_cache() -> dict[str, str]:
    """soname -> path of this machine's libraries of its own architecture (not i386's beside them)."""
    multiarch = run("dpkg-architecture", "-qDEB_HOST_MULTIARCH").stdout.strip()
    cache: dict[str, str] = {}
    for line in run("/sbin/ldconfig", "-p").stdout.splitlines()[1:]:
        found = re.match(r"\s*(\S+) \(.*\) => (\S+)", line)
        if found and f"/{multiarch}/" in found[2]:
            cache.setdefault(found[1], found[2])
    return cache


def owning_packages(paths: list[str]) -> dict[str, str]:
    """path -> the Debian package that ships it, from one dpkg -S. dpkg knows a file by the path
    its package ships it at (/lib or /usr/lib on a merged /usr), so each is asked in every form."""
    forms: dict[str, str] = {}
    for path in paths:
        real = str(Path(path).resolve())
        for form in (path, real, real.replace("/usr/lib/", "/lib/", 1)):
            forms.setdefault(form, path)
    owners = {}
    for line in run("dpkg", "-S", *forms).stdout.splitlines():
        package, _, form = line.partition(": ")
        if form in forms and "," not in package and not package.startswith("diversion"):
            owners[forms[form]] = package.split(":")[0]
    return owners


# --- the virtualenv ----------------------------------------------------------------------------


def test_the_virtualenv_holds_the_project_and_the_tested_versions_of_its_dependencies(pkg: Package) -> None:
    dists = installed_dists(pkg.site)
    assert dists.pop("dossier-kiosk") == PYPROJECT["project"]["version"]
    # the versions of the .venv these tests ran in, no more and no other
    tested = {
        canonicalize_name(d.metadata["Name"]): d.version for d in build_requirements().runtime_closure()
    }
    for venv_own in ("pip", "setuptools"):  # made by venv itself when nothing asks for them
        if venv_own not in tested:
            dists.pop(venv_own, None)
    assert dists == tested


def test_no_dev_tool_is_in_the_package(pkg: Package) -> None:
    dists = installed_dists(pkg.site)
    dev = {
        canonicalize_name(re.split(r"[<>=!~;\[ ]", req)[0])
        for req in PYPROJECT["project"]["optional-dependencies"]["dev"]
    }
    assert dev and not dev & set(dists)
    for name in DEV_TOOLS:
        assert not (pkg.site / name).exists(), name
        assert not pkg.file(f"{PREFIX}/bin/{name}").exists(), name


def test_every_package_setuptools_lists_is_installed_as_in_the_checkout(pkg: Package) -> None:
    config = PYPROJECT["tool"]["setuptools"]
    mapped = config.get("package-dir", {})
    packages = config["packages"]
    assert packages
    for name in packages:
        top, _, rest = name.partition(".")
        source = ROOT / mapped.get(top, top) / rest.replace(".", "/")
        target = pkg.site / name.replace(".", "/")
        sources = sorted(p.name for p in source.glob("*.py"))
        assert sources and sorted(p.name for p in target.glob("*.py")) == sources, name
        for module in sources:
            assert (target / module).read_bytes() == (source / module).read_bytes(), f"{name}/{module}"
    for name, patterns in config.get("package-data", {}).items():
        source = ROOT / mapped.get(name, name)
        for pattern in patterns:
            files = list(source.glob(pattern))
            assert files, (name, pattern)
            for path in files:
                installed = pkg.site / name / path.relative_to(source)
                assert installed.read_bytes() == path.read_bytes(), installed


def test_the_console_scripts_run_the_virtualenvs_python_under_opt(pkg: Package) -> None:
    scripts = PYPROJECT["project"]["scripts"]
    assert "kiosk" in scripts
    for name, target in scripts.items():
        path = pkg.file(f"{PREFIX}/bin/{name}")
        assert os.access(path, os.X_OK), name
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[0] == f"#!{PREFIX}/bin/python", name
        module, _, function = target.partition(":")
        assert f"from {module} import {function}" in text, name  # as pyproject says today


def test_nothing_in_the_package_names_the_build_directory(pkg: Package) -> None:
    leaks = (str(pkg.out).encode(), b"/debian/dossier-kiosk/")
    named = []
    for path in pkg.root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(leak in data for leak in leaks):
                named.append(str(path.relative_to(pkg.root)))
    assert named == []


def test_the_bytecode_is_hash_checked_and_names_the_installed_files(pkg: Package) -> None:
    """Compiled at build time, as the services cannot write /opt: valid whatever the files' mtimes
    (dpkg-deb clamps them), and naming /opt/kiosk in tracebacks, not the build directory."""
    check = """
import importlib.util, marshal, pathlib, sys
site = pathlib.Path(sys.argv[1]); bad = []; count = 0
for source in site.rglob("*.py"):
    rel = source.relative_to(site)
    if rel.parts[0] not in sys.argv[2].split(","):
        continue
    cached = pathlib.Path(importlib.util.cache_from_source(str(source)))
    data = cached.read_bytes(); count += 1
    flags = int.from_bytes(data[4:8], "little")
    code = marshal.loads(data[16:])
    want = "/opt/kiosk/" + str(source.relative_to(sys.argv[3]))
    if data[:4] != importlib.util.MAGIC_NUMBER or flags != 3 \\
            or data[8:16] != importlib.util.source_hash(source.read_bytes()) or code.co_filename != want:
        bad.append(str(rel))
print(count, bad)
"""
    ours = ",".join(
        {p.split(".")[0] for p in PYPROJECT["tool"]["setuptools"]["packages"]} | {"PyQt6", "numpy"}
    )
    system = f"/usr/bin/python{pkg.python_minor}"  # marshal and the source hash are per version
    done = run(system, "-I", "-c", check, pkg.site, ours, pkg.file(PREFIX))
    count, bad = done.stdout.split(" ", 1)
    assert done.returncode == 0 and int(count) > 200 and bad.strip() == "[]", done.stdout + done.stderr


def test_the_packaged_kiosk_runs_with_the_systems_python(pkg: Package) -> None:
    for name in PYPROJECT["project"]["scripts"]:
        done = package_python(pkg, str(pkg.file(f"{PREFIX}/bin/{name}")), "--help")
        assert done.returncode == 0 and "usage" in done.stdout.lower(), (name, done.stderr[-2000:])


def test_every_module_of_the_project_imports_from_the_package_alone(pkg: Package) -> None:
    """A module needing something only the dev extra brings fails here (Qt offscreen included)."""
    tops = sorted({p.split(".")[0] for p in PYPROJECT["tool"]["setuptools"]["packages"]})
    check = """
import importlib, pkgutil, sys
site = sys.argv[1]; failed = []; count = 0
for top in sys.argv[2].split(","):
    package = importlib.import_module(top)
    assert package.__file__.startswith(site), package.__file__
    for info in pkgutil.walk_packages(package.__path__, top + "."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        try:
            module = importlib.import_module(info.name); count += 1
            assert module.__file__.startswith(site), module.__file__
        except Exception as exc:
            failed.append(f"{info.name}: {exc!r}")
from PyQt6.QtWidgets import QApplication, QLabel
app = QApplication([]); QLabel("Xin chào").show(); app.processEvents()
print(count, failed)
"""
    done = package_python(pkg, "-c", check, str(pkg.site), ",".join(tops), QT_QPA_PLATFORM="offscreen")
    assert done.returncode == 0, done.stderr[-3000:]
    count, failed = done.stdout.strip().split(" ", 1)
    assert int(count) > 50 and failed == "[]", done.stdout


# --- what systemd/ holds, installed --------------------------------------------------------------


def test_every_file_in_systemd_is_installed_where_systemd_reads_it(pkg: Package) -> None:
    files = sorted(SYSTEMD.iterdir())
    unknown = [p.name for p in files if p.suffix not in PLACES]
    assert unknown == [], "a new kind of file in systemd/: ship it in debian/rules and add it here"
    units = [p for p in files if p.suffix in UNIT_SUFFIXES]
    assert {"kiosk-ui.service", "kiosk-sync.service", "kiosk-doctor.timer"} <= {p.name for p in units}
    for path in files:
        dirs, pattern = PLACES[path.suffix]
        name = pattern.format(name=path.name, stem=path.stem)
        shipped = [pkg.root / d / name for d in dirs if (pkg.root / d / name).is_file()]
        assert len(shipped) == 1, f"{path.name} is not in the package (or twice)"
        assert shipped[0].read_bytes() == path.read_bytes(), path.name


def test_the_units_run_what_the_package_installs(pkg: Package) -> None:
    for path in sorted(p for p in SYSTEMD.iterdir() if p.suffix == ".service"):
        service = parse_unit(path).get("Service", [])
        commands = [v for k, v in service if k.startswith("Exec") and v]
        assert commands, path.name
        for command in commands:
            program = command.split()[0].lstrip("-@:+!")
            if program.startswith(PREFIX) or "kiosk" in program:
                assert os.access(pkg.file(program), os.X_OK), f"{path.name}: {program} is not in the package"
        configs = [
            v.split("=", 1)[1] for k, v in service if k == "Environment" and v.startswith("KIOSK_CONFIG=")
        ]
        assert configs == [CONFIG], path.name


def test_systemd_accepts_the_units_as_the_package_lays_them_out(pkg: Package, tmp_path: Path) -> None:
    """The package's own tree as the root: systemd's units beside ours, its sysusers making the
    users, systemd-analyze verify finding every ExecStart= program in /opt/kiosk."""
    root = tmp_path / "root"
    for part in ("lib/systemd/system", "usr/lib/sysusers.d", "opt/kiosk/bin"):  # not the 600 MB
        shutil.copytree(pkg.root / part, root / part, symlinks=True)
    (root / "etc").mkdir()
    vendor = root / "usr/lib/systemd/system"
    for source in {p.resolve() for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))}:
        if source.is_dir():
            shutil.copytree(source, vendor, symlinks=True, dirs_exist_ok=True)
    done = run(tool("systemd-sysusers"), f"--root={root}")
    assert done.returncode == 0, done.stderr
    users = {line.split(":")[0] for line in (root / "etc/passwd").read_text().splitlines()}
    assert {"kiosk", "kiosk-sync"} <= users
    names = sorted(p.name for p in SYSTEMD.iterdir() if p.suffix in UNIT_SUFFIXES)
    done = run(
        tool("systemd-analyze"),
        "verify",
        f"--root={root}",
        *names,
        env={"SYSTEMD_COLORS": "0", "PATH": "/usr/bin:/bin"},
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_example_config_is_a_conffile_for_the_kiosk_group(pkg: Package) -> None:
    conffiles = (pkg.control / "conffiles").read_text().split()
    assert CONFIG in conffiles
    assert pkg.file(CONFIG).read_bytes() == (ROOT / "examples/kiosk.toml").read_bytes()
    assert listing(pkg)[CONFIG] == ("-rw-r-----", "root/root")  # root:kiosk once the group exists
    postinst = pkg.script("postinst")
    assert 'dpkg-statoverride --update --add root kiosk 0640 "$conf"' in postinst
    assert f"conf={CONFIG}" in postinst
    assert "dpkg-statoverride --remove /etc/kiosk/kiosk.toml" in pkg.script("postrm")


# --- the maintainer scripts --------------------------------------------------------------------


def test_the_maintainer_scripts_are_valid_shell(pkg: Package) -> None:
    scripts = [p for p in pkg.control.iterdir() if p.name in ("preinst", "postinst", "prerm", "postrm")]
    assert {p.name for p in scripts} >= {"postinst", "prerm", "postrm"}
    for script in scripts:
        assert os.access(script, os.X_OK), script.name
        done = run("sh", "-n", script)
        assert done.returncode == 0, (script.name, done.stderr)


def test_postinst_makes_the_users_and_the_directory_then_enables_the_services(pkg: Package) -> None:
    postinst = pkg.script("postinst")
    sysusers = " ".join(sorted(f"{p.stem}.conf" for p in SYSTEMD.glob("*.sysusers")))
    tmpfiles = " ".join(sorted(f"{p.stem}.conf" for p in SYSTEMD.glob("*.tmpfiles")))
    users = postinst.index(f'systemd-sysusers ${{DPKG_ROOT:+--root="$DPKG_ROOT"}} {sysusers}')
    directory = postinst.index(f'systemd-tmpfiles ${{DPKG_ROOT:+--root="$DPKG_ROOT"}} --create {tmpfiles}')
    group = postinst.index("dpkg-statoverride --update")
    assert users < directory < group  # the group kiosk exists before anything is given to it
    units = sorted(p for p in SYSTEMD.iterdir() if p.suffix in UNIT_SUFFIXES)
    installable = [p.name for p in units if "Install" in parse_unit(p)]
    enabled = {"kiosk-ui.service", "kiosk-sync.service", "kiosk-doctor.timer", "kiosk-maintain.timer"}
    assert enabled <= set(installable)
    for name in installable:
        assert f"deb-systemd-helper enable '{name}'" in postinst, name
    # enabled, not started: the technician configures first; the running ones restart on upgrade
    assert "deb-systemd-invoke start" not in postinst
    restart = re.search(r"deb-systemd-invoke try-restart (.+?) >", postinst)
    assert restart and sorted(restart[1].replace("'", "").split()) == sorted(p.name for p in units)


def test_prerm_stops_every_unit_and_postrm_forgets_them(pkg: Package) -> None:
    units = sorted(p.name for p in SYSTEMD.iterdir() if p.suffix in UNIT_SUFFIXES)
    stop = re.search(r'if \[ "\$1" = remove \].*\n\s+deb-systemd-invoke stop (.+?) >', pkg.script("prerm"))
    assert stop and sorted(stop[1].split()) == units
    postrm = pkg.script("postrm")
    installable = [
        p.name for p in SYSTEMD.iterdir() if p.suffix in UNIT_SUFFIXES and "Install" in parse_unit(p)
    ]
    for name in installable:
        assert f"'{name}'" in postrm and "deb-systemd-helper purge" in postrm, name
    # a purge never takes the database: only an empty /var/lib/kiosk goes
    assert "rmdir --ignore-fail-on-non-empty /var/lib/kiosk" in postrm
    assert "rm -rf" not in postrm and "rm -r " not in postrm


@pytest.mark.skipif(
    not LINTIAN,
    reason="lintian takes 3 minutes on this 600 MB package: `make deb` runs it (KIOSK_TEST_LINTIAN=1 here)",
)
def test_lintian_finds_nothing_that_is_not_overridden_with_a_reason(pkg: Package) -> None:
    done = run(tool("lintian"), "--fail-on", "error,warning", pkg.deb)
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
