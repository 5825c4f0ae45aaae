"""The hand-off package for HR admins: what they upload, review and keep.

A package folder holds the HRMOS import files numbered in upload order, the
rejected rows with their reasons, a review workbook (every cell text), a
README in Japanese and English with the upload steps, and a manifest that
records what made the package. The same input gives the same bytes in every
file; only the manifest's ``created_at`` differs between runs.
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
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from . import __version__, hrmos, report, rules
from .csvio import TEXT, atomic_file, read_csv, staged_folder, write_text
from .reconcile import LEAVING_DATE_HEADER, Reconciliation
from .report import Summary
from .templates import Template
from .validate import Validation

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

# What each finding code means, for the HR admin: (日本語, English).
FINDING_TEXTS = {
    "missing-required": ("必須の項目が空です", "a required value is empty"),
    "duplicate-key": (
        "社員コード・ログイン・メールが他の人と重複しています",
        "employee code, login or email is shared with someone else",
    ),
    "invalid-email": ("メールアドレスの形式ではありません", "not an email address"),
    "invalid-date": ("日付として読めません", "not a valid date"),
    "ambiguous-date": (
        "月と日の区別がつかない日付です (04/01/2024 など)",
        "day and month cannot be told apart (like 04/01/2024)",
    ),
    "invalid-code": (
        "社員コードに使えない文字があります",
        "the employee code holds characters it may not hold",
    ),
    "invalid-kana": (
        "フリガナにカタカナ以外の文字があります",
        "the kana reading holds other scripts",
    ),
    "too-long": ("文字数が上限を超えています", "longer than allowed"),
    "line-break": (
        "1 行で書く項目に改行があります",
        "a line break in a one-line field",
    ),
    "wrong-field-count": (
        "列の数が見出しと合いません (カンマや引用符のずれ)",
        "the row has more or fewer fields than the header",
    ),
    "unmapped-value": (
        "対応表にない値です (部署名など)",
        "the value is missing from the mapping table",
    ),
    "formula-like": (
        "= + - @ で始まる値です。Excel では数式として動くので、CSV を Excel で"
        "開かないでください",
        "starts with = + - or @, which Excel runs as a formula: never open the CSV "
        "in Excel",
    ),
    "non-bmp-character": (
        "一部のシステムで消える文字 (𠮷 など) があります",
        "holds a character such as 𠮷 that some systems drop",
    ),
    "deprovisioned-user": (
        "Okta では無効 (退職者) です。登録すると在籍中の社員になります",
        "deactivated in Okta (a leaver); registering makes them an active employee",
    ),
}

# Names of the people categories of a reconciliation: (日本語, English).
CATEGORY_TEXTS = {
    "new": ("新規 (登録ファイルへ)", "new (registration file)"),
    "changed": ("変更あり (編集ファイルへ)", "changed (edit file)"),
    "unchanged": ("変更なし (どのファイルにも入れていません)", "unchanged (no file)"),
    "leaver": ("退職候補", "leavers"),
    "conflict": ("要確認 (どのファイルにも入れていません)", "conflicts (no file)"),
    "retired": ("退職済み (何もしません)", "already retired (nothing to do)"),
    "skipped": (
        "Okta で無効・HRMOS 未登録 (登録しません)",
        "deactivated in Okta, never in HRMOS (not registered)",
    ),
    "held": (
        "Okta 側の行が却下されたため照合していません",
        "not compared: the Okta row was rejected",
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
    names: list[str] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return f"{self.number:02d}-{self.layout.name}"


@dataclass
class Package:
    """What was written into a package folder."""

    files: list[ImportFile]
    # The one-row-first alternative to the first registration file.
    trial: list[str]
    names: list[str]
    summary: Summary
    reconciliation: Reconciliation | None = None


def plan(
    validations: Sequence[Validation],
    reconciliation: Reconciliation | None = None,
    include_leavers: bool = False,
) -> list[ImportFile]:
    """Decide the import files and their rows, numbered in upload order.

    Without a reconciliation every accepted person goes to every template's
    registration file. With one, new people are registered, changed people
    go to an edit file per template, and leavers to the leavers file only
    when asked; files without rows are left out.
    """
    files: list[ImportFile] = []
    for validation in validations:
        rows = hrmos.import_rows(validation)
        if reconciliation is not None:
            rows = rows.loc[rows.index.isin(reconciliation.register)]
            if rows.empty:
                continue
        files.append(
            ImportFile(0, "register", validation.template, validation.template, rows)
        )
    if reconciliation is not None:
        for edit in reconciliation.edits:
            files.append(ImportFile(0, "edit", edit.layout, edit.template, edit.rows))
        if include_leavers and not reconciliation.leaver_rows.empty:
            files.append(
                ImportFile(
                    0,
                    "leavers",
                    reconciliation.leaver_template,
                    reconciliation.templates[0],
                    reconciliation.leaver_rows,
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

    for planned in files:
        written = hrmos.write_import_file(
            planned.rows, planned.layout, folder / f"{planned.stem}.csv"
        )
        planned.names = [path.name for path in written]
    trial = _write_trial(folder, files)
    report.write_rejects(first, folder / REJECTS)
    report.write_findings(first.findings, folder / FINDINGS)

    names = []
    for planned in files:
        names += planned.names
        if trial and planned is files[0]:
            names += trial
    names += [REJECTS, FINDINGS, REVIEW, README, SUMMARY]
    summary = Summary.of(
        first,
        written=len(first.accepted),
        files=[Path(n) for n in names + [MANIFEST]],
        templates=[validation.template.name for validation in validations],
    )
    package = Package(files, trial, names, summary, reconciliation)

    summary_text = summary.text()
    if reconciliation is not None:
        summary_text += _reconciliation_text(reconciliation, files)
    write_text(folder / SUMMARY, summary_text)
    write_review(folder / REVIEW, folder, package, first)
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
            for name, part in zip(planned.names, _parts(planned), strict=True)
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


def _parts(planned: ImportFile) -> list[pd.DataFrame]:
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


def _write_trial(folder: Path, files: list[ImportFile]) -> list[str]:
    """Split the first registration file into its first row and the others.

    On a tenant that has never taken a file from okta2hrmos, uploading one
    person first shows whether HRMOS reads the layout as intended, before
    hundreds of records are made; the two files together equal the whole.
    """
    registering = [f for f in files if f.kind == "register"]
    if not registering:
        return []
    planned = registering[0]
    if len(planned.names) != 1 or len(planned.rows) < 2:
        return []
    names = [f"{planned.stem}.first-row.csv", f"{planned.stem}.other-rows.csv"]
    single = dataclasses.replace(planned.layout, rows_per_file=None)
    hrmos.write_import_file(planned.rows.iloc[:1], single, folder / names[0])
    hrmos.write_import_file(planned.rows.iloc[1:], single, folder / names[1])
    return names


def _reconciliation_text(
    reconciliation: Reconciliation, files: list[ImportFile]
) -> str:
    counts = reconciliation.counts
    lines = [
        "",
        f"compared with HRMOS (effective date {reconciliation.effective_date}):",
        f"  HRMOS export:   {reconciliation.hrmos_rows} people, "
        f"{reconciliation.hrmos_active} active",
    ]
    lines += [f"  {name + ':':<15} {counts[name]}" for name in counts]
    lines += ["", "import files:"]
    lines += [
        f"  {name}: {len(part)} {planned.kind}"
        for planned in files
        for name, part in zip(planned.names, _parts(planned), strict=True)
    ] or ["  none: nothing to upload"]
    if reconciliation.notes:
        lines += ["", "notes:"] + [f"  {note}" for note in reconciliation.notes]
    return "\n".join(lines) + "\n"


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
    sheet_names: set[str] = set()

    _write_sheet(
        workbook,
        styles,
        _sheet_name("概要 Summary", sheet_names),
        [["項目", "Item", "値 / Value"]],
        _summary_rows(package, first),
    )

    for planned in package.files:
        marks = _file_marks(planned, first, package.reconciliation)
        offset = 0
        for name, part in zip(planned.names, _parts(planned), strict=True):
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
                _sheet_name(Path(name).stem, sheet_names),
                header_rows,
                body.itertuples(index=False, name=None),
                part_marks,
            )
            offset += len(part)

    rejects = read_csv(folder / REJECTS)
    _write_sheet(
        workbook,
        styles,
        _sheet_name("却下 Rejects", sheet_names),
        [rejects.header],
        rejects.cells.itertuples(index=False, name=None),
        _reject_marks(first, rejects.header),
    )

    if package.reconciliation is not None:
        _write_reconciliation_sheets(
            workbook, styles, sheet_names, package.reconciliation, package.files
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
    users = first.users
    rows = [
        ["入力ファイル", "input", Path(users.source).name],
        ["読み込んだ行", "rows read", str(users.rows_read)],
        ["空行 (除外)", "blank rows dropped", str(users.dropped_blank)],
        ["却下", "rejected", str(len(first.rejected))],
        ["検査を通った人", "accepted", str(len(first.accepted))],
    ]
    for planned in package.files:
        for name, part in zip(planned.names, _parts(planned), strict=True):
            rows.append(["取り込みファイル", f"import file ({planned.kind})", name])
            rows.append(["  人数", "  people", str(len(part))])
    reconciliation = package.reconciliation
    if reconciliation is not None:
        rows.append(
            [
                "適用日",
                "effective date",
                reconciliation.effective_date.isoformat(),
            ]
        )
        rows.append(
            ["HRMOS の在籍者", "active in HRMOS", str(reconciliation.hrmos_active)]
        )
        for category, (japanese, english) in CATEGORY_TEXTS.items():
            rows.append([japanese, english, str(reconciliation.count(category))])
    return rows


def _file_marks(
    planned: ImportFile, first: Validation, reconciliation: Reconciliation | None
) -> dict[tuple[int, int], tuple[str, str]]:
    """Cells to colour in an import file's sheet, by (row position, column).

    Warnings are yellow; in an edit file a changed value is green, with
    HRMOS's current value in its note.
    """
    marks: dict[tuple[int, int], tuple[str, str]] = {}
    if planned.kind == "leavers":
        return marks
    headers = planned.layout.headers
    positions = {row: p for p, row in enumerate(planned.rows.index)}
    by_attribute: dict[str, str] = {}
    for column in planned.layout.columns:
        for attribute in column.source:
            by_attribute.setdefault(attribute, column.header)

    def add(cell: tuple[int, int], style: str, note: str) -> None:
        if cell in marks:
            style = "changed" if "changed" in (style, marks[cell][0]) else style
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
    return marks


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
    reconciliation: Reconciliation,
    files: list[ImportFile],
) -> None:
    changes = reconciliation.changes
    _write_sheet(
        workbook,
        styles,
        _sheet_name("変更 Changes", sheet_names),
        [
            [
                "社員コード",
                "テンプレート / template",
                "項目 / field",
                "HRMOS の値 / now",
                "新しい値 / new",
            ]
        ],
        changes[["code", "file", "column", "old", "new"]].itertuples(
            index=False, name=None
        ),
    )

    leavers = reconciliation.leavers
    written = any(planned.kind == "leavers" for planned in files)
    extra = [
        c
        for c in leavers.columns
        if c not in ("code", "leaving", "reason", "okta_row", "hrmos_row")
    ]
    state = (
        "ファイルに書きました / in the leavers file"
        if written
        else ("書いていません / not written (--include-leavers)")
    )
    date_format = reconciliation.leaver_template.columns[-1].date_format
    proposed = rules.format_dates(
        leavers["leaving"].astype(TEXT).reset_index(drop=True), date_format
    )
    rows = [
        [record[0], day, _in_japanese(record[1]), record[1], state, *record[2:]]
        for day, record in zip(
            proposed,
            leavers[["code", "reason", *extra]]
            .astype(str)
            .itertuples(index=False, name=None),
            strict=True,
        )
    ]
    _write_sheet(
        workbook,
        styles,
        _sheet_name("退職候補 Leavers", sheet_names),
        [
            [
                "社員コード",
                f"{LEAVING_DATE_HEADER} (案 / proposed)",
                "理由",
                "reason",
                "ファイル / file",
                *extra,
            ]
        ],
        rows,
    )

    people = reconciliation.people
    conflicts = people[people["category"].eq("conflict")]
    _write_sheet(
        workbook,
        styles,
        _sheet_name("要確認 Conflicts", sheet_names),
        [
            [
                "社員コード",
                "理由",
                "reason",
                "Okta の行 / Okta row",
                "HRMOS の行 / HRMOS row",
            ]
        ],
        (
            [code, _in_japanese(reason), reason, _row(okta), _row(hrmos)]
            for code, reason, okta, hrmos in conflicts[
                ["code", "reason", "okta_row", "hrmos_row"]
            ].itertuples(index=False, name=None)
        ),
    )


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


def _in_japanese(reason: str) -> str:
    for start, japanese in REASONS_IN_JAPANESE:
        if reason.startswith(start):
            return japanese
    return ""


def _row(value) -> str:
    return "" if pd.isna(value) else str(int(value))


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


# The README for the HR admin -------------------------------------------------


def render_readme(package: Package, first: Validation, include_leavers: bool) -> str:
    """The package's README.md, Japanese first, then English."""
    context = _ReadmeContext(package, first, include_leavers)
    return "\n".join(
        [
            "# HRMOS 取り込みパッケージ / HRMOS import package",
            "",
            context.made_by(),
            "",
            "> **個人情報が入っています。** 共有フォルダやメールに置かず、取り込みが"
            "終わったらこのフォルダを削除してください。",
            "> **This folder holds personal data.** Keep it off shared drives and "
            "mail, and delete it once the upload is done.",
            "",
            "[English below](#english)",
            "",
            *context.japanese(),
            "",
            *context.english(),
            "",
        ]
    )


class _ReadmeContext:
    def __init__(
        self, package: Package, first: Validation, include_leavers: bool
    ) -> None:
        self.package = package
        self.first = first
        self.include_leavers = include_leavers
        self.reconciliation = package.reconciliation
        self.uploads = [
            (planned, name) for planned in package.files for name in planned.names
        ]

    def made_by(self) -> str:
        source = Path(self.first.users.source).name
        text = f"okta2hrmos {__version__} · Okta: `{source}`"
        if self.reconciliation is not None:
            text += (
                f" · HRMOS との照合 / compared with HRMOS · 適用日 / effective date "
                f"{_slashed(self.reconciliation.effective_date)}"
            )
        return text

    # Counts -----------------------------------------------------------------

    def rejected_by_code(self) -> list[tuple[str, int]]:
        rows = self.first.finding_rows
        errors = rows[rows["severity"].eq("error")]
        counts = errors.groupby("code", sort=False)["row"].nunique()
        return sorted(
            ((str(code), int(n)) for code, n in counts.items()),
            key=lambda item: (-item[1], item[0]),
        )

    def warned_by_code(self) -> list[tuple[str, int]]:
        """Warnings on the people written to a file, by code: (code, people)."""
        written = {
            row
            for planned in self.package.files
            if planned.kind != "leavers"
            for row in planned.rows.index
        }
        rows = self.first.finding_rows
        warned = rows[rows["severity"].eq("warning") & rows["row"].isin(written)]
        counts = warned.groupby("code", sort=False)["row"].nunique()
        return sorted(
            ((str(code), int(n)) for code, n in counts.items()),
            key=lambda item: (-item[1], item[0]),
        )

    def warnings(self, language: int) -> list[str]:
        lines = []
        for code, count in self.warned_by_code():
            text = FINDING_TEXTS.get(code, (self.hint(code), self.hint(code)))
            lines.append(f"  - `{code}` ({count}): {text[language]}")
        if not lines:
            return []
        title = (
            f"- 注意付きで書いた人 (`{REVIEW}` ではメモ付きの色のセル):"
            if language == 0
            else f"- people written with a warning (coloured cells with a note in "
            f"`{REVIEW}`):"
        )
        return [title, *lines]

    def hint(self, code: str) -> str:
        rows = self.first.findings[self.first.findings["code"].eq(code)]
        return str(rows["hint"].iloc[0]) if len(rows) else ""

    # Japanese ---------------------------------------------------------------

    def japanese(self) -> list[str]:
        lines = ["## 日本語", "", "### 1. このフォルダの中身", ""]
        lines += ["| ファイル | 内容 | 人数 |", "| --- | --- | --- |"]
        for planned, name in self.uploads:
            lines.append(
                f"| `{name}` | {self._what_ja(planned)} | {self._count(name)} |"
            )
            if self.package.trial and name == self.package.files[0].names[0]:
                first_row, other_rows = self.package.trial
                lines.append(
                    f"| `{first_row}` と `{other_rows}` | `{name}` を 1 人目と残りに"
                    "分けたもの (初めてのテナントで試すとき用。下の手順を参照)"
                    f" | 1 と {len(planned.rows) - 1} |"
                )
        lines += [
            f"| `{REVIEW}` | 確認用のブック。取り込みには使いません | |",
            f"| `{REJECTS}` | 取り込めなかった人と理由 (IT 担当者に渡すもの) | "
            f"{len(self.first.rejected)} |",
            f"| `{FINDINGS}`, `{SUMMARY}`, `{MANIFEST}` | 検査結果・件数・作成記録 "
            "(IT 担当者向け) | |",
            "",
            "### 2. 件数",
            "",
        ]
        users = self.first.users
        lines += [
            f"- Okta から読み込んだ行: {users.rows_read}"
            f" (うち空行 {users.dropped_blank} 行は除外)",
            f"- 検査を通った人: {len(self.first.accepted)}",
            f"- 却下した人: {len(self.first.rejected)}"
            " (どの取り込みファイルにも入っていません)",
            *self.warnings(0),
        ]
        if self.reconciliation is not None:
            lines += self._categories(0)
        lines += ["", "### 3. 却下の理由", ""]
        lines += self._reasons(0)
        lines += ["", "### 4. HRMOS での取り込み手順", ""]
        lines += self._steps_ja()
        lines += [
            "",
            "### 5. 注意: CSV ファイルを Excel で開いて保存しないでください",
            "",
            "Excel で CSV を開いて保存し直すと、社員コードの先頭の 0 が消え"
            " (`000120` → `120`)、日付の書き方が変わり、文字コードが UTF-8 から"
            " Shift_JIS に変わることがあります。"
            "HRMOS は UTF-8 のファイルしか読めません。",
            "",
            f"- 中身を見るときは `{REVIEW}` を使ってください。すべてのセルが文字列"
            "なので、0 も日付もそのまま表示されます。`review.xlsx` を直しても取り込み"
            "ファイルは変わりません。",
            "- CSV をダブルクリックして開いてしまったら、保存せずに閉じてください。",
            "- 内容を直したいときは、ファイルを編集せず IT 担当者に連絡してください"
            " (Okta 側を直して作り直します)。",
        ]
        lines += self._leavers_and_conflicts(0)
        return lines

    def _what_ja(self, planned: ImportFile) -> str:
        if planned.kind == "register":
            return (
                "新しく登録する社員 (社員の一括登録)。テンプレート "
                f"`{planned.template.name}`"
            )
        if planned.kind == "edit":
            return (
                "変更がある社員 (社員の一括編集(ファイル))。テンプレート "
                f"`{planned.template.name}`"
            )
        return "退職日の登録 (社員の一括編集(ファイル)、業務情報 > 入社・退職)"

    def _steps_ja(self) -> list[str]:
        lines = [
            "**始める前に (2 点)**",
            "",
            "1. **見出しを確かめる。** ファイルの見出し (1 行目) は暫定です。HRMOS は"
            "取り込みファイルの見出しを公開しておらず、テナントごとに違うことがあります。"
            "HRMOS の取り込み画面でダウンロードできるテンプレートの見出しと、"
            f"`{REVIEW}` の各シートの 1 行目を比べてください。違っていたら取り込まず、"
            "IT 担当者に知らせてください。",
        ]
        if self.package.trial:
            first_row, other_rows = self.package.trial
            whole = self.package.files[0].names[0]
            lines.append(
                "2. **初めてのテナントでは 1 人だけで試す。** "
                f"`{whole}` の代わりに、まず `{first_row}` (1 人だけ) を取り込み、"
                "社員リストでその人の氏名・メールなどが正しい欄に入ったか確認します。"
                f"問題がなければ `{other_rows}` (残り全員) を取り込みます。この場合 "
                f"`{whole}` は取り込みません (同じ人を 2 回登録しないため)。"
                "以前このテナントに取り込んだことがあれば、この手順は不要です。"
            )
        else:
            lines.append(
                "2. **初めてのテナントでは 1 人だけで試す。** 登録ファイルが 1 人だけ"
                "なので、そのまま試しの取り込みになります。"
            )
        lines += ["", "**取り込み (番号の小さいファイルから 1 つずつ)**", ""]
        if not self.uploads:
            return lines + [
                "取り込むファイルはありません。HRMOS で行う作業はありません。"
            ]
        step = 1
        for planned, name in self.uploads:
            lines.append(f"{step}. `{name}`: {self._how_ja(planned, name)}")
            step += 1
        lines.append(
            f"{step}. 取り込みのたびに、HRMOS が表示する結果 (エラーがあればその"
            "メッセージと行番号) を控えます。エラーが出たら次のファイルに進まず、"
            "画面のメッセージを IT 担当者に送ってください。"
        )
        lines.append(
            f"{step + 1}. 全部終わったら、社員リストで何人か開いて内容を確かめます。"
        )
        return lines

    def _how_ja(self, planned: ImportFile, name: str) -> str:
        menu = "Admin (管理者画面) > 社員リスト > 社員の操作 > "
        if planned.kind == "register":
            text = (
                f"{menu}**社員の一括登録** を開き、このファイルを選んで取り込みます。"
            )
            if self.package.trial and name == self.package.files[0].names[0]:
                first_row, other_rows = self.package.trial
                text += (
                    f"初めてのテナントでは、代わりに `{first_row}` → 確認 → "
                    f"`{other_rows}` の順に取り込みます (上の「始める前に」の 2)。"
                )
            return text
        if planned.kind == "edit":
            return (
                f"{menu}**社員の一括編集(ファイル)** を開き、このファイルを選んで"
                "取り込みます。適用日 (変更が有効になる日) は "
                f"{_slashed(self.reconciliation.effective_date)} で、ファイルに"
                f"入っています。変わった項目: {self._changed_columns(planned, 0)}。"
                "ファイルには変わっていない項目も HRMOS の今の値のまま入っています"
                " (空欄にすると HRMOS の値が消えるため)。画面でセクションを選ぶ"
                "必要があり、ファイルの列がそのセクションに合わないと言われたら、"
                "取り込まずに IT 担当者に知らせてください。"
            )
        return (
            f"{menu}**社員の一括編集(ファイル)** で、セクション "
            "**業務情報 > 入社・退職** を選んで取り込みます。列は 社員コード・"
            "適用日・退職日 で、適用日には退職日と同じ日を入れています。"
            f"退職日は提案です。取り込む前に `{REVIEW}` の「退職候補 Leavers」"
            "シートを人事の記録と照らし合わせ、違う人や違う日があれば取り込まずに "
            "IT 担当者に知らせてください。"
        )

    def _changed_columns(self, planned: ImportFile, language: int) -> str:
        changes = self.reconciliation.changes
        changes = changes[changes["file"].eq(planned.template.name)]
        counts = changes.groupby("column", sort=False)["code"].nunique()
        people = "人" if language == 0 else " people"
        return ", ".join(f"{column} ({n}{people})" for column, n in counts.items())

    # English ----------------------------------------------------------------

    def english(self) -> list[str]:
        lines = ["## English", "", "### 1. What is in this folder", ""]
        lines += ["| file | what it is | people |", "| --- | --- | --- |"]
        for planned, name in self.uploads:
            lines.append(
                f"| `{name}` | {self._what_en(planned)} | {self._count(name)} |"
            )
            if self.package.trial and name == self.package.files[0].names[0]:
                first_row, other_rows = self.package.trial
                lines.append(
                    f"| `{first_row}` and `{other_rows}` | `{name}` cut into its "
                    "first person and the rest (for a trial on a new tenant; see "
                    f"the steps) | 1 and {len(planned.rows) - 1} |"
                )
        lines += [
            f"| `{REVIEW}` | a workbook to look at the data; not for upload | |",
            f"| `{REJECTS}` | the people who could not be written, with the reasons "
            f"(for your IT admin) | {len(self.first.rejected)} |",
            f"| `{FINDINGS}`, `{SUMMARY}`, `{MANIFEST}` | findings, counts and a "
            "record "
            "of how the package was made (for IT) | |",
            "",
            "### 2. Counts",
            "",
        ]
        users = self.first.users
        lines += [
            f"- rows read from Okta: {users.rows_read} ({users.dropped_blank} blank "
            "rows dropped)",
            f"- people who passed the checks: {len(self.first.accepted)}",
            f"- people rejected: {len(self.first.rejected)} (in no import file)",
            *self.warnings(1),
        ]
        if self.reconciliation is not None:
            lines += self._categories(1)
        lines += ["", "### 3. Why people were rejected", ""]
        lines += self._reasons(1)
        lines += ["", "### 4. Uploading in HRMOS", ""]
        lines += self._steps_en()
        lines += [
            "",
            "### 5. Warning: do not open and re-save the CSV files in Excel",
            "",
            "Saving a CSV from Excel drops the leading zeros of employee codes "
            "(`000120` becomes `120`), rewrites dates, and may save the file as "
            "Shift_JIS instead of UTF-8; HRMOS reads UTF-8 only.",
            "",
            f"- To look at the data, open `{REVIEW}`: every cell is text, so zeros "
            "and dates show as written. Editing the workbook does not change the "
            "import files.",
            "- If you opened a CSV by double-clicking it, close it without saving.",
            "- To correct something, do not edit the files: tell your IT admin, who "
            "fixes it in Okta and makes the package again.",
        ]
        lines += self._leavers_and_conflicts(1)
        return lines

    def _what_en(self, planned: ImportFile) -> str:
        if planned.kind == "register":
            return (
                "new employees to register (社員の一括登録); template "
                f"`{planned.template.name}`"
            )
        if planned.kind == "edit":
            return (
                "employees whose data changed (社員の一括編集(ファイル)); template "
                f"`{planned.template.name}`"
            )
        return "leaving dates (社員の一括編集(ファイル), section 業務情報 > 入社・退職)"

    def _steps_en(self) -> list[str]:
        lines = [
            "**Before you start (two checks)**",
            "",
            "1. **Check the headers.** The header row of each file is provisional: "
            "HRMOS does not publish its import headers, and they can differ by "
            "tenant. Compare the headers of the template you can download on the "
            f"HRMOS import screen with row 1 of each sheet in `{REVIEW}`. If they "
            "differ, do not upload; tell your IT admin.",
        ]
        if self.package.trial:
            first_row, other_rows = self.package.trial
            whole = self.package.files[0].names[0]
            lines.append(
                "2. **On a new tenant, try one person first.** Instead of "
                f"`{whole}`, upload `{first_row}` (one person), then open that "
                "person in 社員リスト and check that name, email and the rest landed "
                f"in the right fields. If they did, upload `{other_rows}` (everyone "
                f"else), and do not upload `{whole}` (it would register that person "
                "twice). If this tenant has taken a file from okta2hrmos before, "
                "skip this."
            )
        else:
            lines.append(
                "2. **On a new tenant, try one person first.** The registration file "
                "holds one person, so it is a trial by itself."
            )
        lines += ["", "**Upload (one file at a time, lowest number first)**", ""]
        if not self.uploads:
            return lines + ["There is no file to upload: nothing to do in HRMOS."]
        step = 1
        for planned, name in self.uploads:
            lines.append(f"{step}. `{name}`: {self._how_en(planned, name)}")
            step += 1
        lines.append(
            f"{step}. After each upload, note what HRMOS reports (for an error, its "
            "message and row number). On an error, stop and send the message to "
            "your IT admin before the next file."
        )
        lines.append(
            f"{step + 1}. When all are done, open a few people in 社員リスト and "
            "check them."
        )
        return lines

    def _how_en(self, planned: ImportFile, name: str) -> str:
        menu = "Admin > 社員リスト > 社員の操作 > "
        if planned.kind == "register":
            text = f"open {menu}**社員の一括登録**, choose this file and import it."
            if self.package.trial and name == self.package.files[0].names[0]:
                first_row, other_rows = self.package.trial
                text += (
                    f" On a new tenant, upload `{first_row}`, check, then "
                    f"`{other_rows}` instead (check 2 above)."
                )
            return text
        if planned.kind == "edit":
            return (
                f"open {menu}**社員の一括編集(ファイル)**, choose this file and "
                "import it. Its 適用日 (the day the change takes effect) is "
                f"{_slashed(self.reconciliation.effective_date)}, already in the "
                f"file. Fields that changed: {self._changed_columns(planned, 1)}. "
                "The file also holds the fields that did not change, with HRMOS's "
                "current values (a blank cell would erase them). If the screen "
                "makes you choose a section and says the file's columns do not fit "
                "it, do not upload; tell your IT admin."
            )
        return (
            f"open {menu}**社員の一括編集(ファイル)**, choose the section **業務情報 > "
            "入社・退職** and import this file. Its columns are 社員コード, 適用日 "
            "and 退職日; 適用日 is the 退職日 itself. The leaving dates are "
            f"proposals: first check the Leavers sheet of `{REVIEW}` against HR's "
            "records, and if a person or a date is wrong, do not upload; tell your "
            "IT admin."
        )

    # Shared pieces ----------------------------------------------------------

    def _count(self, name: str) -> str:
        for planned in self.package.files:
            for part_name, part in zip(planned.names, _parts(planned), strict=True):
                if part_name == name:
                    return str(len(part))
        return ""

    def _categories(self, language: int) -> list[str]:
        reconciliation = self.reconciliation
        title = (
            f"- HRMOS との照合 (HRMOS の在籍者 {reconciliation.hrmos_active} 人):"
            if language == 0
            else f"- compared with HRMOS ({reconciliation.hrmos_active} active there):"
        )
        lines = [title]
        for category, texts in CATEGORY_TEXTS.items():
            count = reconciliation.count(category)
            if count or category in (
                "new",
                "changed",
                "unchanged",
                "leaver",
                "conflict",
            ):
                lines.append(f"  - {texts[language]}: {count}")
        return lines

    def _reasons(self, language: int) -> list[str]:
        counted = self.rejected_by_code()
        if not counted:
            return ["却下はありません。" if language == 0 else "Nobody was rejected."]
        header = (
            ["| 理由 (コード) | 人数 | 説明 |", "| --- | --- | --- |"]
            if language == 0
            else ["| reason (code) | people | meaning |", "| --- | --- | --- |"]
        )
        lines = list(header)
        for code, count in counted:
            text = FINDING_TEXTS.get(code, (self.hint(code), self.hint(code)))
            lines.append(f"| `{code}` | {count} | {text[language]} |")
        lines.append("")
        lines.append(
            f"一人に複数の理由があることがあります。行ごとの理由は `{REJECTS}` の"
            f" `okta2hrmos_reasons` 列と `{REVIEW}` の「却下 Rejects」シート"
            " (問題のセルに色とメモ) にあります。直すのは Okta 側なので、"
            f"`{REJECTS}` を IT 担当者に渡してください。"
            if language == 0
            else "One person can have several reasons. Each row's reasons are in the "
            f"`okta2hrmos_reasons` column of `{REJECTS}` and on the Rejects sheet of "
            f"`{REVIEW}` (problem cells coloured, with a note). They are fixed in "
            f"Okta, so hand `{REJECTS}` to your IT admin."
        )
        return lines

    def _leavers_and_conflicts(self, language: int) -> list[str]:
        reconciliation = self.reconciliation
        if reconciliation is None:
            return []
        lines: list[str] = []
        leavers = reconciliation.count("leaver")
        if leavers:
            written = any(p.kind == "leavers" for p in self.package.files)
            if language == 0:
                lines += [
                    "",
                    "### 6. 退職候補",
                    "",
                    "HRMOS では在籍中ですが、Okta で無効になっているか"
                    " Okta にいない人が "
                    f"{leavers} 人います。一覧と提案する退職日は `{REVIEW}` の"
                    "「退職候補 Leavers」シートにあります。",
                    "退職日のファイルを作りました (上の手順を参照)。"
                    if written
                    else "退職日はどのファイルにも書いていません。"
                    "登録するときは IT 担当者が"
                    " `--include-leavers` を付けて作り直します。",
                ]
            else:
                lines += [
                    "",
                    "### 6. Leavers",
                    "",
                    f"{leavers} people are active in HRMOS but deactivated in Okta or "
                    f"missing from it. They and the proposed 退職日 are on the Leavers "
                    f"sheet of `{REVIEW}`.",
                    "Their leaving dates are in the leavers file (see the steps)."
                    if written
                    else "No file holds their leaving dates; to record them, your IT "
                    "admin makes the package again with `--include-leavers`.",
                ]
        conflicts = reconciliation.count("conflict")
        if conflicts:
            if language == 0:
                lines += [
                    "",
                    "### 7. 要確認",
                    "",
                    f"{conflicts} 人は、どのファイルにも入れていません。同じログインや"
                    "メールが別の社員コードにある、HRMOS で退職済みなのに Okta では"
                    "有効、などの理由で、人が判断する必要があります。理由は "
                    f"`{REVIEW}` の「要確認 Conflicts」シートにあります。"
                    "IT 担当者と確認してください。",
                ]
            else:
                lines += [
                    "",
                    "### 7. Conflicts",
                    "",
                    f"{conflicts} people are in no file: the same login or email on "
                    "another employee code, retired in HRMOS but active in Okta, and "
                    "the like need a person to decide. The reasons are on the "
                    f"Conflicts sheet of `{REVIEW}`; go through them with your IT "
                    "admin.",
                ]
        return lines


def _slashed(day: date) -> str:
    return day.strftime("%Y/%m/%d")
