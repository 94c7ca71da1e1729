"""Staff teach from real use: a taught question is answered from its measure after the rebuild."""
import shutil

import pytest

from assistant.service import PolicyAssistant
from assistant.teach import teach_measure, teach_not_covered
from index.corpus import CorpusFiles


@pytest.fixture
def corpus_copy(settings, tmp_path):
    for path in (*CorpusFiles(settings.document).files, settings.off_topic):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / settings.document.name, tmp_path / settings.off_topic.name


def test_teach_round_trip(settings, corpus_copy, tmp_path):
    document, off_topic = corpus_copy
    # A phrase no everyday question or measure text uses, taught to measure 15 (校园安全).
    question = "娃在学校里磕破了头，学校要不要担责"
    teach_measure(document, question, 15)
    assert f"15\t{question}" in CorpusFiles(document).questions.read_text(encoding="utf-8").splitlines()
    taught = PolicyAssistant(settings.model_copy(update={"document": document, "off_topic": off_topic,
                                                         "index_dir": tmp_path / "index"}))
    assert any(u.kind == "question" and u.text == question for u in taught.store.units)  # rebuilt, not stale
    assert taught.ask(question).citations[0].measure == 15


def test_teach_refuses_a_measure_that_does_not_exist_or_a_repeated_line(corpus_copy):
    document, off_topic = corpus_copy
    with pytest.raises(ValueError, match="no measure 99"):
        teach_measure(document, "随便问问", 99)
    teach_not_covered(off_topic, "驾校报名和考驾照的费用。")
    with pytest.raises(ValueError, match="already"):
        teach_not_covered(off_topic, "驾校报名和考驾照的费用。")
