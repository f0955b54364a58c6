# Two commands on a fresh machine with Python 3.11+: `make packets` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: packets test tools bench profile fuzz clean docs-images

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

# Hostile-text fuzzing at length: `make test` runs a quick profile of the same test.
# `make fuzz FUZZ_EXAMPLES=5000` tries more.
FUZZ_EXAMPLES ?= 1500
fuzz: $(STAMP)
	PACKETBUILDER_FUZZ=long FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz.py --hypothesis-show-statistics

# The README's pictures, drawn by packetbuilder itself from the sample (needs pdftoppm):
# every page of Dr. Chen's packet and the request e-mail to her.
DOCS_BUILD := build/docs-images
docs-images: $(STAMP)
	$(BIN)/packetbuilder build samples --writer chen --out $(DOCS_BUILD)
	$(BIN)/packetbuilder preview samples --writer chen --width 900 --out docs/images
	$(BIN)/packetbuilder preview samples --writer chen --email request --build-dir $(DOCS_BUILD) --width 900 --out docs/images

# Benchmarks, a script and not a timed test: scripts/bench.py measures a build against pandoc
# (and its start-up share against the import floor), the unchanged rebuild, each writer's costs,
# a class of 50, a preview, then runs the other scripts/bench_*.py (fitting, `build --watch` latency).
bench: $(STAMP)
	$(BIN)/python scripts/bench.py

# Where a build of the sample spends its time (wall time by phase, slowest imports, then cProfile), to find
# what to speed up; check the effect of a change with `make bench`.
profile: $(STAMP)
	$(BIN)/python scripts/profile_build.py

clean:
	rm -rf build
