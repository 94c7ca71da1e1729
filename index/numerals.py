"""Chinese numerals as used for parts (一、) and clause references (第十二条)."""
from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100}

CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS)


def chinese_to_int(numeral: str) -> int:
    """Value of a Chinese numeral below 1000.

    >>> chinese_to_int("十二"), chinese_to_int("二十四"), chinese_to_int("一百零五")
    (12, 24, 105)
    """
    if not numeral or any(ch not in _DIGITS and ch not in _UNITS for ch in numeral):
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    total, digit = 0, None
    for ch in numeral:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            # a bare unit (十二) means one of it
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
    return total + (digit or 0)


def chinese_numeral_value(numeral: str) -> int | None:
    """The value of a well-formed Chinese numeral from 0 to 999, or None for anything else.

    Stricter than `chinese_to_int`, which reads 二四 as 4: a reference must be written as a number.

    >>> chinese_numeral_value("二十四"), chinese_numeral_value("二四"), chinese_numeral_value("九九九九")
    (24, None, None)
    """
    return _CANONICAL.get(numeral)


def int_to_chinese(number: int) -> str:
    """The inverse for 1–99, the range parts and measures use.

    >>> int_to_chinese(4), int_to_chinese(12), int_to_chinese(20)
    ('四', '十二', '二十')
    """
    if not 1 <= number <= 99:
        raise ValueError(f"out of range: {number}")
    names = "零一二三四五六七八九"
    tens, ones = divmod(number, 10)
    if tens == 0:
        return names[ones]
    return ("" if tens == 1 else names[tens]) + "十" + (names[ones] if ones else "")


def _canonical_forms() -> dict[str, int]:
    """Every way 0–999 is written: 十二 and 一十二, 一百零五, 二百 and 两百."""
    names = "零一二三四五六七八九"
    forms = {"零": 0, "〇": 0}
    for n in range(1, 100):
        forms[int_to_chinese(n)] = n
        if 10 <= n < 20:
            forms["一" + int_to_chinese(n)] = n
    for hundreds in range(1, 10):
        for head in {names[hundreds] + "百", ("两百" if hundreds == 2 else names[hundreds] + "百")}:
            forms[head] = hundreds * 100
            for rest in range(1, 100):
                tail = "零" + names[rest] if rest < 10 else ("一" if rest < 20 else "") + int_to_chinese(rest)
                forms[head + tail] = hundreds * 100 + rest
    return forms


_CANONICAL = _canonical_forms()
