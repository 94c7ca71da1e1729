"""BM25 scores: the textbook formula, over the whole collection or a range of its documents."""
import math

import numpy as np
import pytest

from index.bm25 import BM25

DOCUMENTS = [["班主任", "绩效", "绩效", "工资"], ["幼儿园", "收费"], [], ["班主任", "幼儿园", "教师", "工资", "待遇"]]


def test_scores_follow_the_okapi_formula():
    bm25 = BM25(DOCUMENTS)
    average = sum(map(len, DOCUMENTS)) / len(DOCUMENTS)
    for i, doc in enumerate(DOCUMENTS):
        expected = 0.0
        for term in {"绩效", "班主任", "没有的词"}:
            holders = sum(term in d for d in DOCUMENTS)
            if holders:
                idf = math.log(1 + (len(DOCUMENTS) - holders + 0.5) / (holders + 0.5))
                tf = doc.count(term)
                expected += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(doc) / average))
        assert bm25.scores(["绩效", "班主任", "绩效", "没有的词"])[i] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("rows", [slice(None), slice(1, 3), slice(3, 4), slice(2, 2)])
def test_a_range_scores_as_the_whole_collection_does(rows):
    bm25 = BM25(DOCUMENTS)
    query = ["班主任", "幼儿园", "工资"]
    assert np.array_equal(bm25.scores(query, rows), bm25.scores(query)[rows])


def test_no_known_term_scores_zero():
    assert not BM25(DOCUMENTS).scores(["驾校"]).any()
