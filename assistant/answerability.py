"""Does the document answer this question? Decided from several signals in a small logistic model.

Similarity alone cannot tell: a question about a university's score line sits close to the measure
on universities. So the model weighs, for the best-ranked measure and its selected quotes:

- `margin`: best similarity to the document minus best similarity to `corpus/off_topic.txt`
  (a null model of what the document is not about);
- `piece`: the best dense similarity to any sentence, clause or phrase;
- `asked`: the best similarity to an everyday question (`corpus/*.questions.tsv`);
- `overlap`: the share of the question's content words found in the top measure (its text, its
  rendering and its everyday questions);
- `uncovered`: how many of the question's content words appear nowhere in the corpus, directly or
  through a shortened form (特教 → 特殊教育), generic words (`corpus/generic_words.txt`) aside;
- `unmet`: the question asks for a kind of fact (an amount, pay, a date, a count, a score, a contact,
  a list of names, advice) and the quotes hold none (a sum of money: none said of what it asks about).

Weights, the decision threshold and the figures they were fitted to live in
`assistant/answerability.json`, written by `policy-assistant fit-answerability` from tuning sets
only. `Verdict.missing` says what the document lacks, for the decline.

>>> cues = fact_cues("聊城大学今年的录取分数线是多少")
>>> [c.name for c in cues]
['score']
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from assistant.glossary import Glossary
from index.document import LIST_ITEM
from index.tokenize import ENGLISH_STOPWORDS, chinese_words, english_stem

FEATURES = ("margin", "piece", "asked", "overlap", "uncovered", "unmet")
# The threshold refuses at most this share of the tuning sets' answerable questions pooled, and of
# any one set's: one set's second-hardest question would otherwise set it, lower with every set added.
MAX_REFUSAL, MAX_GROUP_REFUSAL = 0.01, 0.03
_LATIN_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class FactCue:
    """A kind of fact a question can ask for, and what a quote holding one looks like."""

    name: str
    asks: re.Pattern[str]
    evidence: re.Pattern[str]
    # A name answers only when the question does not already give it: 聊城幼儿师范学校 in a quote does not
    # say what the college founded on it is called. A number may repeat (我们学校一年才办一次, 几次才对?).
    new: bool = False

    def found_in(self, text: str, question: str) -> bool:
        """Does `text` hold such a fact (for a name: one the question does not already give)?"""
        return any(not self.new or m.group(0) not in question for m in self.evidence.finditer(text))


# The kinds of fact people ask for. A quote that answers holds such a fact; a document that speaks
# of the topic but holds none (a fee, a date, a phone number) does not answer. Statutes write their
# numbers in Chinese (五百元, 九月十日, 十日内), the policy in digits: evidence accepts both.
_N = "[一二三四五六七八九十百千万两零〇]"
_NUMBER = rf"(\d+(\.\d+)?|{_N}+)"
# Liaocheng, its counties and districts, and its province: where the schools people name stand.
_PLACES = "聊城|东昌府|临清|冠县|莘县|阳谷|东阿|茌平|高唐|开发区|高新区|度假区|山东"
_SPAN_UNITS = "工作日|日|天|周|星期|个月|月|年|小时|分钟"
_SPAN = rf"{_NUMBER}\s*个?({_SPAN_UNITS})"
_COUNTERS = "个|所|名|家|节|次|门|项|位|条|人|类|篇|本|种|学时|课时|学分|周?岁"
_MONEY = rf"{_NUMBER}\s*(万|亿)?元"
_DATE = r"\d{4}\s*年|\d+\s*月|\d+\s*日"


def _counted(counters: str) -> str:
    return rf"(?<!\d)\d+(\.\d+)?\s*(万|亿)?({counters})|{_N}+\s*({counters})"


def _counted_span(units: str) -> str:
    return rf"((?<!\d)\d{{1,3}}|{_N}+)\s*个?({units})"  # 3年, 十日: not 2025年


_CUES = (
    FactCue("amount", re.compile(r"多少钱|几块|多少元|[发给补交收拿领付扣退减]多少|费[用]?[是有要]?多少|(学|保教|住宿|伙食|餐|培训|报名|考试)费用?[^，,。？?]{0,4}多少|"
                                 r"(补贴|补助|津贴|奖金|奖励)标准|(收费|费用|钱)[^，,。？?]{0,8}多少|"
                                 r"(补贴|补助|津贴|奖金)[^，,。？?]{0,4}多少|"
                                 r"收费标准(?!.{0,8}(谁|哪个部门|哪些部门|哪级))|价格(是)?多少|什么价|价钱|"
                                 r"how much (money|does|is|do)(?![a-z ]{0,20}(paid|earn|make|salar|pay|wage))|how much [a-z ]{0,20}\bpay (for|per|to)\b|(what|how much) (is|are) the [a-z -]{0,30}\bfees?\b|\bcost\b|\bprice\b|\bcharge\b", re.I),
            re.compile(_MONEY)),
    # pay is set by an amount or by the pay it may not fall below (不低于…公务员的平均工资水平)
    FactCue("pay", re.compile(r"(工资|薪水|薪资|月薪|年薪)[^，,。？?]{0,4}(多少|多高)|how much [a-z ]{0,20}(paid|earn|make)\b|"
                              r"(salary|pay|wage)s? [a-z ]{0,12}how much|how (much|high) [a-z ]{0,12}(salary|salaries|pay|wages?)\b", re.I),
            re.compile(rf"{_MONEY}|不低于|不得低于|高于")),
    FactCue("rate", re.compile(r"[涨增降]了?多少|增长多少|比例是多少|占比多少|占多少|多少比例|百分之几|多少%|几成|what (percent|percentage|proportion|share)|how much (more|less|will)|grow by|"
                               r"increase by", re.I),
            re.compile(rf"\d+(\.\d+)?\s*%|百分之|{_MONEY}")),
    FactCue("time", re.compile(r"几点|几时|what time|opening hours", re.I),
            re.compile(r"\d+\s*[点时:：]|[一二三四五六七八九十]+时")),
    FactCue("date", re.compile(r"什么时候|啥时候|何时|哪天|哪一天|几号|几月|哪个月|哪一?年|日期|截止|\bwhen (is|are|will|do|does|did|can|should)\b|"
                               r"what date|(what|which) (day|month|year)\b", re.I),
            re.compile(rf"{_DATE}|年底|年前|{_N}+月({_N}+日)?")),
    # a deadline is a time span (十日内) or a date
    FactCue("duration", re.compile(r"多长时间|多久|多少天|期限|how long|deadline|within how many", re.I),
            # "多久一次" is answered by how often: 每学年, 每学期
            re.compile(rf"{_SPAN}|{_DATE}|每学?年|每学期|每个?月|每周|每[天日]")),
    FactCue("count", re.compile(r"(?<!第)几[个所名家节次门天年项位篇本种]|多少[个所名家节次门天年项位人篇本种]|(几|多少)个?(学时|课时|学分)|how many|(maximum|minimum|total|the) number of", re.I),
            # a counted number, or the items of a list that counts them ("有几种处分": （一）…（二）…);
            # a year (2025年) counts nothing
            re.compile(rf"{_counted(_COUNTERS + '|%')}|{_counted_span(_SPAN_UNITS)}|{LIST_ITEM}")),
    FactCue("score", re.compile(r"分数线|录取分|多少分|几分|满分|总分|及格线|多少秒|几秒|算及格|及格标准|score line|full marks|cut-?off|passing (score|mark)|what score|(admission|entrance|minimum) score", re.I),
            re.compile(r"\d+\s*[分秒]")),
    # asking for the number, not whether there is a hotline (有没有…热线 is answered by a text that sets one up)
    FactCue("contact", re.compile(r"(电话|热线)[^，,。？?]{0,3}(多少|几号)|[哪什][个么](电话|热线)|号码|地址|网址|网站|邮箱|联系方式|在哪[里儿]?办公|办公地点|"
                                  # the number, not the device: phones in class are a topic of the laws
                                  r"(tele)?phone number|hotline number|number (to|should I|do I) call|address|website|e-?mail|contact", re.I),
            re.compile(r"\d{5,}|\d{3,4}-\d{7,8}|https?://|www\.|@|[路街道]\d+号")),
    # 是谁 closing a question asks for a person (校长是谁？); before a verb (是谁收的) for the body a law names
    FactCue("names", re.compile(r"名单|是谁(?=\s*([？?。，,！!；;]|吗|呢|啊|呀|$))|叫什么|叫啥|名字|名称|哪些[学校镇县区单位家]|哪些[\u4e00-\u9fff]{0,8}(学校|小学|初中|中学|高中|幼儿园|大学|学院)|哪几[所个家]|是哪[些几所家]|哪个(学校|幼儿园|集团|教育集团|学院|大学)|"
                                # "who is responsible" asks for a body the law names, not for a person's name
                                r"who (is|are) (the )?([a-z]+ ){0,2}(principal|head|director|president|secretary|dean|chair(man|person)?|winners?|members?)\b|names? of|list of|which [a-z0-9 -]*(schools|towns|counties|universities|groups|kindergartens|publisher|brand|company|companies|app|website)", re.I),
            # a proper name (聊城幼儿师范学校), not a kind of school (公办幼儿园, 中职学校)
            re.compile(rf"名单|({_PLACES})[\u4e00-\u9fff]{{0,8}}(大学|学院|学校|中学|小学|幼儿园|集团)"), new=True),
    # The documents set rules; none weighs one choice against another or judges a school, a major or
    # an exam. A question asking for such advice finds no quote that holds it.
    FactCue("advice", re.compile(r"哪个更(容易|好|难|划算|合适|强)|哪个(学校|幼儿园|专业)(更)?好|好不好(找工作|考|就业)|就业前景|"
                                 r"值不值得|值得(报|去|读|上)吗|有没有必要(学|报|上|买|去)|有必要(学|报|上|买|去)吗|which (one )?is (better|easier|harder|best)|is it worth|"
                                 r"worth (it|applying|going)|job prospects|should I choose", re.I),
            re.compile(r"(?!)")),
    FactCue("procedure", re.compile(r"手续|流程|(怎么|如何)(申请|申报)|怎么报名|怎么办理|[去在]哪[儿里]?(办|报名|申请)|哪里(办|报名|申请)|要啥材料|什么材料|哪些材料|"
                                    r"how (do|can|should) [a-z ]{1,30}? (apply|register|sign up|enrol)|how (do|can) (i|we) (get|obtain) an? [a-z ]{0,20}(permit|licen[cs]e|certificate|card)|how (to|do i|can i) (get|have) (an? |my )?[a-z ]{0,20}(certificate|permit|licen[cs]e|diploma|visa)s?( certified)?\b|how to (apply|register|sign up|enrol)|where (do|can|should) (i|we) (apply|register|sign up)|procedure|paperwork|documents? (do i )?need", re.I),
            re.compile(r"申请|办理|流程|程序|材料|报名")),
)


# What a count question counts, and the number that counts it: "how many students" is not answered
# by 15年, nor "几所学校" by 3项. A count of anything else takes any counted number.
# A count of hours, days, months or years asks how long: a duration, answered as one.
_COUNTED = tuple((re.compile(asks, re.I), re.compile(evidence), name) for asks, evidence, name in (
    (r"how many years old|(几|多少)周?岁", _counted("周?岁"), "count"),  # an age (六周岁), before the years below
    (r"(几|多少)所|(how many|number of) ([a-z-]+ )?(schools|kindergartens|universities|colleges)", _counted("所"), "count"),
    (r"(几|多少)[名位]|多少个?(人|学生|孩子|老师|教师)|(how many|number of) ([a-z-]+ )?(students|pupils|children|kids|teachers|people|staff)",
     _counted("名|位|人"), "count"),
    (r"(几|多少)次|how many times", _counted("次"), "count"),
    (r"(几|多少)个?(小时|钟头)|how many ([a-z-]+ )?hours", _counted_span("小时"), "duration"),
    (r"(几|多少)个?(工作日|天|日)|how many ([a-z-]+ )?days", _counted_span("工作日|天|日"), "duration"),
    (r"(几|多少)个?(月|周|星期|年)|how many ([a-z-]+ )?(weeks|months|years)", _counted_span("月|周|星期|年"), "duration"),
))


def fact_cues(question: str) -> list[FactCue]:
    """The kinds of fact the question asks for, each with the evidence that would answer it here."""
    cues = []
    for cue in _CUES:
        if cue.asks.search(question):
            if cue.name == "count":
                cue = next((replace(cue, name=name, evidence=evidence)
                            for asks, evidence, name in _COUNTED if asks.search(question)), cue)
            cues.append(cue)
    return cues


@dataclass(frozen=True)
class Evidence:
    """What the answerability model reads about one question and its best answer."""

    features: dict[str, float]
    missing: list[str]  # words and fact kinds the document does not supply

    def vector(self) -> np.ndarray:
        return np.array([self.features[name] for name in FEATURES], dtype=np.float64)


@dataclass(frozen=True)
class Verdict:
    answerable: bool
    probability: float
    missing: list[str]


@dataclass
class Vocabulary:
    """Every word the corpus uses, to tell which of a question's words it covers."""

    texts: list[str]  # the document's text, rendering and everyday questions
    generic: frozenset[str]
    words: Iterable[str] | None = None  # their `chinese_words`, when already known (the index keeps them)
    _joined: str = field(init=False)
    _words: set[str] = field(init=False)
    _stems: set[str] = field(init=False)
    _containing: dict[str, set[str]] | None = field(init=False, default=None)  # character -> words holding it

    def is_generic(self, word: str) -> bool:
        word = word.lower()
        return word in self.generic or (word.isascii() and english_stem(word) in self.generic)

    def __post_init__(self) -> None:
        self._joined = "\n".join(self.texts)
        self._words = set(self.words) if self.words is not None else {
            w for text in self.texts for w in chinese_words(text)}
        self._stems = {english_stem(w) for w in _LATIN_WORD.findall(self._joined.lower())}

    def covers(self, word: str, glossed: Sequence[str] = ()) -> bool:
        """`glossed`: the Chinese terms the glossary gives for an English word (a text holding one covers it)."""
        if self.is_generic(word):
            return True
        if word.isascii():
            return english_stem(word.lower()) in self._stems or any(term in self._joined for term in glossed)
        # A corpus word, part of one (教师 in 教师法), a corpus word beside another word of a text (课后服务),
        # or a shortened form (特教 for 特殊教育). Not any run of characters: 护照 stands in 保护照料.
        if self._is_word(word):
            return True
        if word in self._joined and any(self._is_word(word[:i]) or self._is_word(word[i:])
                                        for i in range(2, len(word) - 1)):
            return True
        return any(_is_abbreviation(word, w) for w in self._holders(word) if len(w) > len(word))

    def _is_word(self, part: str) -> bool:
        return part in self._words or any(part in w for w in self._holders(part))

    def _holders(self, word: str) -> set[str]:
        """The corpus words holding every character of `word`: only these can contain or shorten to it."""
        if self._containing is None:  # built on first need: most vocabularies never get this far
            self._containing = {}
            for w in self._words:
                for ch in w:
                    self._containing.setdefault(ch, set()).add(w)
        return set.intersection(*(self._containing.get(ch, set()) for ch in set(word)))


def question_words(question: str) -> list[str]:
    """The question's content words: Chinese nouns and verbs, and English words that are not function words."""
    english = [w.lower() for w in _LATIN_WORD.findall(question) if len(w) > 2 and w.lower() not in ENGLISH_STOPWORDS]
    return list(dict.fromkeys(chinese_words(question) + english))


def _is_abbreviation(short: str, long: str) -> bool:
    """A shortened form keeps the full form's first character and the rest of its characters in order."""
    if short[0] != long[0]:
        return False
    position = 0
    for ch in short:
        position = long.find(ch, position) + 1
        if position == 0:
            return False
    return True


def gather_evidence(question: str, *, margin: float, piece: float, asked: float, top: Vocabulary,
                    quotes: Sequence[str], vocabulary: Vocabulary, glossary: Glossary | None = None,
                    text: str = "", others: Sequence[tuple[str, Sequence[str]]] = (),
                    cues: Sequence[FactCue] | None = None) -> Evidence:
    """`vocabulary`: the whole corpus; `top`: the best-ranked measure's own texts and `text` its
    wording; `others`: the wording and quotes of the other measures the answer quotes; `glossary`: the
    Chinese terms of the question's English words; `cues`: its `fact_cues`, when already read."""
    words = question_words(question)
    topical = [w for w in words if not vocabulary.is_generic(w)]
    glossed = glossary.terms_by_word(question) if glossary else {}
    uncovered = [w for w in topical if not vocabulary.covers(w, glossed.get(w, ()))]
    overlap = sum(top.covers(w, glossed.get(w, ())) for w in topical) / len(topical) if topical else 1.0
    # what the question asks a quantity of, in the measure's own words (an English word by its terms)
    def subjects(wording: str) -> list[str]:
        return [t for w in topical for t in (glossed.get(w, ()) if w.isascii() else (w,)) if t in wording]

    # How long or how often is answered by a span in any quoted measure whose quote names what is asked
    # (至少每周联系和交流一次 for 多久跟孩子联系一次); other facts by the best measure's quotes alone
    asked_of = subjects(text)
    unmet = [cue for cue in (fact_cues(question) if cues is None else cues)
             if not _holds(cue, question, quotes, asked_of)
             and not (cue.name == "duration" and any(_says_of(cue, question, q, subjects(w)) for w, q in others))]
    missing = uncovered + [_cue_words(cue, question) for cue in unmet]
    features = {"margin": margin, "piece": piece, "asked": asked, "overlap": overlap,
                "uncovered": float(min(len(uncovered), 3)), "unmet": float(bool(unmet))}
    return Evidence(features, list(dict.fromkeys(missing)))


# A sum of money answers only when said of what the question asks about: a class teacher's 900元 a
# month does not say what the seniority allowance is. Where the measure names what the question asks
# of, a quote holding the sum must name it too. A count carries its own unit (几所 → 所), and a date is
# not checked so: a law's 施行 date answers "when does it take effect" in other words.
_SAID_OF = frozenset({"amount", "pay", "rate"})


def _holds(cue: FactCue, question: str, quotes: Sequence[str], subjects: Sequence[str]) -> bool:
    if cue.name in _SAID_OF and subjects:
        return _says_of(cue, question, quotes, subjects)
    return cue.found_in("\n".join(quotes), question)


def _says_of(cue: FactCue, question: str, quotes: Sequence[str], subjects: Sequence[str]) -> bool:
    """Does a quote hold the fact and name one of `subjects`, what the question asks it of?"""
    return any(cue.found_in(q, question) and any(s in q for s in subjects) for q in quotes)


def _cue_words(cue: FactCue, question: str) -> str:
    match = cue.asks.search(question)
    return match.group(0) if match else cue.name


@dataclass(frozen=True)
class AnswerabilityModel:
    """Standardised features → logistic regression → probability the document answers."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float
    report: dict

    @classmethod
    def load(cls, path: Path) -> AnswerabilityModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path} was fitted on features {data['features']}, this version computes {FEATURES}: "
                             f"refit it with `policy-assistant fit-answerability`")
        return cls(np.array(data["mean"]), np.array(data["scale"]), np.array(data["weights"]),
                   float(data["bias"]), float(data["threshold"]), data.get("report", {}))

    def save(self, path: Path) -> None:
        data = {"features": list(FEATURES), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias, "threshold": self.threshold,
                "report": self.report}
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    def probability(self, evidence: Evidence) -> float:
        z = (evidence.vector() - self.mean) / self.scale
        return float(1 / (1 + np.exp(-(z @ self.weights + self.bias))))

    def judge(self, evidence: Evidence) -> Verdict:
        """A short decision list: a question asking for a kind of fact the quotes do not hold is not
        answered, whatever the similarity; otherwise the logistic model decides."""
        p = self.probability(evidence)
        return Verdict(p >= self.threshold and not evidence.features["unmet"], p, evidence.missing)


def fit(evidence: Sequence[Evidence], answerable: Sequence[bool], *, max_refusal: float = MAX_REFUSAL,
        max_group_refusal: float = MAX_GROUP_REFUSAL, groups: Sequence[str] | None = None, l2: float = 1.0) -> AnswerabilityModel:
    """Fit weights by Newton's method with an L2 penalty; pick the highest threshold that refuses at
    most `max_refusal` of all answerable questions and `max_group_refusal` of each group's (tuning
    set): no set of users may pay much for another's better figures. Pooled, because 1% of a set of
    eighty is none: the threshold would rest on the single hardest question of the smallest set.
    Counted among the questions the decision list lets through (no fact kind unmet): those it refuses
    have the lowest probabilities and would otherwise set the threshold near zero."""
    x = np.stack([e.vector() for e in evidence])
    y = np.array(answerable, dtype=np.float64)
    group = np.array(groups if groups is not None else [""] * len(y))
    # every group (tuning set) weighs the same in the fit, however many questions it has
    sizes = {g: int(np.sum(group == g)) for g in set(group)}
    weight = np.array([len(y) / (len(sizes) * sizes[g]) for g in group])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.diag([l2] * (z.shape[1] - 1) + [0.0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(z @ w)))
        gradient = z.T @ (weight * (p - y)) + penalty @ w
        hessian = (z.T * (weight * p * (1 - p))) @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    p = 1 / (1 + np.exp(-(z @ w)))
    unmet = x[:, FEATURES.index("unmet")] > 0
    judged = (y == 1) & ~unmet
    threshold = min([_threshold(np.sort(p[judged]), max_refusal)] + [
        _threshold(np.sort(p[judged & (group == g)]), max_group_refusal) for g in set(group)])
    accepted = (p >= threshold) & ~unmet
    declined = float(np.mean(~accepted[y == 0])) if (y == 0).any() else float("nan")
    report = {"questions": len(y), "answerable": int(y.sum()),
              "tune_refused": round(float(np.mean(~accepted[y == 1])), 4), "tune_declined": round(declined, 4),
              "weights": {name: round(float(v), 3) for name, v in zip(FEATURES, w[:-1])}}
    return AnswerabilityModel(mean, scale, w[:-1], float(w[-1]), threshold, report)


def _threshold(positives: np.ndarray, max_refusal: float) -> float:
    """The highest threshold under which at most `max_refusal` of these (sorted) probabilities fall."""
    if not len(positives):
        return 1.0
    return float(positives[int(np.floor(max_refusal * len(positives)))]) - 1e-6
