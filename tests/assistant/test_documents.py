"""Answers across the documents: the laws beside the Liaocheng policy, routing by a document's name,
articles named with or without their document, citations that say which document and level."""
import pytest

from assistant.schemas import Turn
from tests.conftest import POLICY


def _keys(answer):
    return [(c.document, c.measure) for c in answer.citations]


def test_a_law_question_cites_document_and_article_verbatim(assistant):
    answer = assistant.ask("当老师的工资能比公务员低吗")
    assert answer.kind == "answer" and answer.in_scope
    cited = [c for c in answer.citations if c.quotes]
    assert {(c.document, c.measure) for c in cited} & {("teachers-law", 25), ("compulsory-education-law", 31)}
    for c in answer.citations:
        document = assistant.documents[c.document]
        article = document.measure(c.measure)
        assert (c.document_title, c.document_name, c.document_level) == (document.title, document.name, document.level)
        assert c.title == article.label == article.title and c.part == document.heading(article)
        assert c.text == article.text and all(q in c.text and f"“{q}”" in answer.answer for q in c.quotes)
    law = next(c for c in cited if c.document == "teachers-law")
    assert law.title == "第二十五条" and law.part == "第六章 待遇" and law.document_version == "2009年8月27日修正"
    assert "（教师法 第二十五条）" in answer.answer and "2009年8月27日修正" in answer.answer


@pytest.mark.parametrize("question", ["老师的工资应该是多少？", "How much should teachers be paid?"])
def test_how_much_a_teacher_is_paid_is_answered_by_the_pay_the_law_ties_it_to(assistant, question):
    answer = assistant.ask(question)
    assert answer.in_scope and ("teachers-law", 25) in _keys(answer)[:2]
    assert "教师的平均工资水平应当不低于或者高于国家公务员的平均工资水平" in answer.answer


def test_an_answer_from_several_levels_says_which_is_national_provincial_and_local(assistant):
    answer = assistant.ask("幼儿园的收费标准是谁定的")
    levels = {c.document_level for c in answer.citations if c.quotes}
    assert {"国家", "山东省"} <= levels
    assert answer.lead == "以下依次是国家和山东省的规定："
    # national first, each group headed by its level and kind, a law with its version date
    assert answer.answer.index("【国家法律】《中华人民共和国学前教育法》（2024年11月8日通过，2025年6月1日起施行）") < \
        answer.answer.index("【山东省地方性法规】《山东省学前教育条例》（2021年12月3日修正）")


def test_a_third_level_that_answers_is_quoted_too(assistant):
    answer = assistant.ask("学校怎么防治学生欺凌")
    quoted = [c for c in answer.citations if c.quotes]
    assert [c.document_level for c in quoted] == ["国家", "山东省", "聊城市"]
    assert answer.lead == "以下依次是国家、山东省和聊城市的规定："


def test_the_policy_is_the_local_level_beside_the_laws(assistant):
    answer = assistant.ask("班主任每月绩效多少")
    assert _keys(answer)[0] == (POLICY, 7) and answer.citations[0].document_level == "聊城市"
    assert answer.citations[0].document_version == ""  # a policy, not a law: no version line
    assert "900元" in answer.answer


@pytest.mark.parametrize("question, document", [
    ("学前教育法规定幼儿园能组织考试吗", "preschool-law"),
    ("义务教育法里孩子几岁上学", "compulsory-education-law"),
    ("山东省学前教育条例对收费怎么规定的", "sd-preschool-reg"),
    ("What does the Teachers Law say about salaries?", "teachers-law"),
])
def test_a_question_naming_a_document_is_answered_from_it(assistant, question, document):
    answer = assistant.ask(question)
    assert answer.kind == "answer" and {c.document for c in answer.citations} == {document}


@pytest.mark.parametrize("question, key", [
    ("义务教育法第十二条", ("compulsory-education-law", 12)),
    ("教师法第二十五条讲了什么", ("teachers-law", 25)),
    ("未成年人保护法第一百三十条", ("minors-protection-law", 130)),
    ("What does article 25 of the Teachers Law say?", ("teachers-law", 25)),
])
def test_an_article_of_a_named_document_is_quoted_whole(assistant, question, key):
    answer = assistant.ask(question)
    assert _keys(answer) == [key] and answer.citations[0].quotes == [answer.citations[0].text]


def test_an_article_alone_asks_which_document_then_reads_in_the_conversation(assistant):
    answer = assistant.ask("第十二条")
    assert answer.kind == "choose_document" and not answer.in_scope and answer.citations == []
    assert "教师法第十二条" in answer.suggestions and "义务教育法第十二条" in answer.suggestions
    assert answer.suggestions[0] == "聊城教育高质量发展意见第12条"  # the assistant's own policy first
    picked = assistant.ask(answer.suggestions[answer.suggestions.index("教师法第十二条")])
    assert _keys(picked) == [("teachers-law", 12)]
    # after a turn about a document, a bare article is read in it
    history = [Turn(question="教师法规定老师有哪些义务", answer="…")]
    assert _keys(assistant.ask("第十二条", history)) == [("teachers-law", 12)]
    assert _keys(assistant.ask("那第十三条呢", [Turn(question="教师法第十二条", answer="…")])) == [("teachers-law", 13)]
    # and within one document it needs no asking
    assert _keys(assistant.ask("第十二条", documents=[POLICY])) == [(POLICY, 12)]


def test_a_chapter_of_a_named_law_lists_its_articles(assistant):
    answer = assistant.ask("教师法第六章")
    assert _keys(answer) == [("teachers-law", n) for n in range(25, 33)]
    assert answer.lead == "《中华人民共和国教师法》第六章 待遇："
    assert all(c.quotes[0] in c.text for c in answer.citations)


@pytest.mark.parametrize("question, says", [
    ("教师法第四十四条", "《教师法》共9章、43条（第一条至第四十三条）"),
    ("第二百条", "最多的《未成年人保护法》共132条"),
])
def test_an_article_that_does_not_exist_gets_the_range(assistant, question, says):
    answer = assistant.ask(question)
    assert answer.kind == "invalid_reference" and says in answer.lead


def test_documents_restrict_the_search(assistant):
    answer = assistant.ask("老师的工资有什么规定", documents=["teachers-law"])
    assert answer.kind == "answer" and {c.document for c in answer.citations} == {"teachers-law"}
    elsewhere = assistant.ask("教师法第二十五条", documents=[POLICY])
    assert elsewhere.kind == "not_covered" and elsewhere.missing == ["教师法"]
    with pytest.raises(ValueError, match="unknown document nope"):
        assistant.ask("老师的工资", documents=["nope"])


@pytest.mark.parametrize("question", ["今年高考一本分数线是多少", "全国统一的未成年人保护热线号码是多少", "怎么补办身份证"])
def test_a_question_no_document_answers_is_declined_across_all(assistant, question):
    answer = assistant.ask(question)
    assert answer.kind == "not_covered" and all(c.quotes == [] for c in answer.citations)
    assert answer.lead.startswith("现有12份文件（国家、山东省和聊城市的教育法律法规和政策）都")


def _quotes_of(answer, key):
    return next(c.quotes for c in answer.citations if (c.document, c.measure) == key)


def test_a_short_article_is_quoted_whole_and_a_law_sentence_never_cut_at_its_semicolon(assistant):
    religion = _quotes_of(assistant.ask("学校可以组织学生参加宗教活动吗"), ("education-law", 8))
    assert "".join(religion) == assistant.documents["education-law"].measure(8).text.replace("\n", "")
    livestream = _quotes_of(assistant.ask("直播平台能给十四岁的孩子开主播账号吗"), ("minors-protection-law", 76))
    assert livestream[0].startswith("网络直播服务提供者不得为未满十六周岁的未成年人") and "；为年满十六周岁" in livestream[0]


def test_a_list_item_is_quoted_with_the_lead_in_that_gives_it_meaning(assistant):
    quotes = _quotes_of(assistant.ask("幼儿园挪用伙食费怎么处罚"), ("preschool-law", 79))
    assert "（九）克扣、挪用学前儿童伙食费。" in quotes
    assert quotes[0].startswith("幼儿园有下列情形之一的") and "吊销办学许可证" in quotes[0]
