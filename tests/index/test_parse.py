from pathlib import Path

import pytest

from index.corpus import read_document
from index.parse import ParseError, parse_document

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def liaocheng():
    return read_document(ROOT / "corpus" / "liaocheng-education-2023.txt")


def test_liaocheng_has_its_structure(liaocheng):
    assert len(liaocheng.parts) == 4 and len(liaocheng.measures) == 24
    assert [m.number for m in liaocheng.measures] == list(range(1, 25))
    assert liaocheng.measure(1).title == "增强德育实效"
    assert liaocheng.measure(7).title == "提高教师待遇"
    assert liaocheng.measure(24).title == "营造良好氛围"
    assert liaocheng.parts[1].heading == "二、坚持教师为本,打造高素质专业化师资队伍"
    assert liaocheng.parts[1].measures == (6, 7, 8, 9, 10, 11)
    assert liaocheng.date == "2023-08-28"
    assert liaocheng.issuers == ("中共聊城市委", "聊城市人民政府")
    assert liaocheng.preamble.startswith("各县(市、区)党委和人民政府")


def test_page_chrome_is_dropped(liaocheng):
    everything = liaocheng.preamble + "".join(m.text for m in liaocheng.measures)
    for chrome in ("字号", "大 中 小", "扫码使用手机浏览本页内容"):
        assert chrome not in everything


def test_clauses_split_on_semicolons_with_offsets(liaocheng):
    pay = liaocheng.measure(7)
    head_teacher = [c for c in pay.clauses if "班主任" in c.text]
    assert len(head_teacher) == 1
    clause = head_teacher[0]
    assert "900元" in clause.text and "1000元" in clause.text and "300元" not in clause.text
    assert pay.text[clause.start:clause.end] == clause.text
    for sentence in pay.sentences:
        assert pay.text[sentence.start:sentence.end] == sentence.text


SYNTHETIC = """某市人民政府关于加强体育工作的意见
字号:
大 中 小
各区人民政府：
为加强体育工作，提出如下意见。
一、总体要求
1．明确目标。到2030年，学生体质达标率达到95％以上；体育课时不少于每周3节。
2．压实责任。各区要落实主体责任。
二、保障措施
3．加大投入。设立专项资金！每年不少于100万元？
某市人民政府
2024年3月5日
"""


def test_a_second_document_of_the_family_parses():
    doc = parse_document(SYNTHETIC)
    assert doc.title == "某市人民政府关于加强体育工作的意见"
    assert [p.title for p in doc.parts] == ["总体要求", "保障措施"]
    assert [m.title for m in doc.measures] == ["明确目标", "压实责任", "加大投入"]
    assert doc.measure(3).part == 2 and doc.date == "2024-03-05" and doc.issuers == ("某市人民政府",)
    first = doc.measure(1).sentences[0]
    assert [c.text for c in first.clauses] == ["到2030年，学生体质达标率达到95％以上；", "体育课时不少于每周3节。"]
    assert [s.text for s in doc.measure(3).sentences] == ["设立专项资金！", "每年不少于100万元？"]


@pytest.mark.parametrize("broken, line, words", [
    ("标题\n一、甲\n1.一。x\n3.三。x\n", 4, "gap"),
    ("标题\n一、甲\n1.一。x\n1.一。x\n", 4, "duplicate"),
    ("标题\n1.一。x\n一、甲\n", 2, "before any part"),
    ("标题\n一、甲\n三、丙\n", 3, "part 三"),
])
def test_broken_numbering_fails_naming_the_line(broken, line, words):
    with pytest.raises(ParseError) as error:
        parse_document(broken)
    assert error.value.line_no == line
    assert words in str(error.value) and f"line {line}" in str(error.value)
