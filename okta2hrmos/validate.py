"""Validation: findings about the users, and their values ready for a template.

A finding has a stable kebab-case code, a severity (``error`` rejects the
row, ``warning`` flags it, ``info`` says it was cleaned), the source row
number(s), the Okta id and login, the column, the value and a hint. One
root cause is one finding: a duplicate names every row involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import rules
from .csvio import TEXT
from .templates import Column, Template
from .users import Users, find_attribute

SEVERITIES = ("error", "warning", "info")

FINDING_COLUMNS = ["code", "severity", "row", "id", "login", "column", "value", "hint"]

# What a valid findings table looks like; checked on every run so a
# malformed finding is our bug, caught before anyone reads a report.
FINDINGS_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^[a-z]+(-[a-z]+)*$")),
        "severity": pa.Column(str, pa.Check.isin(SEVERITIES)),
        "row": pa.Column(str, pa.Check.str_matches(r"^\d+(;\d+)*$")),
        "id": pa.Column(str),
        "login": pa.Column(str),
        "column": pa.Column(str),
        "value": pa.Column(str),
        "hint": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    strict=True,
    ordered=True,
    coerce=False,
)


@dataclass
class Validation:
    """What validation found, and the values each template column will take."""

    users: Users
    template: Template
    findings: pd.DataFrame
    # One line per (finding, row): which rows each finding is about.
    finding_rows: pd.DataFrame
    # Values ready to write, one column per template column that has a source.
    prepared: pd.DataFrame
    # Template columns left out because the input has none of their sources.
    left_out: list[Column] = field(default_factory=list)

    @property
    def rejected(self) -> pd.Index:
        errors = self.finding_rows[self.finding_rows["severity"] == "error"]
        return pd.Index(sorted(set(errors["row"])), name="row")

    @property
    def accepted(self) -> pd.Index:
        return self.users.table.index.difference(self.rejected)

    def count(self, severity: str) -> int:
        return int((self.findings["severity"] == severity).sum())


def validate(
    users: Users, template: Template, effective_date: date | None = None
) -> Validation:
    """Check the users against a template and prepare the values it will write."""
    return validate_many(users, [template], effective_date)[0]


def validate_many(
    users: Users, templates: list[Template], effective_date: date | None = None
) -> list[Validation]:
    """Check the users against several templates (one file each) at once.

    A person is written to every file or to none: the findings, and so the
    rejected rows, are shared by all the templates, and a root cause found
    through two templates is still one finding.
    """
    table = users.table
    collector = _Collector(table)

    for row, (found, extra) in sorted(users.ragged.items()):
        beyond = (
            f"; the values past the header's end are {', '.join(extra)}"
            if extra
            else ""
        )
        collector.add_group(
            "wrong-field-count",
            "error",
            [row],
            "",
            ",".join(extra),
            f"the row has {found} fields but the header has {users.header_width}; "
            f"a comma or quote is probably out of place{beyond}",
        )

    layouts = []
    for template in templates:
        prepared: dict[str, pd.Series] = {}
        left_out: list[Column] = []
        for column in template.columns:
            values = _prepare_column(table, column, collector, effective_date)
            if values is None:
                left_out.append(column)
            else:
                prepared[column.header] = values
        layouts.append((template, pd.DataFrame(prepared, index=table.index), left_out))

    # Unique columns fed by one attribute are checked on that attribute (so
    # the finding names it); the others on the values they will write.
    unique = dict.fromkeys(name for t in templates for name in t.unique)
    for template, prepared, _ in layouts:
        for column in template.columns:
            if not column.unique or column.header not in prepared.columns:
                continue
            if len(column.source) == 1 and not column.lookup and not column.value:
                unique.setdefault(column.source[0])
            else:
                _check_unique(prepared, column.header, collector)
    for name in unique:
        attribute = find_attribute(table.columns, name)
        if attribute is not None:
            _check_unique(table, attribute, collector)

    if "status" in table.columns:
        _flag_leavers(table, collector)

    findings, finding_rows = collector.build()
    FINDINGS_SCHEMA.validate(findings)
    return [
        Validation(
            users=users,
            template=template,
            findings=findings,
            finding_rows=finding_rows,
            prepared=prepared,
            left_out=left_out,
        )
        for template, prepared, left_out in layouts
    ]


def _prepare_column(
    table: pd.DataFrame,
    column: Column,
    collector: _Collector,
    effective_date: date | None,
) -> pd.Series | None:
    if column.is_constant:
        return pd.Series(column.value, index=table.index, dtype=TEXT)
    if column.effective_date and effective_date is not None:
        iso = pd.Series(effective_date.isoformat(), index=table.index, dtype=TEXT)
        return rules.format_dates(iso, column.date_format)

    found = (find_attribute(table.columns, name) for name in column.source)
    present = [name for name in found if name is not None]
    if not present:
        if column.required and len(table):
            collector.add_group(
                "missing-required",
                "error",
                list(table.index),
                column.source[0],
                "",
                f"the input has no {' or '.join(column.source)} column, which "
                f"{column.header} needs; add it to the Okta export or change the "
                "template's source",
            )
        return None

    values = pd.Series("", index=table.index, dtype=TEXT)
    for position, name in enumerate(present):
        outcome = rules.trim(table[name])
        collector.add_problems(outcome.problems, name, table[name])
        if position == 0 and _fills(values, outcome.values):
            # Every value is still blank, so the first source's values are all
            # taken: skip a where() that would copy the column.
            values = outcome.values.rename(None)
        else:
            values = values.where(values.ne(""), outcome.values)
    attribute = present[0]

    blank = values.eq("")
    if column.recommended and not column.required and blank.any():
        collector.add_rows(
            "missing-recommended",
            "warning",
            blank,
            attribute,
            values,
            f"{column.header} is empty; the person is written without it, so fill "
            f"{' or '.join(present)} in Okta if HRMOS needs it",
        )
    if column.required and blank.any():
        collector.add_rows(
            "missing-required",
            "error",
            blank,
            attribute,
            values,
            f"{column.header} is required; fill {' or '.join(present)} in Okta",
        )

    filled = values[~blank]
    if len(filled) and column.lookup:
        outcome = rules.look_up(filled, column.lookup)
        collector.add_problems(outcome.problems, attribute, filled)
        filled = outcome.values
    if len(filled):
        outcome = rules.apply_rules(filled, column)
        collector.add_problems(outcome.problems, attribute, filled)
        if not blank.any() and _fills(values, outcome.values):
            values = outcome.values.rename(None)
        else:
            values = values.copy()
            values[~blank] = outcome.values
    return values


def _fills(values: pd.Series, replacement: pd.Series) -> bool:
    """Tell whether ``replacement`` can stand for ``values`` wholly replaced by it.

    True when it has the same rows in the same order and the same dtype, so
    that assigning it to every row would give exactly it.
    """
    return replacement.dtype == values.dtype and replacement.index.equals(values.index)


def comparison_key(values: pd.Series) -> pd.Series:
    """Return the key under which two identities count as the same.

    Invisible characters are removed, then the text is NFKC-folded, trimmed
    and case-folded.
    """
    visible = values.str.replace(f"[{rules.INVISIBLE}]", "", regex=True)
    folded = rules.normalize_nfkc(visible).str.strip().str.lower()
    non_ascii = ~folded.str.isascii()
    if non_ascii.any():
        folded = folded.copy()
        folded[non_ascii] = [value.casefold() for value in folded[non_ascii]]
    return folded


def _check_unique(table: pd.DataFrame, attribute: str, collector: _Collector) -> None:
    key = comparison_key(table[attribute])
    repeated = key[key.ne("") & key.duplicated(keep=False)]
    if repeated.empty:
        return
    # Group the repeated rows by key, groups in order of first appearance and
    # rows ascending within each, without indexing the table once per group.
    group, _ = pd.factorize(repeated)
    rows = repeated.index.to_numpy()
    order = np.lexsort((rows, group))
    starts = np.flatnonzero(np.diff(group[order])) + 1
    spelled = table[attribute].loc[repeated.index].str.strip(rules.TRIMMED)
    row_groups = np.split(rows[order], starts)
    spelling_groups = np.split(spelled.to_numpy(dtype=object)[order], starts)

    groups = [tuple(members.tolist()) for members in row_groups]
    collector.add_groups(
        "duplicate-key",
        "error",
        groups,
        attribute,
        [" | ".join(dict.fromkeys(spellings)) for spellings in spelling_groups],
        [
            f"{len(members)} users share this {attribute} (ignoring case, width and "
            f"invisible characters) on rows {', '.join(map(str, members))}; "
            "keep it on one user"
            for members in groups
        ],
    )


def _flag_leavers(table: pd.DataFrame, collector: _Collector) -> None:
    leavers = table["status"].str.strip().str.upper().eq("DEPROVISIONED")
    if leavers.any():
        collector.add_rows(
            "deprovisioned-user",
            "warning",
            leavers,
            "status",
            table["status"],
            "deactivated in Okta (a leaver): compared with an HRMOS export they "
            "are never registered (those active in HRMOS get a proposed 退職日); "
            "without one they are in the registration file, and registering them "
            "makes an active employee",
        )


class _Collector:
    """Gathers findings as vectorised pieces, then builds one sorted table."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self.pieces: list[pd.DataFrame] = []

    def add_problems(
        self, problems: list[rules.Problem], column: str, values: pd.Series
    ) -> None:
        for problem in problems:
            self.add_rows(
                problem.code,
                problem.severity,
                problem.mask,
                column,
                values,
                problem.hint,
            )

    def add_rows(
        self,
        code: str,
        severity: str,
        mask: pd.Series,
        column: str,
        values: pd.Series,
        hint: str,
    ) -> None:
        """One finding per row where ``mask`` is true."""
        rows = mask.index[mask.to_numpy(dtype=bool)]
        if len(rows) == 0:
            return
        self.pieces.append(
            pd.DataFrame(
                {
                    "code": code,
                    "severity": severity,
                    "rows": [(int(row),) for row in rows],
                    "column": column,
                    "value": values.loc[rows].astype(str).to_numpy(),
                    "hint": hint,
                }
            )
        )

    def add_group(
        self,
        code: str,
        severity: str,
        rows: list[int],
        column: str,
        value: str,
        hint: str,
    ) -> None:
        """One finding about several rows together."""
        self.pieces.append(
            pd.DataFrame(
                {
                    "code": [code],
                    "severity": [severity],
                    "rows": [tuple(rows)],
                    "column": [column],
                    "value": [value],
                    "hint": [hint],
                }
            )
        )

    def add_groups(
        self,
        code: str,
        severity: str,
        groups: list[tuple[int, ...]],
        column: str,
        values: list[str],
        hints: list[str],
    ) -> None:
        """One finding per group of rows, all of the same code and column."""
        self.pieces.append(
            pd.DataFrame(
                {
                    "code": code,
                    "severity": severity,
                    "rows": groups,
                    "column": column,
                    "value": values,
                    "hint": hints,
                }
            )
        )

    def build(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        if not self.pieces:
            empty = pd.DataFrame(
                {name: pd.Series(dtype=str) for name in FINDING_COLUMNS}
            )
            rows = pd.DataFrame(
                {
                    "finding": pd.Series(dtype=int),
                    "row": pd.Series(dtype=int),
                    "code": pd.Series(dtype=str),
                    "severity": pd.Series(dtype=str),
                    "column": pd.Series(dtype=str),
                    "hint": pd.Series(dtype=str),
                }
            )
            return empty, rows
        found = pd.concat(self.pieces, ignore_index=True)
        # The same root cause seen through two templates is one finding.
        found = found.drop_duplicates(
            subset=["code", "severity", "rows", "column", "value", "hint"]
        )
        found["first"] = [rows[0] for rows in found["rows"]]
        found["rank"] = found["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
        found = found.sort_values(
            ["first", "rank", "column", "code"], kind="stable"
        ).reset_index(drop=True)

        exploded = found[["rows", "code", "severity", "column", "hint"]].explode("rows")
        exploded = exploded.rename(columns={"rows": "row"})
        exploded["row"] = exploded["row"].astype(int)
        exploded.insert(0, "finding", exploded.index.astype(int))
        exploded = exploded.reset_index(drop=True)

        findings = pd.DataFrame(
            {
                "code": found["code"].astype(str),
                "severity": found["severity"].astype(str),
                "row": [";".join(map(str, rows)) for rows in found["rows"]],
                "id": self._joined(found, "id"),
                "login": self._joined(found, "login"),
                "column": found["column"].astype(str),
                "value": found["value"].astype(str),
                "hint": found["hint"].astype(str),
            }
        )
        return findings, exploded

    def _joined(self, found: pd.DataFrame, attribute: str) -> list[str]:
        """The attribute's values on each finding's rows, joined by ';'."""
        if attribute not in self.table.columns:
            return [""] * len(found)
        column = self.table[attribute]
        result = column.reindex(found["first"]).fillna("").astype(str).tolist()
        # Look up every row of the multi-row findings at once, not per finding.
        groups = [(p, rows) for p, rows in enumerate(found["rows"]) if len(rows) > 1]
        if not groups:
            return result
        flat = [row for _, rows in groups for row in rows]
        values = iter(column.loc[flat].tolist())
        for position, rows in groups:
            members = [next(values) for _ in rows]
            result[position] = ";".join(v for v in members if v)
        return result
