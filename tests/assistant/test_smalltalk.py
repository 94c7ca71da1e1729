"""Small talk and unreadable text are answered without search and never with quotes."""
import pytest


@pytest.mark.parametrize("question, kind", [
    ("你好", "smalltalk"), ("hello", "smalltalk"), ("ok", "smalltalk"), ("谢谢！", "smalltalk"),
    ("Thank you very much", "smalltalk"), ("你是谁", "smalltalk"),
    ("asdfghjkl", "unclear"), ("？？？？", "unclear"), ("啊啊啊啊", "unclear"), ("123456", "unclear"),
])
def test_chatter_gets_a_reply_without_quotes(assistant, question, kind):
    answer = assistant.ask(question)
    assert answer.kind == kind and not answer.in_scope
    assert answer.citations == []
    assert len(answer.suggestions) == 3 and all(s in answer.answer for s in answer.suggestions)


def test_a_greeting_is_answered_in_its_language_with_example_questions(assistant):
    zh, en = assistant.ask("您好"), assistant.ask("Hi there")
    assert zh.lang == "zh" and "您好" in zh.lead and all(any("\u4e00" <= ch <= "\u9fff" for ch in s) for s in zh.suggestions)
    assert en.lang == "en" and en.lead.startswith("Hello") and all(s.isascii() for s in en.suggestions)


def test_gibberish_is_asked_to_be_rephrased_in_its_language(assistant):
    assert "请换个说法" in assistant.ask("啊啊啊啊").lead
    assert "rephrase" in assistant.ask("sdfsdf jkljkl").lead


def test_a_greeting_with_a_question_is_searched(assistant):
    answer = assistant.ask("你好，班主任每月绩效多少？")
    assert answer.kind == "answer" and answer.citations[0].measure == 7
