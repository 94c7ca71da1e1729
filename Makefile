# Two commands on a fresh machine:  `make run` (set up, then serve the chat) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1

.PHONY: setup run test browser clean

$(BIN)/policy-assistant: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first: a plain `torch` requirement would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
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
