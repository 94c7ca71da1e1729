"""What a user sees in the Liaocheng policy: the right clause, quoted verbatim, with its clause number.
(Asked within the policy alone; answers across the laws are in test_documents.py.)"""
from functools import partial

import pytest

from assistant.schemas import Turn
from tests.conftest import POLICY


@pytest.fixture
def ask(assistant):
    return partial(assistant.ask, documents=[POLICY])


def _quotes(answer):
    return [q for c in answer.citations for q in c.quotes]


def test_head_teacher_pay_quotes_the_900_clause_of_measure_7(ask):
    answer = ask("班主任每月绩效多少")
    assert answer.in_scope
    assert answer.citations[0].measure == 7
    assert "900元" in answer.answer and "第7条" in answer.answer
    # the head-teacher clause, not the whole pay measure
    assert "300元" not in answer.answer and "800元" not in answer.answer


def test_every_quote_is_verbatim_from_its_measure(ask, document):
    for question in ("孩子近视学校管不管", "教师有惩戒权吗", "Can teachers punish students?", "评星定级在哪一条？"):
        answer = ask(question)
        assert answer.in_scope, question
        for citation in answer.citations:
            assert citation.text == document.measure(citation.measure).text
            for quote in citation.quotes:
                assert quote in citation.text
                assert f"“{quote}”" in answer.answer


@pytest.mark.parametrize("question", ["第十二条", "第12条", "12.", "measure 12", "第十二条讲了什么"])
def test_a_clause_reference_returns_that_measure_whole(ask, question):
    answer = ask(question)
    assert [c.measure for c in answer.citations] == [12]
    assert answer.citations[0].quotes == [answer.citations[0].text]
    assert "公办幼儿园扩容工程" in answer.answer


def test_a_reference_with_a_topic_quotes_within_that_measure(ask):
    answer = ask("第7条里班主任的补助是多少")
    assert [c.measure for c in answer.citations] == [7]
    assert "900元" in answer.answer and "50元" not in answer.answer


def test_a_part_reference_lists_its_measures(ask):
    answer = ask("第二部分有哪些内容")
    assert [c.measure for c in answer.citations] == [6, 7, 8, 9, 10, 11]
    assert "二、坚持教师为本" in answer.answer


def test_a_reference_past_the_end_is_answered_plainly(ask):
    answer = ask("第30条")
    assert not answer.in_scope and "24条" in answer.answer and answer.citations == []


@pytest.mark.parametrize("question", ["社保怎么补缴", "How do I renew my passport?", "怎么办理结婚登记"])
def test_out_of_scope_is_declined_with_nearest_measures(ask, question):
    answer = ask(question)
    assert not answer.in_scope and answer.kind == "not_covered"
    assert "无法给出依据" in answer.answer or "nothing to quote" in answer.answer
    assert answer.citations and all(c.quotes == [] for c in answer.citations)
    assert "可能相关" in answer.answer


def test_english_question_gets_chinese_quotes_with_their_english_rendering(ask):
    answer = ask("What is the monthly bonus for head teachers at boarding schools?")
    assert answer.in_scope and answer.lang == "en" and answer.citations[0].measure == 7
    top = answer.citations[0]
    assert len(top.quotes_en) == len(top.quotes) and any("1000元" in q for q in top.quotes)
    rendering = top.quotes_en[top.quotes.index(next(q for q in top.quotes if "1000元" in q))]
    assert "1,000 yuan" in rendering or "1000 yuan" in rendering
    # the answer text shows each Chinese quote with its rendering under it, marked unofficial
    assert "1000元" in answer.answer and rendering in answer.answer and "Unofficial translation" in answer.answer


def test_follow_up_is_read_in_context(ask):
    history = [Turn(question="班主任每月绩效多少", answer="…")]
    answer = ask("那寄宿制的呢？", history)
    assert answer.citations[0].measure == 7 and "1000元" in answer.answer


def test_a_self_contained_question_is_not_pulled_to_the_old_topic(ask):
    history = [Turn(question="班主任每月绩效多少", answer="…")]
    answer = ask("孩子近视学校管不管", history)
    assert answer.citations[0].measure == 3
