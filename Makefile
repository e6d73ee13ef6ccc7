# The two commands: `make demo` and `make test`. Each builds .venv first when needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: all demo test lint typecheck pytest bench soak screenshots deb clean

all: test

$(STAMP): pyproject.toml scripts/system-deps.sh
	PY=$(PY) scripts/system-deps.sh
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	# mypy cannot follow setuptools' editable import hook for hardware-sim/ -> hardware_sim
	mkdir -p $(VENV)/mypy-path && ln -sfn ../../hardware-sim $(VENV)/mypy-path/hardware_sim
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m hardware_sim.demo --config examples/kiosk.toml

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy -p kiosk -p drivers -p sync -p hardware_sim -p ui

pytest: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	PY=$(PY) scripts/system-deps.sh --zbar
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev,pyzbar]'
	$(BIN)/python -m bench

soak: $(STAMP)
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
