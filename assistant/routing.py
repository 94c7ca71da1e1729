"""Which documents a question names: 学前教育法规定…, 义务教育法第十二条, the Teachers Law.

Each document is known by its title, its short name and its aliases (corpus/NAME.json). Names are
matched longest first, so 义务教育法 is not read as 教育法; a name ending in 法 followed by 律 or 规
(教育法律, 教育法规) is a word, not a name, unless 规 begins 规定 (学前教育法规定…).

>>> from index.document import Document
>>> docs = [Document("中华人民共和国教育法", (), "", "", (), (), id="education-law", short_title="教育法",
...                  aliases=("Education Law",)),
...         Document("中华人民共和国义务教育法", (), "", "", (), (), id="compulsory-education-law",
...                  short_title="义务教育法", aliases=("Compulsory Education Law",))]
>>> names = DocumentNames(docs)
>>> names.find("义务教育法第十二条讲什么")
('compulsory-education-law',)
>>> names.find("教育法和义务教育法有什么区别"), names.find("What does the Education Law say?")
(('education-law', 'compulsory-education-law'), ('education-law',))
>>> names.find("有哪些教育法律规定学生的权利"), names.find("教育法规汇编"), names.find("义务教育法规定几岁上学")
((), (), ('compulsory-education-law',))
>>> names.without("义务教育法第十二条和教育法", "compulsory-education-law")
' 第十二条和教育法'
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from index.document import Document


class DocumentNames:
    def __init__(self, documents: Sequence[Document]):
        self._ids: dict[str, str] = {}  # name (lower-case) -> document id
        for d in documents:
            for name in (d.title, d.short_title, *d.aliases):
                if name and name.lower() not in self._ids:
                    self._ids[name.lower()] = d.id
        patterns = []
        for name in sorted(self._ids, key=len, reverse=True):
            if name.isascii():
                patterns.append(rf"\b{re.escape(name)}\b")
            else:
                patterns.append(re.escape(name) + ("(?!律|规(?!定))" if name.endswith("法") else ""))
        self._pattern = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None

    def without(self, text: str, document: str) -> str:
        """`text` with the names of `document` (an id) taken out, as `find` reads them."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: " " if self._ids[m.group(0).lower()] == document else m.group(0), text)

    def find(self, text: str) -> tuple[str, ...]:
        """The ids of the documents `text` names, in the order named."""
        if self._pattern is None:
            return ()
        return tuple(dict.fromkeys(self._ids[m.group(0).lower()] for m in self._pattern.finditer(text)))
