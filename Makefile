# `make demo` and `make test` do all the set-up on a fresh machine: they create
# .venv/ at the repository root and install the project into it.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# mypy cannot follow setuptools' editable-install hook, so it reads `banso`
# through a tree of links to the top-level folders (see docs/architecture.md).
TYPES := .typecheck
PACKAGES := engine workflows services storage notifications documents admin

.PHONY: demo test test-slow bench lint typecheck-tree clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/banso demo

test: $(STAMP)
	$(VENV)/bin/pytest -q -n 2

test-slow: $(STAMP)
	$(VENV)/bin/pytest -q -m slow

# The benchmark suite (bench/, docs/performance.md): one table, < 15 minutes here.
bench: $(STAMP)
	$(PY) -m bench

typecheck-tree:
	rm -rf $(TYPES) && mkdir -p $(TYPES)/banso
	for p in $(PACKAGES); do ln -s "$(CURDIR)/$$p" "$(TYPES)/banso/$$p"; done

lint: $(STAMP) typecheck-tree
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	MYPYPATH=$(TYPES) $(VENV)/bin/mypy -p banso -p tests -p bench

clean:
	rm -rf $(VENV) $(TYPES) build *.egg-info
