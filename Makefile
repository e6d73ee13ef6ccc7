# The two commands: `make demo` and `make test`. Each builds .venv first when needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: all demo demo-cli test lint typecheck pytest bench soak crash screenshots deb clean

all: test

$(STAMP): pyproject.toml scripts/system-deps.sh
	PY=$(PY) scripts/system-deps.sh
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	# mypy cannot follow setuptools' editable import hook for hardware-sim/ -> hardware_sim
	mkdir -p $(VENV)/mypy-path && ln -sfn ../../hardware-sim $(VENV)/mypy-path/hardware_sim
	touch $(STAMP)

# The whole machine: the window and a technician's console with a display, the scripted tour
# (offscreen, no X server needed) without one; `python -m ui.demo --tour` forces the tour.
demo: $(STAMP)
	$(BIN)/python -m ui.demo --config examples/kiosk.toml

# The technician's command-line session against the simulated devices and the stand-in backend.
demo-cli: $(STAMP)
	$(BIN)/python -m hardware_sim.demo --config examples/kiosk.toml

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy -p commands -p kiosk -p drivers -p sync -p hardware_sim -p ui

# most tests wait (ptys, processes, sockets), so more workers than CI's 2 cores still pay
PYTEST_WORKERS ?= 3
pytest: $(STAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --durations=15

bench: $(STAMP)
	PY=$(PY) scripts/system-deps.sh --zbar
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev,pyzbar]'
	$(BIN)/python -m bench

# 30 simulated days at 200 dossiers a day, with device faults, network cuts and process kills
soak: $(STAMP)
	$(BIN)/python -m tests.soak --days 30 --per-day 200

# the crash-consistency harness at 2,000 kill points
crash: $(STAMP)
	$(BIN)/python -m tests.crash --points 2000

# Every screen in both languages and both orientations, drawn in a real X server (Xvfb).
screenshots: $(STAMP)
	PY=$(PY) scripts/system-deps.sh --xvfb
	xvfb-run -a -s "-screen 0 1920x1920x24" $(BIN)/python -m ui.screenshots docs/screens

# The Debian package, build/deb/dossier-kiosk_<version>_<arch>.deb, with the Python packages at the
# versions .venv holds (the ones `make test` ran with), checked by lintian.
deb: $(STAMP)
	PY=$(PY) scripts/system-deps.sh --deb
	scripts/build-deb --lintian

clean:
	rm -rf $(VENV) build *.egg-info .demo .mypy_cache .ruff_cache .pytest_cache
