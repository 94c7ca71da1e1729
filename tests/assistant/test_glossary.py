"""The English → Chinese glossary: the curated data itself, and English questions about the laws, which
have no English rendering, read through it."""
from pathlib import Path

import pytest

from assistant.glossary import Glossary, _stems
from index.corpus import document_paths

GLOSSARY = Path(__file__).resolve().parents[2] / "corpus" / "glossary.tsv"


def _entries():
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            english, _, chinese = line.partition("\t")
            yield [v.strip() for v in english.split("|")], [t.strip() for t in chinese.split("|")]


def test_every_chinese_term_is_the_documents_own_word():
    texts = "\n".join(p.read_text(encoding="utf-8") for p in document_paths(GLOSSARY.parent))
    missing = {t for _, terms in _entries() for t in terms if t not in texts}
    assert not missing, f"glossary terms no document uses: {sorted(missing)}"


def test_no_english_variant_stands_on_two_lines():
    seen: dict[tuple[str, ...], str] = {}
    for variants, terms in _entries():
        for v in variants:
            assert _stems(v) not in seen or seen[_stems(v)] == terms[0], f"{v!r} is on two lines"
            seen[_stems(v)] = terms[0]


def test_phrases_match_on_consecutive_stemmed_words_and_chinese_gets_nothing():
    glossary = Glossary.parse("special education | special needs\t特殊教育\nschool bus\t校车\n")
    assert glossary.terms("Do special-needs children ride the school bus?") == ["特殊教育", "校车"]
    assert glossary.terms("Is the bus to school special?") == []
    assert glossary.terms("特殊教育学校有校车吗") == []


def test_each_word_of_a_phrase_standing_in_the_question_gets_the_phrase_terms():
    glossary = Glossary.parse("homeroom teacher | class teacher\t班主任\nteacher\t教师\n")
    by_word = glossary.terms_by_word("Is there extra pay for homeroom teachers?")
    assert by_word == {"homeroom": ["班主任"], "teachers": ["班主任", "教师"]}
    assert glossary.terms_by_word("Is homeroom fun?") == {}  # "homeroom" alone is no variant


def test_a_line_without_chinese_terms_is_refused_with_its_number():
    with pytest.raises(ValueError, match=r"glossary:2:"):
        Glossary.parse("bus\t校车\nschool fees\n")


def test_an_english_question_about_a_law_meets_the_articles_words(assistant):
    answer = assistant.ask("Are phones allowed in class?")
    assert answer.kind == "answer" and answer.in_scope
    top = answer.citations[0]
    assert (top.document, top.measure) in {("minors-protection-law", 70), ("sd-student-health-reg", 24)}
    assert any("手机" in q for q in top.quotes)


def test_the_glossary_stands_in_only_where_a_document_lacks_an_english_rendering(assistant):
    """Within the policy its clause-aligned English rendering meets English questions; the glossary's
    word list would only add noise there."""
    question = "Are phones allowed in class?"
    assert "手机" in assistant.searcher.search(question, assistant.served).tokens
    assert "手机" not in assistant.searcher.search(question, ["liaocheng-education-2023"]).tokens


def test_a_generic_word_alone_is_not_read_into_the_documents_words():
    text = "child | children\t儿童 | 未成年人\nteachers' children\t教职工子女\nprimary school\t小学\n"
    glossary = Glossary.parse(text, generic=["child", "children"])
    assert glossary.terms("At what age must my child start primary school?") == ["小学"]
    assert glossary.terms("Can teachers' children attend this school?") == ["教职工子女"]
