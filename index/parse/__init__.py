"""Parse a corpus text into a `Document`, with the parser of its family.

Each family is one module with `NAME`, `recognises(lines)` and `parse(lines, metadata)`; the first
family in `FAMILIES` that recognises a text parses it, so a third family is one new module and one
entry here. A text no family recognises, or one with broken numbering, raises `ParseError` naming
the line.

>>> parse_document("某法\\n第一条 甲。\\n第二条 乙。").family, parse_document("标题\\n一、总则\\n1.甲。乙。").family
('statute', 'policy')
"""
from __future__ import annotations

from collections.abc import Mapping

from index.document import Document
from index.parse import opinion, statute
from index.parse.common import ParseError, lines_of, sentences_of, split_spans

FAMILIES = (statute, opinion)  # the more specific first: a statute's items could look like parts

__all__ = ["FAMILIES", "ParseError", "parse_document", "sentences_of", "split_spans"]


def parse_document(text: str, metadata: Mapping[str, object] | None = None) -> Document:
    """Parse `text`; `metadata` (corpus/NAME.json: title, issuers, date, level…) overrides what the text says."""
    lines = lines_of(text)
    if not lines:
        raise ParseError(1, "", "empty document")
    for family in FAMILIES:
        if family.recognises(lines):
            return family.parse(lines, metadata)
    raise ParseError(lines[0].no, lines[0].text, "not a known kind of document (parts 一、 with measures 1., "
                                                 "or articles 第一条)")
