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


# The 章/条 family: the national laws and Shandong regulations in corpus/.
LAWS = {  # id: (chapters, articles, last article's label) as ../shared/laws/README.md counts them
    "teachers-law": (9, 43, "第四十三条"), "compulsory-education-law": (8, 63, "第六十三条"),
    "preschool-law": (9, 85, "第八十五条"), "education-law": (10, 86, "第八十六条"),
    "disabled-education-reg": (9, 59, "第五十九条"), "minors-protection-law": (9, 132, "第一百三十二条"),
    "family-education-law": (6, 55, "第五十五条"), "sd-preschool-reg": (8, 78, "第七十八条"),
    "sd-school-safety-reg": (6, 63, "第六十三条"), "sd-education-supervision-reg": (0, 22, "第二十二条"),
    # its 第一章 heading line is missing in the source: the chapter is there, without a title
    "sd-student-health-reg": (6, 54, "第五十四条"),
}


@pytest.mark.parametrize("doc_id", sorted(LAWS))
def test_every_law_parses_with_its_chapters_and_articles(doc_id):
    chapters, articles, last = LAWS[doc_id]
    law = read_document(ROOT / "corpus" / f"{doc_id}.txt")
    assert law.id == doc_id and law.family == "statute" and law.level in ("国家", "山东省")
    assert len(law.parts) == chapters and [m.number for m in law.measures] == list(range(1, articles + 1))
    assert law.measures[-1].label == last and law.measures[-1].title == last
    assert [m.part for m in law.measures] == sorted(m.part for m in law.measures)
    assert {m.part for m in law.measures} == (set(range(1, chapters + 1)) if chapters else {0})
    for m in law.measures:
        assert all(m.text[s.start:s.end] == s.text and "\n" not in s.text for s in m.sentences)
        assert "".join(s.text for s in m.sentences) == m.text.replace("\n", "")


def test_law_metadata_and_chapters():
    law = read_document(ROOT / "corpus" / "teachers-law.txt")
    assert (law.title, law.name, law.level, law.kind, law.date, law.version) == (
        "中华人民共和国教师法", "教师法", "国家", "法律", "2009-08-27", "修正")
    pay = law.measure(25)
    assert pay.label == "第二十五条" and law.heading(pay) == "第六章 待遇" and pay.part_title == "待遇"
    assert pay.text.startswith("教师的平均工资水平应当不低于或者高于国家公务员的平均工资水平")
    health = read_document(ROOT / "corpus" / "sd-student-health-reg.txt")
    assert health.parts[0].heading == "第一章" and health.parts[1].heading == "第二章 体育活动"
    assert health.measure(7).part == 1 and health.measure(10).part == 2
    supervision = read_document(ROOT / "corpus" / "sd-education-supervision-reg.txt")
    assert supervision.parts == () and supervision.heading(supervision.measure(9)) == ""
    preschool = read_document(ROOT / "corpus" / "preschool-law.txt")
    assert preschool.parts[0].heading == "第一章 总则" and preschool.in_force == "2025-06-01"  # spaced: 总 则


def test_list_items_are_sentences_of_their_article():
    rights = read_document(ROOT / "corpus" / "teachers-law.txt").measure(7)
    assert rights.sentences[0].text == "教师享有下列权利:"  # an ASCII colon in the source
    assert [s.text[:3] for s in rights.sentences[1:]] == ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]
    half_width = read_document(ROOT / "corpus" / "compulsory-education-law.txt").measure(52)
    assert half_width.sentences[1].text.startswith("(一)未按照国家有关规定制定")


STATUTE = "某某法\n2020年1月1日 通过\n第一章 总  则\n第一条 总的目的。\n第二条 甲：\n(一)乙；\n（二）丙。\n第二章 附则\n第三条 本法自公布之日起施行。\n"


def test_a_statute_of_the_family_parses():
    doc = parse_document(STATUTE, {"short_title": "某某法"})
    assert doc.family == "statute" and doc.date == "2020-01-01" and doc.preamble == "2020年1月1日 通过"
    assert [(p.heading, p.measures) for p in doc.parts] == [("第一章 总则", (1, 2)), ("第二章 附则", (3,))]
    assert [s.text for s in doc.measure(2).sentences] == ["甲：", "(一)乙；", "（二）丙。"]
    assert doc.measure(2).text == "甲：\n(一)乙；\n（二）丙。"


def test_the_family_is_chosen_from_the_text():
    assert parse_document(STATUTE).family == "statute"
    assert parse_document(SYNTHETIC).family == "policy"
    with pytest.raises(ParseError, match="line 1: not a known kind of document"):
        parse_document("只是一段话\n没有条款也没有编号\n")


@pytest.mark.parametrize("broken, line, words", [
    ("某法\n第一章 总则\n第一条 甲。\n第三条 丙。\n", 4, "gap in numbering: article 3 where 2 was expected"),
    ("某法\n第一章 总则\n第一条 甲。\n第一条 甲。\n", 4, "duplicate: article 1 where 2 was expected"),
    ("某法\n第一章 总则\n第一条 甲。\n第三章 丙\n第二条 乙。\n", 4, "gap in numbering: chapter 3 where 2 was expected"),
    ("某法\n第一章 总则\n第一条 甲。\n第一章 总则\n第二条 乙。\n", 4, "duplicate: chapter 1 where 2 was expected"),
    ("某法\n第一章 总则\n第二章 附则\n第一条 甲。\n", 3, "chapter 1 has no articles"),
    ("某法\n第一条 甲。\n第三章 附则\n第二条 乙。\n", 3, "articles before 第三章, the first chapter"),
    ("某法\n第一条 甲。\n第一章 总则\n第二条 乙。\n", 3, "articles before 第一章, the first chapter"),
])
def test_a_broken_statute_fails_naming_the_line(broken, line, words):
    with pytest.raises(ParseError) as error:
        parse_document(broken)
    assert error.value.line_no == line and f"line {line}: {words}" in str(error.value)


def test_a_missing_first_chapter_heading_is_read_as_chapter_one():
    doc = parse_document("某法\n第一条 甲。\n第二章 附则\n第二条 乙。\n")
    assert [(p.number, p.heading) for p in doc.parts] == [(1, "第一章"), (2, "第二章 附则")]
    assert [m.part for m in doc.measures] == [1, 2]
