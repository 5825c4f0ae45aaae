"""Counts, findings reports, rejects files and the readable summary."""

from __future__ import annotations

import itertools
import json
import unicodedata
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import pandas as pd

from .csvio import atomic_file, write_frame
from .users import ANNOTATION_PREFIX
from .validate import FINDING_COLUMNS, Validation

REJECT_COLUMNS = [
    f"{ANNOTATION_PREFIX}row",
    f"{ANNOTATION_PREFIX}codes",
    f"{ANNOTATION_PREFIX}reasons",
]


@dataclass
class Summary:
    """What happened to every input row; the counts add up."""

    source: str
    template: str
    read: int
    dropped_blank: int
    rejected: int
    written: int
    errors: int
    warnings: int
    infos: int
    held_back: int = 0
    files: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        validation: Validation,
        written: int,
        files: list[Path],
        held_back: int = 0,
        templates: list[str] | None = None,
    ) -> Summary:
        """Summarise a run; ``templates`` names all of a run's templates."""
        users = validation.users
        return cls(
            held_back=held_back,
            source=users.source,
            template=", ".join(templates or [validation.template.name]),
            read=users.rows_read,
            dropped_blank=users.dropped_blank,
            rejected=len(validation.rejected),
            written=written,
            errors=validation.count("error"),
            warnings=validation.count("warning"),
            infos=validation.count("info"),
            files=[str(path) for path in files],
            left_out=[
                f"{c.header} (no {' or '.join(c.source)} in the input)"
                for c in validation.left_out
            ],
            notes=list(users.notes),
        )

    @property
    def adds_up(self) -> bool:
        return self.read == (
            self.written + self.held_back + self.rejected + self.dropped_blank
        )

    @property
    def exit_code(self) -> int:
        """0 when nothing was rejected, 1 when rows were rejected."""
        return 1 if self.rejected or self.errors else 0

    def line(self, written: str = "written") -> str:
        """The one-line summary printed at the end of a run."""
        held = f", {self.held_back} held back by --strict" if self.held_back else ""
        return (
            f"{self.read} rows read: {self.written} {written}{held}, {self.rejected} "
            f"rejected, {self.dropped_blank} blank dropped; {self.errors} errors, "
            f"{self.warnings} warnings, {self.infos} cleaned."
        )

    def text(self) -> str:
        """The summary file's text."""
        lines = [
            "okta2hrmos summary",
            "",
            f"input:     {self.source}",
            f"template:  {self.template}",
            "",
            f"rows read:        {self.read}",
            f"written:          {self.written}",
            f"rejected:         {self.rejected}",
            f"blank, dropped:   {self.dropped_blank}",
            f"adds up:          {'yes' if self.adds_up else 'NO'}",
            "",
            f"findings: {self.errors} errors, {self.warnings} warnings, "
            f"{self.infos} cleaned",
        ]
        if self.files:
            lines += ["", "files:"] + [f"  {Path(name).name}" for name in self.files]
        if self.left_out:
            lines += ["", "columns left out (never written blank):"]
            lines += [f"  {text}" for text in self.left_out]
        if self.notes:
            lines += ["", "notes:"] + [f"  {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def write_findings(findings: pd.DataFrame, path: Path) -> None:
    """Write the findings as CSV (UTF-8 with BOM) or JSON, by the file's suffix."""
    if path.suffix.lower() == ".json":
        records = [
            {**record, "row": [int(r) for r in record["row"].split(";")]}
            for record in findings[FINDING_COLUMNS].to_dict(orient="records")
        ]
        with atomic_file(path) as handle:
            handle.write(
                json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")
                + b"\n"
            )
        return
    write_frame(
        path,
        [FINDING_COLUMNS],
        findings[FINDING_COLUMNS],
    )


def write_rejects(validation: Validation, path: Path) -> None:
    """Write each rejected row with its original values and, added, the reasons."""
    table = validation.users.table
    rejected = validation.rejected
    errors = validation.finding_rows[validation.finding_rows["severity"] == "error"]
    errors = errors.sort_values(["row", "finding"], kind="stable")
    codes = _join_by_row(errors["row"], errors["code"], ";")
    reasons = (
        errors["column"].where(errors["column"].ne(""), "row")
        + ": "
        + errors["code"]
        + " ("
        + errors["hint"]
        + ")"
    )
    reasons = _join_by_row(errors["row"], reasons, " | ")

    originals = table.loc[rejected]
    annotations = pd.DataFrame(
        {
            REJECT_COLUMNS[0]: [str(row) for row in rejected],
            REJECT_COLUMNS[1]: codes.reindex(rejected, fill_value="").tolist(),
            REJECT_COLUMNS[2]: reasons.reindex(rejected, fill_value="").tolist(),
        },
        index=rejected,
    )
    rows = pd.concat([originals.astype(str), annotations], axis=1)
    write_frame(
        path,
        [list(rows.columns)],
        rows,
        bom=True,
        line_ending="crlf",
    )


def _join_by_row(rows: pd.Series, values: pd.Series, separator: str) -> pd.Series:
    """Join each row's distinct values, in order; ``rows`` comes sorted.

    One pass over plain lists: a groupby with a Python function per group
    slices a Series for every rejected row.
    """
    pairs = zip(rows.tolist(), values.tolist(), strict=True)
    joined = {
        row: separator.join(dict.fromkeys(value for _, value in group))
        for row, group in itertools.groupby(pairs, key=itemgetter(0))
    }
    return pd.Series(joined, dtype=object)


def findings_table(
    findings: pd.DataFrame,
    limit: int = 40,
    more: str = "write them all with --report",
) -> str:
    """Render findings as a plain table for the terminal, longest cells cut."""
    if findings.empty:
        return "No findings."
    shown = findings.head(limit)
    columns = ["severity", "code", "row", "login", "column", "value", "hint"]
    # The hint, last, is never cut: it says how to fix the row.
    widths = {
        "severity": 8,
        "code": 18,
        "row": 9,
        "login": 26,
        "column": 14,
        "value": 22,
        "hint": None,
    }

    lines = ["  ".join(_fit(name.upper(), widths[name]) for name in columns)]
    for record in shown[columns].itertuples(index=False, name=None):
        cells = zip(columns, record, strict=True)
        lines.append("  ".join(_fit(str(v), widths[n]) for n, v in cells).rstrip())
    if len(findings) > limit:
        lines.append(f"… and {len(findings) - limit} more; {more}.")
    return "\n".join(lines)


def _fit(text: str, width: int | None) -> str:
    """Cut or pad text to a terminal width, counting wide characters as two."""
    text = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode()
        for char in text
    )
    if width is None:
        return text
    if _width(text) > width:
        kept, used = [], 0
        for char in text:
            used += _width(char)
            if used > width - 1:
                break
            kept.append(char)
        text = "".join(kept) + "…"
    return text + " " * (width - _width(text))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
