"""Answering never loads torch: neither `policy-assistant ask` nor a serving process after many questions."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def test_ask_answers_without_importing_torch(assistant):
    code = ("import sys; from assistant.cli import main; code = main(['ask', '班主任每月绩效多少']); "
            "print('torch imported:', 'torch' in sys.modules, 'onnxruntime imported:', 'onnxruntime' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "900元" in result.stdout and "第7条" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "torch imported: False onnxruntime imported: True"


def test_a_serving_process_never_loads_torch(tmp_path, assistant):
    from tests.conftest import start_server, stop_server

    process, url = start_server(tmp_path / "server.log")
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            for question in ("班主任每月绩效多少", "How are rural teachers supported?", "社保怎么补缴", "第7条"):
                assert client.post("/api/ask", json={"question": question}).status_code == 200
            health = client.get("/api/health").json()
        maps = Path(f"/proc/{process.pid}/maps").read_text()
    finally:
        stop_server(process)
    assert health["model"].endswith("@onnx-int8-r1")
    assert "onnxruntime" in maps and "libtorch" not in maps
