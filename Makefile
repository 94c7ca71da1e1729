# Two commands on a fresh machine:  `make run` (set up, then serve the chat) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TORCH_INDEX_URL ?=  # empty: torch comes from wherever pip is configured to look
export HF_HUB_OFFLINE := 1

.PHONY: setup run test browser clean

$(BIN)/policy-assistant: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned. On PyPI the Linux x86-64 torch wheel bundles CUDA (several GB); where pip
	# is not already set up to find the CPU build (this project's machines are), get it with
	# `make TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu ...`.
	$(BIN)/pip install --quiet $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL)) torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/policy-assistant

run: setup
	$(BIN)/policy-assistant serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

# Chromium and a CJK font come from Debian's packages (browser tests need them; root or sudo).
browser:
	@command -v chromium >/dev/null && fc-list | grep -qi "wqy\|noto.*cjk" || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium fonts-wqy-microhei; }

test: setup browser
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .cache test-artifacts
