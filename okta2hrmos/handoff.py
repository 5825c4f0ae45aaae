"""The hand-off package for HR admins: what they upload, review and keep.

A package folder holds the HRMOS import files numbered in upload order (each
also cut into a one-person trial and the rest), the rejected rows with their
reasons, a review workbook (every cell text), a README in Japanese and
English with the upload steps and everything to check first, and a manifest
that records what made the package. The same input gives the same bytes in
every file; only the manifest's ``created_at`` differs between runs. The
README's text is rendered by ``handoff_readme``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import xlsxwriter

from . import __version__, hrmos, report, rules
from .csvio import TEXT, atomic_file, read_csv, staged_folder, write_text
from .reconcile import (
    JAPAN,
    LEAVING_DATE_HEADER,
    NAME_ATTRIBUTES,
    NOTICES,
    Reconciliation,
    code_column,
    iso_dates,
)
from .report import Summary
from .templates import Template
from .validate import Validation, comparison_key

README = "README.md"
REVIEW = "review.xlsx"
MANIFEST = "manifest.json"
REJECTS = "rejects.csv"
FINDINGS = "findings.csv"
SUMMARY = "summary.txt"

# xlsxwriter stamps the workbook with its creation time unless told one;
# a fixed stamp keeps the workbook byte-identical between runs.
WORKBOOK_CREATED = datetime(2000, 1, 1, tzinfo=UTC)

SECRET_OPTION = re.compile(r"token|secret|password|passwd|api[-_]?key", re.IGNORECASE)
# Options that name where a secret is, not the secret: their values are kept.
POINTER_OPTION = re.compile(r"-(env|file)(=|$)")

KINDS = ("register", "edit", "leavers")

REGISTER_SCREEN = "社員の一括登録"
EDIT_SCREEN = "社員の一括編集(ファイル)"
LEAVERS_SECTION = "業務情報 > 入社・退職"


SHEET_SUMMARY = "概要 Summary"
SHEET_REJECTS = "却下 Rejects"
SHEET_CHANGES = "変更 Changes"
SHEET_LEAVERS = "退職候補 Leavers"
SHEET_CONFLICTS = "要確認 Conflicts"
SHEET_HELD = "保留 Held"
# The people categories of a reconciliation: (日本語, English).
CATEGORY_TEXTS = {
    "new": ("新規", "new"),
    "changed": ("変更あり", "changed"),
    "unchanged": ("変更なし", "unchanged"),
    "leaver": ("退職候補", "leavers"),
    "conflict": ("要確認", "conflicts"),
    "retired": ("退職済み", "already retired"),
    "skipped": ("対象外", "skipped"),
    "held": ("保留", "held"),
}

# What each category means: (日本語, English).
CATEGORY_MEANINGS = {
    "new": (
        "Okta にいて HRMOS にいない人。登録ファイルに入れました",
        "in Okta, not in HRMOS: in the registration file",
    ),
    "changed": (
        "両方にいて値が違う人。編集ファイルに入れました",
        "in both, with a value that differs: in an edit file",
    ),
    "unchanged": (
        "両方にいて値が同じ人。どのファイルにも入れていません",
        "in both, with the same values: in no file",
    ),
    "leaver": (
        "HRMOS で在籍中 (退職日なし) で、Okta で無効か Okta にいない人",
        "active in HRMOS (no 退職日), but deactivated in Okta or not in it",
    ),
    "conflict": (
        "人が判断する必要があるため、どのファイルにも入れていない人",
        "in no file, because a person has to decide",
    ),
    "retired": (
        "HRMOS に退職日があり、Okta でも無効かいない人。何もしません",
        "has a 退職日 in HRMOS and is deactivated in or gone from Okta: nothing to do",
    ),
    "skipped": (
        "Okta で無効で、HRMOS にいない人。登録しません",
        "deactivated in Okta and never in HRMOS: not registered",
    ),
    "held": (
        "HRMOS にいますが、Okta の行が却下されたため照合していない人。"
        "退職候補にもしません",
        "in HRMOS, but not compared because their Okta row was rejected; not "
        "taken for a leaver either",
    ),
}


@dataclass
class ImportFile:
    """One HRMOS import file of the package (possibly split into parts)."""

    number: int
    kind: str
    # The layout the file is written in, and the template it comes from.
    layout: Template
    template: Template
    rows: pd.DataFrame
    # The HRMOS section the file is for; "" for a 社員の一括登録 file, or
    # when the template names none.
    section: str = ""
    names: list[str] = field(default_factory=list)
    # The sheet of review.xlsx that shows each part.
    sheets: list[str] = field(default_factory=list)
    # The file cut into one person (the trial) and everyone else, and the
    # trial person's position in ``rows``.
    trial: list[str] = field(default_factory=list)
    trial_position: int = 0
    # For a leavers file, where its 退職日 come from: "okta" (the day Okta
    # deactivated them) or "effective" (the effective date, a placeholder).
    basis: str = ""

    @property
    def stem(self) -> str:
        return f"{self.number:02d}-{self.layout.name}"

    @property
    def screen(self) -> str:
        """The HRMOS screen that takes the file."""
        if self.kind == "register" and not self.section:
            return REGISTER_SCREEN
        return EDIT_SCREEN


@dataclass
class Package:
    """What was written into a package folder."""

    files: list[ImportFile]
    names: list[str]
    summary: Summary
    reconciliation: Reconciliation | None = None
    # (role, path) of each input: okta-users, hrmos-export.
    inputs: list[tuple[str, Path]] = field(default_factory=list)


def plan(
    validations: Sequence[Validation],
    reconciliation: Reconciliation | None = None,
    include_leavers: bool = False,
) -> list[ImportFile]:
    """Decide the import files and their rows, numbered in upload order.

    Without a reconciliation every accepted person goes to every template's
    registration file. With one, new people are registered, changed people
    go to an edit file per template and HRMOS section, and leavers, only when
    asked, to a file per basis of their 退職日 (Okta's, then placeholders);
    files without rows are left out.
    """
    files: list[ImportFile] = []
    for validation in validations:
        rows = hrmos.import_rows(validation)
        if reconciliation is not None:
            rows = rows.loc[rows.index.isin(reconciliation.register)]
            if rows.empty:
                continue
        template = validation.template
        files.append(
            ImportFile(0, "register", template, template, rows, _only_section(template))
        )
    if reconciliation is not None:
        for edit in reconciliation.edits:
            files.append(
                ImportFile(
                    0, "edit", edit.layout, edit.template, edit.rows, edit.section
                )
            )
        leaver_files = reconciliation.leaver_files if include_leavers else []
        for leaving in leaver_files:
            files.append(
                ImportFile(
                    0,
                    "leavers",
                    leaving.layout,
                    reconciliation.templates[0],
                    leaving.rows,
                    LEAVERS_SECTION,
                    basis=leaving.basis,
                )
            )
    for number, planned in enumerate(files, start=1):
        planned.number = number
    return files


def write_package(
    folder: Path,
    validations: Sequence[Validation],
    reconciliation: Reconciliation | None = None,
    *,
    include_leavers: bool = False,
    command: Sequence[str] = (),
    inputs: Sequence[tuple[str, Path]] = (),
    effective_date: date | None = None,
    now: datetime | None = None,
) -> Package:
    """Write the whole package into ``folder`` (a staging folder)."""
    first = validations[0]
    files = plan(validations, reconciliation, include_leavers)

    used = {SHEET_SUMMARY}
    for planned in files:
        written = hrmos.write_import_file(
            planned.rows, planned.layout, folder / f"{planned.stem}.csv"
        )
        planned.names = [path.name for path in written]
        planned.sheets = [_sheet_name(_fitting(path.stem), used) for path in written]
        _write_trial(folder, planned)
    report.write_rejects(first, folder / REJECTS)
    report.write_findings(first.findings, folder / FINDINGS)

    names = []
    for planned in files:
        names += planned.names + planned.trial
    names += [REJECTS, FINDINGS, REVIEW, README, SUMMARY]
    summary = Summary.of(
        first,
        written=len(first.accepted),
        files=[Path(n) for n in names + [MANIFEST]],
        templates=[validation.template.name for validation in validations],
    )
    package = Package(files, names, summary, reconciliation, list(inputs))

    summary_text = summary.text()
    if reconciliation is not None:
        summary_text += _reconciliation_text(reconciliation, files, package.inputs)
    write_text(folder / SUMMARY, summary_text)
    write_review(folder / REVIEW, folder, package, first)
    # The README module builds on this one's model, so it is imported when used.
    from .handoff_readme import render_readme

    write_text(folder / README, render_readme(package, first, include_leavers))
    manifest = build_manifest(
        folder, package, validations, command, inputs, effective_date, now
    )
    write_text(folder / MANIFEST, manifest)
    package.names.append(MANIFEST)
    return package


@contextlib.contextmanager
def package_folder(out_dir: Path) -> Iterator[Path]:
    """Stage a package, move it into ``out_dir``, then drop the old one's leftovers.

    A file the previous package listed in its manifest but this one does not
    write (an edit file from last month, say) is removed, so nobody uploads
    it again by mistake. Nothing is removed when the run fails.
    """
    previous = _previous_names(out_dir)
    with staged_folder(out_dir) as staging:
        yield staging
        current = {path.name for path in staging.iterdir()}
    for name in sorted(previous - current):
        path = out_dir / name
        if path.is_file() and not path.is_symlink():
            path.unlink()


def safe_command(argv: Sequence[str]) -> list[str]:
    """Return a command line with the values of secret-looking options hidden."""
    shown: list[str] = []
    hide_next = False
    for argument in argv:
        if hide_next:
            shown.append("***")
            hide_next = False
            continue
        name = argument.split("=", 1)[0]
        if (
            argument.startswith("-")
            and SECRET_OPTION.search(name)
            and not POINTER_OPTION.search(name)
        ):
            if "=" in argument:
                shown.append(argument.split("=", 1)[0] + "=***")
            else:
                shown.append(argument)
                hide_next = True
            continue
        shown.append(re.sub(r"(://)[^/@\s]+@", r"\1***@", argument))
    return shown


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_manifest(
    folder: Path,
    package: Package,
    validations: Sequence[Validation],
    command: Sequence[str],
    inputs: Sequence[tuple[str, Path]],
    effective_date: date | None,
    now: datetime | None = None,
) -> str:
    """The manifest's JSON text: provenance, counts and every file's hash."""
    first = validations[0]
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    counts: dict[str, object] = {
        "read": first.users.rows_read,
        "dropped_blank": first.users.dropped_blank,
        "rejected": len(first.rejected),
        "accepted": len(first.accepted),
        "written": {
            name: len(part)
            for planned in package.files
            for name, part in zip(planned.names, file_parts(planned), strict=True)
        },
    }
    if package.reconciliation is not None:
        counts["reconciliation"] = package.reconciliation.counts
        counts["hrmos_active"] = package.reconciliation.hrmos_active
    manifest = {
        "okta2hrmos": __version__,
        "created_at": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": safe_command(command),
        "effective_date": effective_date.isoformat() if effective_date else None,
        "inputs": [
            {
                "role": role,
                "path": str(path),
                "sha256": file_sha256(path),
                "bytes": path.stat().st_size,
                "modified": datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                ),
            }
            for role, path in inputs
        ],
        "templates": [
            {
                "name": v.template.name,
                "sha256": v.template.sha256,
                "provisional": v.template.provisional,
            }
            for v in validations
        ],
        "counts": counts,
        "files": [
            {
                "name": name,
                "sha256": file_sha256(folder / name),
                "bytes": (folder / name).stat().st_size,
            }
            for name in package.names
        ],
    }
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"


def file_parts(planned: ImportFile) -> list[pd.DataFrame]:
    size = planned.layout.rows_per_file or max(len(planned.rows), 1)
    parts = [
        planned.rows.iloc[start : start + size]
        for start in range(0, len(planned.rows), size)
    ]
    return parts or [planned.rows]


def _previous_names(out_dir: Path) -> set[str]:
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        names = {entry["name"] for entry in manifest["files"]} | {MANIFEST}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {n for n in names if isinstance(n, str) and n == Path(n).name}


def _only_section(template: Template) -> str:
    """The one HRMOS section all of a template's fields are in, else ""."""
    code = code_column(template)
    found = {c.section for c in template.columns if c is not code}
    return found.pop() if len(found) == 1 else ""


def _write_trial(folder: Path, planned: ImportFile) -> None:
    """Cut a one-part file of two or more people into one person and the rest.

    Uploading one person first shows whether HRMOS reads the layout as
    intended before the others go in; the two files together equal the
    whole. The trial person is the one with the most filled cells, so the
    trial tests as many columns as it can.
    """
    if len(planned.names) != 1 or len(planned.rows) < 2:
        return
    filled = planned.rows.ne("").sum(axis=1).to_numpy()
    position = int(filled.argmax())
    names = [f"{planned.stem}.1-trial-row.csv", f"{planned.stem}.2-other-rows.csv"]
    single = dataclasses.replace(planned.layout, rows_per_file=None)
    others = [p for p in range(len(planned.rows)) if p != position]
    hrmos.write_import_file(planned.rows.iloc[[position]], single, folder / names[0])
    hrmos.write_import_file(planned.rows.iloc[others], single, folder / names[1])
    planned.trial = names
    planned.trial_position = position


def _reconciliation_text(
    reconciliation: Reconciliation,
    files: list[ImportFile],
    inputs: Sequence[tuple[str, Path]],
) -> str:
    counts = reconciliation.counts
    exports = [path for role, path in inputs if role == "hrmos-export"]
    lines = [
        "",
        "compared with HRMOS (effective date "
        f"{slashed(reconciliation.effective_date)}):",
        f"  HRMOS export:   {exports[0].name + ', ' if exports else ''}"
        f"{reconciliation.hrmos_rows} people, {reconciliation.hrmos_active} active",
    ]
    lines += [f"  {name + ':':<15} {counts[name]}" for name in counts]
    notices = reconciliation.notices
    by_code = notice_counts(reconciliation)
    lines.append(
        f"  {'notices:':<15} {len(notices)} on new people"
        + (f" ({by_code})" if by_code else "")
    )
    lines += ["", "import files:"]
    lines += [
        f"  {name}: {len(part)} {planned.kind}"
        + (f" ({planned.section})" if planned.section else "")
        for planned in files
        for name, part in zip(planned.names, file_parts(planned), strict=True)
    ] or ["  none: nothing to upload"]
    if len(notices):
        lines += ["", "to check before uploading (notices on new people):"]
        lines += [
            f"  {record.code} {record.name}: {record.notice}: {record.text}"
            for record in notices.itertuples(index=False)
        ]
    if reconciliation.notes:
        lines += ["", "notes:"] + [f"  {note}" for note in reconciliation.notes]
    return "\n".join(lines) + "\n"


def notice_counts(reconciliation: Reconciliation) -> str:
    """The notices on new people by code, with their counts: old-hire-date 4, …"""
    notices = reconciliation.notices["notice"]
    return ", ".join(
        f"{code} {int(notices.eq(code).sum())}"
        for code in NOTICES
        if notices.eq(code).any()
    )


# The review workbook ---------------------------------------------------------


def write_review(path: Path, folder: Path, package: Package, first: Validation) -> None:
    """Write review.xlsx: a summary, one sheet per import file, the rejects."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties(
        {
            "title": "okta2hrmos review",
            "author": "okta2hrmos",
            "comments": "Every cell is text; this workbook is not an import file.",
            "created": WORKBOOK_CREATED,
        }
    )
    styles = _Styles(workbook)
    sheet_names = {SHEET_SUMMARY} | {s for f in package.files for s in f.sheets}

    _write_sheet(
        workbook,
        styles,
        SHEET_SUMMARY,
        [["項目", "Item", "値 / Value", "説明", "Meaning"]],
        _summary_rows(package, first),
    )

    people = Names(first)
    for planned in package.files:
        marks = _file_marks(planned, first, package.reconciliation)
        offset = 0
        parts = file_parts(planned)
        for name, sheet, part in zip(planned.names, planned.sheets, parts, strict=True):
            written = read_csv(folder / name)
            header_rows = [written.header] + [
                list(r) for r in planned.layout.header_rows[1:]
            ]
            body = written.cells.iloc[len(header_rows) - 1 :]
            part_marks = {
                (r - offset, c): m
                for (r, c), m in marks.items()
                if offset <= r < offset + len(part)
            }
            _write_sheet(
                workbook,
                styles,
                sheet,
                header_rows,
                body.itertuples(index=False, name=None),
                part_marks,
            )
            offset += len(part)

    rejects = read_csv(folder / REJECTS)
    _write_sheet(
        workbook,
        styles,
        _sheet_name(SHEET_REJECTS, sheet_names),
        [rejects.header],
        rejects.cells.itertuples(index=False, name=None),
        _reject_marks(first, rejects.header),
    )

    if package.reconciliation is not None:
        _write_reconciliation_sheets(
            workbook, styles, sheet_names, package, first, people
        )

    workbook.close()
    with atomic_file(path) as handle:
        handle.write(buffer.getvalue())


class _Styles:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        text = {"num_format": "@", "valign": "top"}
        self.text = workbook.add_format(text)
        self.header = workbook.add_format(
            {**text, "bold": True, "bg_color": "#D9E1F2", "bottom": 1}
        )
        self.error = workbook.add_format(
            {**text, "bg_color": "#FFC7CE", "font_color": "#9C0006"}
        )
        self.warning = workbook.add_format({**text, "bg_color": "#FFEB9C"})
        self.changed = workbook.add_format({**text, "bg_color": "#C6EFCE"})


def _write_sheet(
    workbook: xlsxwriter.Workbook,
    styles: _Styles,
    name: str,
    header_rows: list[list[str]],
    rows,
    marks: dict[tuple[int, int], tuple[str, str]] | None = None,
) -> None:
    """Write a table: every cell a string, problem cells coloured with a note."""
    marks = marks or {}
    sheet = workbook.add_worksheet(name)
    widths: dict[int, int] = {}
    for r, header in enumerate(header_rows):
        for c, value in enumerate(header):
            sheet.write_string(r, c, str(value), styles.header)
            widths[c] = max(widths.get(c, 0), _width(str(value)))
    first_data = len(header_rows)
    count = 0
    for position, row in enumerate(rows):
        count += 1
        for c, value in enumerate(row):
            text = "" if value is None else str(value)
            mark = marks.get((position, c))
            style = getattr(styles, mark[0]) if mark else styles.text
            sheet.write_string(first_data + position, c, text, style)
            if mark and mark[1]:
                sheet.write_comment(first_data + position, c, mark[1])
            if position < 1000:
                widths[c] = max(widths.get(c, 0), _width(text))
    for c, width in widths.items():
        sheet.set_column(c, c, min(max(width + 2, 8), 60), styles.text)
    sheet.freeze_panes(first_data, 0)
    if widths:
        sheet.autofilter(first_data - 1, 0, first_data - 1 + count, max(widths))


def _summary_rows(package: Package, first: Validation) -> list[list[str]]:
    """The Summary sheet: item, its value, and what it means, in both languages."""
    users = first.users
    rows = []
    for role, path in inputs_by_role(package, first):
        if role == "okta-users":
            rows.append(
                [
                    "Okta のファイル",
                    "Okta input",
                    path.name if path else users.source,
                    "Okta から書き出したユーザー" + modified_clause(path, 0),
                    "the users exported from Okta" + modified_clause(path, 1),
                ]
            )
        else:
            rows.append(
                [
                    "HRMOS のファイル",
                    "HRMOS export",
                    path.name,
                    "照合に使った HRMOS の社員データ" + modified_clause(path, 0),
                    "the HRMOS export compared with" + modified_clause(path, 1),
                ]
            )
    rows += [
        [
            "読み込んだ行",
            "rows read",
            str(users.rows_read),
            "Okta のファイルの行数 (見出しを除く)",
            "rows of the Okta file, the header not counted",
        ],
        [
            "空行 (除外)",
            "blank rows dropped",
            str(users.dropped_blank),
            "中身が空の行。数えて除外しました",
            "rows with nothing in them, counted and left out",
        ],
        [
            "却下",
            "rejected",
            str(len(first.rejected)),
            f"検査を通らなかった人。どのファイルにも入っていません ({SHEET_REJECTS})",
            f"failed the checks; in no file ({SHEET_REJECTS})",
        ],
        [
            "検査を通った人",
            "accepted",
            str(len(first.accepted)),
            "検査を通った人"
            + ("。照合の結果、下の分類に分かれます" if package.reconciliation else ""),
            "passed the checks"
            + ("; the comparison sorts them below" if package.reconciliation else ""),
        ],
        [
            "注意",
            "warnings",
            str(first.count("warning")),
            "確かめてほしい値。一覧は README.md の 4 (ファイルにある値は黄色のセル)",
            "values to check, listed in 4 of README.md (yellow where in a file)",
        ],
        [
            "書き直し",
            "cleaned",
            str(first.count("info")),
            "書き方を整えた値 (空白・カナなど)。対応は不要です",
            "values tidied (spaces, kana, …); nothing to do",
        ],
    ]
    if package.reconciliation is not None:
        counts = notice_counts(package.reconciliation)
        rows.append(
            [
                "新規の人の確認事項",
                "notices on new people",
                str(len(package.reconciliation.notices)),
                "新しく登録する人で確かめること。注意とは別に数えます"
                + (f" ({counts})" if counts else "")
                + "。一覧は README.md の 4 (黄色のセル)",
                "things to check about new people, counted apart from the warnings"
                + (f" ({counts})" if counts else "")
                + "; listed in 4 of README.md (yellow cells)",
            ]
        )
    for planned in package.files:
        for name, sheet, part in zip(
            planned.names, planned.sheets, file_parts(planned), strict=True
        ):
            where = planned.screen + (
                f" / {planned.section}" if planned.section else ""
            )
            rows.append(
                [
                    "取り込みファイル",
                    f"import file ({planned.kind})",
                    name,
                    f"{where} で取り込みます (シート {sheet})",
                    f"uploaded through {where} (sheet {sheet})",
                ]
            )
            rows.append(
                [
                    "  人数",
                    "  people",
                    str(len(part)),
                    "このファイルの人数 (見出しを除く行数)",
                    "people in the file (rows but the header)",
                ]
            )
    reconciliation = package.reconciliation
    if reconciliation is not None:
        rows.append(
            [
                "適用日",
                "effective date",
                slashed(reconciliation.effective_date),
                "編集ファイルの新しい値が HRMOS で有効になる日",
                "the day the edit files' new values take effect in HRMOS",
            ]
        )
        rows.append(
            [
                "HRMOS の在籍者",
                "active in HRMOS",
                str(reconciliation.hrmos_active),
                "HRMOS のファイルで退職日のない人",
                "people without a 退職日 in the HRMOS export",
            ]
        )
        for category, (japanese, english) in CATEGORY_TEXTS.items():
            meaning = CATEGORY_MEANINGS[category]
            rows.append(
                [
                    japanese,
                    english,
                    str(reconciliation.count(category)),
                    meaning[0],
                    meaning[1],
                ]
            )
    return rows


def _file_marks(
    planned: ImportFile, first: Validation, reconciliation: Reconciliation | None
) -> dict[tuple[int, int], tuple[str, str]]:
    """Cells to colour in an import file's sheet, by (row position, column).

    In an edit file a changed value is green, with HRMOS's current value in
    its note. A warning (or a notice to check) is yellow, and wins over
    green: a value to check must not look like an ordinary change.
    """
    marks: dict[tuple[int, int], tuple[str, str]] = {}
    if planned.kind == "leavers":
        return marks
    headers = planned.layout.headers
    positions = {row: p for p, row in enumerate(planned.rows.index)}
    by_attribute = headers_by_attribute(planned.layout)

    def add(cell: tuple[int, int], style: str, note: str) -> None:
        if cell in marks:
            style = "warning" if "warning" in (style, marks[cell][0]) else style
            note = f"{marks[cell][1]}\n{note}"
        marks[cell] = (style, note)

    if planned.kind == "edit" and reconciliation is not None:
        changes = reconciliation.changes
        changes = changes[changes["file"].eq(planned.template.name)]
        for record in changes.itertuples(index=False):
            position = positions.get(int(record.okta_row))
            if position is not None and record.column in headers:
                add(
                    (position, headers.index(record.column)),
                    "changed",
                    f"HRMOS の現在の値 / now in HRMOS: {record.old or '(空 / empty)'}",
                )
    flagged = first.finding_rows[first.finding_rows["severity"].eq("warning")]
    for record in flagged.itertuples(index=False):
        position = positions.get(record.row)
        if position is None:
            continue
        # A warning about a column the file lacks (status) marks the code.
        header = by_attribute.get(record.column, headers[0])
        column = headers.index(header) if header in headers else 0
        add((position, column), "warning", f"{record.code}: {record.hint}")
    if planned.kind == "register" and reconciliation is not None:
        for record in reconciliation.notices.itertuples(index=False):
            position = positions.get(int(record.okta_row))
            if position is None:
                continue
            header = record.column or _name_header(planned.layout) or headers[0]
            column = headers.index(header) if header in headers else 0
            add((position, column), "warning", f"{record.notice}: {record.text}")
    return marks


def headers_by_attribute(layout: Template) -> dict[str, str]:
    by_attribute: dict[str, str] = {}
    for column in layout.columns:
        for attribute in column.source:
            by_attribute.setdefault(attribute, column.header)
    return by_attribute


def _name_header(layout: Template) -> str | None:
    return headers_by_attribute(layout).get("lastName")


def _reject_marks(
    first: Validation, header: list[str]
) -> dict[tuple[int, int], tuple[str, str]]:
    """Colour each rejected row's problem cells (row-level ones: the reasons)."""
    positions = {int(row): p for p, row in enumerate(first.rejected)}
    reasons = len(header) - 1
    marks: dict[tuple[int, int], tuple[str, str]] = {}
    rows = first.finding_rows[first.finding_rows["row"].isin(first.rejected)]
    rank = {"info": 0, "warning": 1, "error": 2}
    rows = rows.assign(rank=rows["severity"].map(rank)).sort_values(
        ["rank", "finding"], kind="stable"
    )
    for record in rows.itertuples(index=False):
        if record.severity == "info":
            continue
        column = header.index(record.column) if record.column in header else reasons
        cell = (positions[int(record.row)], column)
        style = "error" if record.severity == "error" else "warning"
        note = f"{record.code}: {record.hint}"
        if cell in marks and marks[cell][0] == style:
            note = f"{marks[cell][1]}\n{note}"
        marks[cell] = (style, note)
    return marks


def _write_reconciliation_sheets(
    workbook: xlsxwriter.Workbook,
    styles: _Styles,
    sheet_names: set[str],
    package: Package,
    first: Validation,
    people: Names,
) -> None:
    reconciliation = package.reconciliation
    assert reconciliation is not None
    files = package.files
    okta_file, hrmos_file = input_names(package, first)

    changes = _change_rows(package, first, people)
    _write_sheet(
        workbook,
        styles,
        _sheet_name(SHEET_CHANGES, sheet_names),
        [
            [
                "社員コード",
                "氏名 / name",
                "セクション / section",
                "項目 / field",
                "HRMOS の値 / now",
                "新しい値 / new",
                "ファイル / file",
            ]
        ],
        [row for row, _ in changes],
        {
            (position, 5): ("warning", note)
            for position, (_, note) in enumerate(changes)
            if note
        },
    )

    leavers = reconciliation.leavers
    in_file = {
        int(row): name
        for planned in files
        if planned.kind == "leavers"
        for name, part in zip(planned.names, file_parts(planned), strict=True)
        for row in part.index
    }
    states = [
        in_file.get(int(row), "書いていません / not written (--include-leavers)")
        for row in leavers["hrmos_row"]
    ]
    extra = [c for c in leavers.columns if c not in LEAVER_FIELDS]
    date_format = reconciliation.leaver_template.columns[-1].date_format
    proposed = formatted_dates(leavers["leaving"], date_format)
    shown = leavers[extra].astype(str).copy()
    for header in extra:
        if header in _date_headers(reconciliation.templates):
            shown[header] = formatted_dates(shown[header], date_format, keep=True)
    rows = [
        [record.code, record.name, day, *leaving_basis(record), *_reason(record.reason)]
        + [state, *values]
        for day, record, state, values in zip(
            proposed,
            leavers.itertuples(index=False),
            states,
            shown.itertuples(index=False, name=None),
            strict=True,
        )
    ]
    _write_sheet(
        workbook,
        styles,
        _sheet_name(SHEET_LEAVERS, sheet_names),
        [
            [
                "社員コード",
                "氏名 / name",
                f"{LEAVING_DATE_HEADER} (案 / proposed)",
                "日付の根拠",
                "where the date comes from",
                "理由",
                "reason",
                "ファイル / file",
                *[f"{h} (HRMOS)" for h in extra],
            ]
        ],
        rows,
    )

    table = reconciliation.people
    conflicts = table[table["category"].eq("conflict")]
    _write_sheet(
        workbook,
        styles,
        _sheet_name(SHEET_CONFLICTS, sheet_names),
        [
            [
                "社員コード",
                "氏名 / name",
                "理由",
                "reason",
                f"Okta の行 / Okta row ({okta_file})",
                f"HRMOS の行 / HRMOS row ({hrmos_file})",
            ]
        ],
        (
            [code, name, *_reason(reason), row_number(okta), row_number(hrmos_row)]
            for code, name, reason, okta, hrmos_row in conflicts[
                ["code", "name", "reason", "okta_row", "hrmos_row"]
            ].itertuples(index=False, name=None)
        ),
    )

    _write_sheet(
        workbook,
        styles,
        _sheet_name(SHEET_HELD, sheet_names),
        [
            [
                "社員コード",
                "氏名 / name (HRMOS)",
                f"HRMOS の行 / HRMOS row ({hrmos_file})",
                f"却下された Okta の行 / rejected Okta row ({okta_file})",
                "却下の理由 / why rejected",
            ]
        ],
        (
            [held.code, held.name, held.hrmos_row, held.okta_rows, held.codes]
            for held in held_people(reconciliation, first)
        ),
    )


# The leavers table's own fields; the others are HRMOS's values.
LEAVER_FIELDS = (
    "code",
    "name",
    "leaving",
    "reason",
    "basis",
    "status_changed",
    "okta_row",
    "hrmos_row",
)


def leaving_basis(record) -> tuple[str, str]:
    """Where a proposed 退職日 comes from: (日本語, English)."""
    if record.basis == "okta":
        stamp = str(record.status_changed)
        moment = pd.Timestamp(stamp)
        # A stamp without an offset was read as UTC, like Okta's own (…Z).
        utc = moment.tzinfo is None or moment.utcoffset() == timedelta(0)
        if moment.tzinfo is None:
            moment = moment.tz_localize(UTC)
        clock = moment.tz_convert(JAPAN).strftime("%Y/%m/%d %H:%M")
        return (
            f"Okta で無効にされた日 (日本時間 {clock}。statusChanged {stamp}"
            + (" は UTC)" if utc else ")"),
            f"the day Okta deactivated the user, in Japan ({clock} Japan time; "
            f"statusChanged {stamp}" + (" is UTC)" if utc else ")"),
        )
    if record.reason.startswith("deactivated"):
        return (
            "Okta で無効ですが無効にされた日時がないため、適用日",
            "deactivated in Okta without a statusChanged: the effective date",
        )
    return (
        "Okta にいないため、適用日 (本当に退職したか確かめてください)",
        "not in the Okta export: the effective date (check they really left)",
    )


def _reason(reason: str) -> tuple[str, str]:
    return in_japanese(reason), reason


def _change_rows(
    package: Package, first: Validation, people: Names
) -> list[tuple[list[str], str]]:
    """The Changes sheet's rows, each with the note of a warning on its new value."""
    reconciliation = package.reconciliation
    assert reconciliation is not None
    where = {}
    for planned in package.files:
        if planned.kind == "edit":
            for header in planned.layout.headers[1:]:
                where[(planned.template.name, header)] = (
                    planned.section,
                    planned.names,
                )
    warnings = _warnings_by_cell(first, reconciliation.templates)
    rows = []
    for record in reconciliation.changes.itertuples(index=False):
        section, names = where.get((record.file, record.column), ("", []))
        row = int(record.okta_row)
        rows.append(
            (
                [
                    record.code,
                    people.okta(row),
                    section,
                    record.column,
                    record.old,
                    record.new,
                    ", ".join(names),
                ],
                warnings.get((row, record.column), ""),
            )
        )
    return rows


def _warnings_by_cell(
    first: Validation, templates: Sequence[Template]
) -> dict[tuple[int, str], str]:
    """Warning notes by (Okta row, template header)."""
    headers: dict[str, list[str]] = {}
    for template in templates:
        for column in template.columns:
            for attribute in column.source:
                headers.setdefault(attribute, []).append(column.header)
    notes: dict[tuple[int, str], str] = {}
    flagged = first.finding_rows[first.finding_rows["severity"].eq("warning")]
    for record in flagged.itertuples(index=False):
        for header in headers.get(record.column, []):
            key = (int(record.row), header)
            text = f"{record.code}: {record.hint}"
            notes[key] = f"{notes[key]}\n{text}" if key in notes else text
    return notes


def _date_headers(templates: Sequence[Template]) -> set[str]:
    return {c.header for t in templates for c in t.columns if "date" in c.rules}


def formatted_dates(values: pd.Series, pattern: str, keep: bool = False) -> list[str]:
    """Dates written in ``pattern``; with ``keep``, a non-date stays as it is."""
    text = values.astype(TEXT).reset_index(drop=True)
    iso = iso_dates(text)
    shown = rules.format_dates(iso.fillna("").astype(TEXT), pattern)
    if keep:
        shown = shown.where(iso.notna(), text)
    return [str(value) for value in shown]


@dataclass
class _Held:
    code: str
    name: str
    hrmos_row: str
    okta_rows: str
    codes: str


def _rejected_codes(first: Validation) -> pd.Series:
    """The 社員コード each rejected row would have been written with, or blank."""
    code = code_column(first.template).header
    rejected = first.rejected
    if code not in first.prepared.columns:
        return pd.Series("", index=rejected, dtype=TEXT)
    return first.prepared.loc[rejected, code].astype(TEXT)


def held_people(reconciliation: Reconciliation, first: Validation) -> list[_Held]:
    """The people held back: in HRMOS, but their Okta row was rejected."""
    table = reconciliation.people
    held = table[table["category"].eq("held")]
    if held.empty:
        return []
    rejected = first.rejected
    codes = _rejected_codes(first)
    by_key: dict[str, list[int]] = {}
    for row, key in zip(rejected, comparison_key(codes), strict=True):
        by_key.setdefault(str(key), []).append(int(row))
    errors = first.finding_rows[first.finding_rows["severity"].eq("error")]
    found = []
    for record, key in zip(
        held.itertuples(index=False), comparison_key(held["code"]), strict=True
    ):
        rows = by_key.get(str(key), [])
        reasons = errors.loc[errors["row"].isin(rows), "code"]
        found.append(
            _Held(
                code=record.code,
                name=record.name,
                hrmos_row=row_number(record.hrmos_row),
                okta_rows=", ".join(map(str, rows)),
                codes=", ".join(dict.fromkeys(reasons)),
            )
        )
    return found


@dataclass
class Rejected:
    """A rejected Okta row, and whether HRMOS holds its 社員コード."""

    row: int
    code: str
    name: str
    codes: str
    # None when the row has no 社員コード to look for, or nothing was compared.
    in_hrmos: bool | None


def rejected_people(
    first: Validation, reconciliation: Reconciliation | None
) -> list[Rejected]:
    """The rejected rows in Okta's order, each told held in HRMOS or not there."""
    rejected = first.rejected
    codes = _rejected_codes(first)
    held: set[str] = set()
    if reconciliation is not None:
        people = reconciliation.people
        held = set(comparison_key(people.loc[people["hrmos_row"].notna(), "code"]))
    errors = first.finding_rows[first.finding_rows["severity"].eq("error")]
    reasons = errors.groupby("row", sort=False)["code"].agg(
        lambda found: ", ".join(dict.fromkeys(found))
    )
    names = Names(first)
    found = []
    for row, value, key in zip(rejected, codes, comparison_key(codes), strict=True):
        known = reconciliation is not None and bool(key)
        found.append(
            Rejected(
                row=int(row),
                code=str(value),
                name=names.okta(int(row)),
                codes=str(reasons.get(row, "")),
                in_hrmos=(key in held) if known else None,
            )
        )
    return found


class Names:
    """People's names (姓 名) by Okta row, for the sheets and the README."""

    def __init__(self, first: Validation) -> None:
        table = first.users.table
        parts = [table[a].fillna("").str.strip() for a in NAME_ATTRIBUTES if a in table]
        joined = parts[0] if parts else pd.Series("", index=table.index, dtype=TEXT)
        for part in parts[1:]:
            joined = joined + " " + part
        self.by_row = {int(r): str(n).strip() for r, n in joined.items()}

    def okta(self, row: int) -> str:
        return self.by_row.get(int(row), "")


# Japanese for the reasons reconciliation gives, by how each one starts.
REASONS_IN_JAPANESE = (
    ("deactivated (DEPROVISIONED)", "Okta で無効 (退職) になっています"),
    ("not in the Okta export", "Okta のエクスポートにいません"),
    ("login ", "同じログインが HRMOS では別の社員コードにあります"),
    ("email ", "同じメールアドレスが HRMOS では別の社員コードにあります"),
    ("several Okta users share", "Okta の複数の人が同じ社員コードです"),
    ("retired in HRMOS", "HRMOS では退職済みですが、Okta では有効です"),
    (
        "HRMOS already holds a record",
        "HRMOS に適用日より後の記録があるため、この適用日では取り込めません",
    ),
    ("no ", "社員コードがないため照合できません"),
)


def in_japanese(reason: str) -> str:
    for start, japanese in REASONS_IN_JAPANESE:
        if reason.startswith(start):
            return japanese
    return ""


def row_number(value) -> str:
    return "" if pd.isna(value) else str(int(value))


def _fitting(stem: str) -> str:
    """A file's stem short enough for a sheet name (31 characters).

    Keeps the number and as many whole trailing parts as fit: the section
    and part at the end tell files of one template apart.
    """
    if len(stem) <= 31:
        return stem
    number, _, rest = stem.partition("-")
    pieces = rest.split("-")
    while pieces and len(number) + 2 + len("-".join(pieces)) > 31:
        pieces = pieces[1:]
    return f"{number}-…" + ("-" + "-".join(pieces) if pieces else "")


def _sheet_name(wanted: str, used: set[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    name = re.sub(r"[\[\]:*?/\\]", "_", wanted)[:31]
    candidate, number = name, 2
    while candidate.casefold() in {u.casefold() for u in used}:
        suffix = f" ({number})"
        candidate = name[: 31 - len(suffix)] + suffix
        number += 1
    used.add(candidate)
    return candidate


def _width(text: str) -> int:
    line = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def inputs_by_role(
    package: Package, first: Validation
) -> list[tuple[str, Path | None]]:
    """The inputs by role; the Okta one even when read straight from Okta."""
    given: list[tuple[str, Path | None]] = list(package.inputs)
    if not any(role == "okta-users" for role, _ in given):
        given.insert(0, ("okta-users", None))
    return given


def input_names(package: Package, first: Validation) -> tuple[str, str]:
    names = {
        role: path.name if path else "" for role, path in inputs_by_role(package, first)
    }
    return names.get("okta-users") or "Okta", names.get("hrmos-export", "HRMOS")


def modified_clause(path: Path | None, language: int) -> str:
    """When an input file was last modified, in Japan, as a clause."""
    if path is None or not path.exists():
        return ""
    moment = datetime.fromtimestamp(path.stat().st_mtime, JAPAN)
    stamp = moment.strftime("%Y/%m/%d %H:%M")
    return (
        f" (最終更新 {stamp} 日本時間)"
        if language == 0
        else (f" (last modified {stamp}, Japan time)")
    )


def slashed(day: date) -> str:
    return day.strftime("%Y/%m/%d")
