"""Staff teach from real use: a taught question is answered from its measure after the rebuild."""
import pytest

from assistant.service import PolicyAssistant
from assistant.teach import teach_measure, teach_not_covered
from index.corpus import CorpusFiles
from tests.conftest import POLICY, copy_corpus


@pytest.fixture
def corpus(settings, tmp_path):
    return copy_corpus(settings, tmp_path / "corpus")


def _assistant(settings, corpus):
    return PolicyAssistant(settings.model_copy(update={"corpus": corpus, "off_topic": corpus / "off_topic.txt",
                                                       "index_dir": corpus / "index"}))


def test_teach_round_trip(settings, corpus):
    policy, law = corpus / f"{POLICY}.txt", corpus / "teachers-law.txt"
    # Phrases no everyday question or text uses: one for 第15条 (校园安全), one for 教师法 第二十八条 (住房).
    question, housing = "娃在学校里磕破了头，学校要不要担责", "当老师的想在城里安个家，有啥照顾"
    teach_measure(policy, question, 15)
    teach_measure(law, housing, 28)
    assert f"15\t{question}" in CorpusFiles(policy).questions.read_text(encoding="utf-8").splitlines()
    assert f"28\t{housing}" in CorpusFiles(law).questions.read_text(encoding="utf-8").splitlines()
    taught = _assistant(settings, corpus)
    assert any(u.kind == "question" and u.text == question for u in taught.store.units)  # rebuilt, not stale
    assert taught.ask(question, documents=[POLICY]).citations[0].measure == 15
    answer = taught.ask(housing)
    assert (answer.citations[0].document, answer.citations[0].measure) == ("teachers-law", 28)


def test_teach_refuses_a_measure_that_does_not_exist_or_a_repeated_line(corpus):
    with pytest.raises(ValueError, match="no measure 99"):
        teach_measure(corpus / f"{POLICY}.txt", "随便问问", 99)
    with pytest.raises(ValueError, match="no article 44"):
        teach_measure(corpus / "teachers-law.txt", "随便问问", 44)
    teach_not_covered(corpus / "off_topic.txt", "驾校报名和考驾照的费用。")
    with pytest.raises(ValueError, match="already"):
        teach_not_covered(corpus / "off_topic.txt", "驾校报名和考驾照的费用。")
