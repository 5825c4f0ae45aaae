"""Text rules a template column can carry, run vectorised over a column.

Each rule takes the column's non-blank values and returns them as they are
to be written, plus the problems it found. Rules that need per-value Python
(kana conversion, date parsing) run once per distinct value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import jaconv
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .templates import Column, Lookup, format_date_pattern

# Characters that are invisible but break comparisons: zero-width space,
# joiners, word joiner, BOM, soft hyphen.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_CLASS = "[" + INVISIBLE + "]"
# White space and invisible characters trimmed from both ends of every value.
TRIMMED = " \t\r\n\u00a0\u3000" + INVISIBLE

DEFAULT_CODE_PATTERN = r"[0-9A-Za-z._-]+"

EMAIL_PATTERN = (
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)

# Written with the characters themselves, not \u escapes, so that Arrow's
# regular expressions run it rather than Python's, value by value.
KATAKANA_PATTERN = "[\u30a1-\u30fa\u30fc\u30fb\u3000 ]+"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Line breaks, including the Unicode ones a spreadsheet does not show.
LINE_BREAKS = "[\r\n\u0085\u2028\u2029]"
# Control characters and text-direction overrides: invisible, and never part
# of a name or an address (tab, CR and LF are the line rules' business).
CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]"


@dataclass
class Problem:
    """Values of a column that broke a rule."""

    code: str
    severity: str
    mask: pd.Series
    hint: str


@dataclass
class Outcome:
    """A rule's result: the values to write, and the problems it found.

    A problem whose mask marks no value is no problem and is dropped.
    """

    values: pd.Series
    problems: list[Problem]

    def __post_init__(self) -> None:
        self.problems = [p for p in self.problems if p.mask.any()]


def trim(values: pd.Series) -> Outcome:
    """Strip white space and invisible characters from both ends."""
    trimmed = values.str.strip(TRIMMED)
    return Outcome(
        trimmed,
        [
            Problem(
                "trimmed-value",
                "info",
                trimmed.ne(values),
                "spaces or invisible characters at the ends were removed",
            )
        ],
    )


def apply_rules(values: pd.Series, column: Column) -> Outcome:
    """Run a column's rules, in the order the template lists them."""
    problems: list[Problem] = []
    for name in column.rules:
        outcome = RULES[name](values, column)
        values = outcome.values
        problems += outcome.problems
    problems += formula_like(values).problems
    problems += control_characters(values).problems
    return Outcome(values, problems)


def code(values: pd.Series, column: Column) -> Outcome:
    """NFKC-fold a code and keep only the allowed characters; zeros stay."""
    folded = normalize_nfkc(values.str.replace(_INVISIBLE_CLASS, "", regex=True))
    pattern = column.allowed or DEFAULT_CODE_PATTERN
    return Outcome(
        folded,
        [
            Problem(
                "normalized-code",
                "info",
                folded.ne(values),
                "full-width or invisible characters were folded to plain ones",
            ),
            Problem(
                "invalid-code",
                "error",
                ~folded.str.fullmatch(pattern),
                f"a code may hold only {_describe_pattern(pattern)}; fix it in Okta "
                "or set `allowed` in the template",
            ),
        ],
    )


def kana(values: pd.Series, column: Column) -> Outcome:
    """Write kana as full-width katakana; other scripts are a finding."""
    converted = per_distinct(values, _to_katakana)
    return Outcome(
        converted,
        [
            Problem(
                "converted-kana",
                "info",
                converted.ne(values),
                "hiragana or half-width kana were written as full-width katakana",
            ),
            Problem(
                "invalid-kana",
                "error",
                ~converted.str.fullmatch(KATAKANA_PATTERN),
                "a kana reading may hold only katakana, ー, ・ and spaces; "
                "fix the reading in Okta",
            ),
        ],
    )


def _to_katakana(value: str) -> str:
    wide = jaconv.h2z(value, kana=True, ascii=False, digit=False)
    return jaconv.hira2kata(wide)


def email(values: pd.Series, column: Column) -> Outcome:
    """Check an email address's form; invisible characters are removed."""
    cleaned = values.str.replace(_INVISIBLE_CLASS, "", regex=True)
    return Outcome(
        cleaned,
        [
            Problem(
                "trimmed-value",
                "info",
                cleaned.ne(values),
                "invisible characters inside the address were removed",
            ),
            Problem(
                "invalid-email",
                "error",
                ~cleaned.str.fullmatch(EMAIL_PATTERN) | cleaned.str.len().gt(254),
                "not an email address (name@example.com); fix it in Okta",
            ),
        ],
    )


def date_rule(values: pd.Series, column: Column) -> Outcome:
    """Parse dates from the accepted forms and write them in the template's pattern."""
    # Every step works value by value, so it runs on the distinct values
    # (a few thousand days) and the results are spread back over the rows.
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    distinct = pd.Series(distinct, dtype=values.dtype)
    parsed = per_distinct(distinct, parse_date)
    kinds = parsed.str.slice(0, 1)
    good = kinds.eq("=")
    iso = parsed.where(good, "").str.slice(1)
    written = format_dates(iso, column.date_format).where(good, distinct)

    def spread(result: pd.Series) -> pd.Series:
        return pd.Series(
            result.array.take(codes), index=values.index, dtype=result.dtype
        )

    kinds = spread(kinds)
    return Outcome(
        spread(written),
        [
            Problem(
                "ambiguous-date",
                "error",
                kinds.eq("?"),
                "day/month/year and month/day/year are not read, since 04/01/2024 "
                "can be either; write it as yyyy/MM/dd",
            ),
            Problem(
                "invalid-date",
                "error",
                kinds.eq("!"),
                "not a date in an accepted form (2024/4/1, "
                "2024-04-01, 20240401, 2024年4月1日, 令和6年4月1日), or no such day",
            ),
        ],
    )


def max_length(values: pd.Series, column: Column) -> Outcome:
    """Flag values longer than the column allows."""
    limit = column.max_length or 0
    return Outcome(
        values,
        [
            Problem(
                "too-long",
                "error",
                values.str.len().gt(limit),
                f"at most {limit} characters are allowed",
            )
        ],
    )


def one_line(values: pd.Series, column: Column) -> Outcome:
    """Line breaks inside a value are a finding, or become a space."""
    has_break = values.str.contains(LINE_BREAKS, regex=True)
    if column.line_breaks == "space":
        joined = values.str.replace(rf"\s*{LINE_BREAKS}+\s*", " ", regex=True)
        replaced = Problem(
            "line-break-replaced",
            "info",
            has_break,
            "line breaks were replaced by a space",
        )
        return Outcome(joined, [replaced])
    rejected = Problem(
        "line-break",
        "error",
        has_break,
        "the value has a line break; make it one line in Okta",
    )
    return Outcome(values, [rejected])


def non_bmp(values: pd.Series, column: Column) -> Outcome:
    """Flag characters beyond the Basic Multilingual Plane (such as 𠮷)."""
    return Outcome(
        values,
        [
            Problem(
                "non-bmp-character",
                "warning",
                values.str.contains("[\U00010000-\U0010ffff]", regex=True),
                "has a character beyond the Basic Multilingual Plane (such as 𠮷) "
                "that some systems drop; check it after the upload",
            )
        ],
    )


def formula_like(values: pd.Series) -> Outcome:
    """Flag values a spreadsheet would run as a formula; they stay unchanged."""
    return Outcome(
        values,
        [
            Problem(
                "formula-like",
                "warning",
                values.str.startswith(FORMULA_START),
                "starts like a spreadsheet formula; it is written unchanged, "
                "but do not open and re-save the file in Excel",
            )
        ],
    )


def control_characters(values: pd.Series) -> Outcome:
    """Flag control characters and text-direction overrides in a value."""
    return Outcome(
        values,
        [
            Problem(
                "control-character",
                "error",
                values.str.contains(CONTROL, regex=True),
                "holds an invisible control or text-direction character; remove it "
                "in Okta",
            )
        ],
    )


def look_up(values: pd.Series, lookup: Lookup) -> Outcome:
    """Map Okta values to HRMOS values; a value the mapping lacks is a finding.

    Values match when they are the same after trimming, NFKC folding and case
    folding, so a full-width or differently cased spelling still maps.
    """
    by_key = {_lookup_key(okta): hrmos for okta, hrmos in lookup.table}
    mapped = per_distinct(values, _lookup_key).map(by_key)
    return Outcome(
        mapped.fillna(values).astype(values.dtype),
        [
            Problem(
                "unmapped-value",
                "error",
                mapped.isna(),
                f"{lookup.file.name} has no row for this value; add it there "
                f"({lookup.key} → {lookup.value}) and run again",
            )
        ],
    )


def _lookup_key(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip(TRIMMED).casefold()


RULES: dict[str, Callable[[pd.Series, Column], Outcome]] = {
    "code": code,
    "kana": kana,
    "email": email,
    "date": date_rule,
    "max_length": max_length,
    "one_line": one_line,
    "non_bmp": non_bmp,
}


def per_distinct(values: pd.Series, function: Callable[[str], str]) -> pd.Series:
    """Apply a per-value function once per distinct value."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    mapped = np.array([function(value) for value in distinct], dtype=object)
    return pd.Series(mapped[codes], index=values.index, name=values.name).astype(
        values.dtype
    )


def normalize_nfkc(values: pd.Series) -> pd.Series:
    """NFKC-fold text, vectorised through Arrow."""
    if isinstance(values.array, pd.arrays.ArrowStringArray):
        array = pa.array(values.array, type=pa.string())
    else:
        array = pa.array(values.to_numpy(), type=pa.string())
    return pd.Series(
        pc.utf8_normalize(array, form="NFKC"), index=values.index, dtype=values.dtype
    )


def _describe_pattern(pattern: str) -> str:
    if pattern == DEFAULT_CODE_PATTERN:
        return "letters A-Z, digits, '.', '_' and '-'"
    return f"characters matching {pattern}"


# Dates -------------------------------------------------------------------

# Start of each Japanese era (the first day of its year 1, 元年).
ERAS = {
    "明治": date(1868, 1, 25),
    "大正": date(1912, 7, 30),
    "昭和": date(1926, 12, 25),
    "平成": date(1989, 1, 8),
    "令和": date(2019, 5, 1),
}
ERA_LETTERS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}

_ISO_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})"
)
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_KANJI = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_ERA = re.compile(
    r"(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|\d{1,2})\s*[年./-]\s*(\d{1,2})\s*"
    r"[月./-]\s*(\d{1,2})\s*日?",
    re.IGNORECASE,
)
_AMBIGUOUS = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")

JAPAN = "Asia/Tokyo"


def parse_date(value: str) -> str:
    """Parse one date; return '=' + ISO date, '?' when ambiguous, '!' when invalid."""
    text = unicodedata.normalize("NFKC", value).strip()

    if _ISO_TIMESTAMP.fullmatch(text):
        try:
            moment = pd.Timestamp(text)
        except ValueError:
            return "!"
        if moment.tzinfo is None:
            return "!"
        return "=" + moment.tz_convert(JAPAN).date().isoformat()

    for pattern, groups in (
        (_YMD, (1, 3, 4)),
        (_COMPACT, (1, 2, 3)),
        (_KANJI, (1, 2, 3)),
    ):
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(match.group(g)) for g in groups)
            return _checked(year, month, day)

    match = _ERA.fullmatch(text)
    if match:
        return _era_date(match)

    if _AMBIGUOUS.fullmatch(text):
        return "?"
    return "!"


def _checked(year: int, month: int, day: int) -> str:
    try:
        return "=" + date(year, month, day).isoformat()
    except ValueError:
        return "!"


def _era_date(match: re.Match[str]) -> str:
    era = match.group(1)
    era = ERA_LETTERS.get(era.upper(), era)
    number = 1 if match.group(2) == "元" else int(match.group(2))
    if number < 1:
        return "!"
    start = ERAS[era]
    result = _checked(start.year + number - 1, int(match.group(3)), int(match.group(4)))
    if result == "!":
        return result
    day = date.fromisoformat(result[1:])
    following = [s for s in ERAS.values() if s > start]
    if day < start or (following and day >= min(following)):
        return "!"
    return result


def format_dates(iso: pd.Series, pattern: str) -> pd.Series:
    """Write ISO dates (yyyy-mm-dd) in a yyyy/MM/dd-style pattern."""
    year = iso.str.slice(0, 4)
    month = iso.str.slice(5, 7)
    day = iso.str.slice(8, 10)
    pieces = {
        "yyyy": year,
        "MM": month,
        "M": month.str.lstrip("0"),
        "dd": day,
        "d": day.str.lstrip("0"),
    }
    result = pd.Series("", index=iso.index, dtype=iso.dtype)
    for token, literal in format_date_pattern(pattern):
        result = result + (pieces[token] if token else literal)
    return result
