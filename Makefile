# Two commands on a fresh machine with Python 3.11+: `make packets` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: packets test tools bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

packets: $(STAMP)
	$(BIN)/packetbuilder build samples --out build

# System tools the tests read outputs with (pdftotext/pdftoppm, LibreOffice, fonts).
tools:
	@sh scripts/ensure-tools

test: $(STAMP) tools
	$(BIN)/python -m pytest

clean:
	rm -rf build
