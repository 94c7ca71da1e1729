import pytest

from assistant.references import find_references
from assistant.service import is_follow_up


@pytest.mark.parametrize("text, measures, parts", [
    ("第7条", (7,), ()), ("第七条", (7,), ()), ("第十二条是什么", (12,), ()), ("7.", (7,), ()),
    ("measure 7", (7,), ()), ("Article 24 please", (24,), ()), ("第7条和第8条", (7, 8), ()),
    ("第二部分", (), (2,)), ("二、坚持教师为本", (), (2,)), ("part 3", (), (3,)),
])
def test_references_are_recognised(text, measures, parts):
    ref = find_references(text)
    assert ref is not None and ref.measures == measures and ref.parts == parts


@pytest.mark.parametrize("text", ["班主任每月多少钱", "1.5万元补助", "校长任期三至六年", "Liaocheng No.1 Middle School"])
def test_ordinary_questions_are_not_references(text):
    assert find_references(text) is None


@pytest.mark.parametrize("text, expected", [
    ("那寄宿制的呢？", True), ("What about boarding schools?", True), ("那这个标准是多少", True),
    ("孩子近视学校管不管", False), ("那校长在同一岗位能干多少年，任期怎么规定的", False),
])
def test_follow_ups_are_told_from_the_question_itself(text, expected):
    assert is_follow_up(text) is expected
