"""Comparing the users with what HRMOS already holds, matched by 社員コード.

Each person lands in exactly one category:

- ``new``: in Okta, not in HRMOS; goes to the registration file.
- ``changed``: in both, and a template column differs; goes to the edit file
  with the effective date, carrying HRMOS's value in every cell Okta leaves
  blank (a blank cell would clear the stored value).
- ``unchanged``: in both, nothing differs; written nowhere.
- ``leaver``: active in HRMOS (no 退職日) but deactivated in Okta or absent
  from it; listed with a proposed 退職日, written only on request: those
  whose date is the day Okta deactivated them apart from those whose date is
  the effective date, a placeholder to confirm.
- ``conflict``: needs a person to decide, written nowhere: the same login or
  email on two codes across Okta and HRMOS, a code held by several Okta users,
  a person retired in HRMOS but active in Okta, or a change that HRMOS would
  refuse because it already holds a later record.
- ``retired``: already has a 退職日 in HRMOS and is gone from Okta.
- ``skipped``: deactivated in Okta and never registered in HRMOS.
- ``held``: in HRMOS, but the Okta row was rejected by validation; it is
  neither compared nor taken for a leaver until the row is fixed.

Everything is computed with merges and column-wise comparisons; no Python
loop runs over people.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from . import rules
from .csvio import TEXT, read_csv
from .errors import InputError, UserError
from .templates import Column, Template
from .users import header_key
from .validate import Validation, comparison_key

CATEGORIES = (
    "new",
    "changed",
    "unchanged",
    "leaver",
    "conflict",
    "retired",
    "skipped",
    "held",
)

EFFECTIVE_DATE_HEADER = "適用日"
LEAVING_DATE_HEADER = "退職日"

# Okta attributes that identify a person besides the employee code.
IDENTITY_ATTRIBUTES = ("login", "email")
# HRMOS's login field: not in the registration template, but in account exports.
HRMOS_LOGIN_HEADER = "認証メールアドレス"
# The アカウント category's fields: HRMOS keeps no history (no 適用日) for them.
ACCOUNT_HEADERS = ("認証メールアドレス", "認証方法", "利用状況")

DEFAULT_LEAVER_SHARE = 0.20

# The leavers files, by where the proposed 退職日 comes from: the day Okta
# deactivated the user, or the effective date, a placeholder for someone
# absent from Okta (or deactivated there without a date). One wrong row
# holds a whole file back, so the placeholders are kept apart.
LEAVER_FILES = {
    "okta": "hrmos-core-leavers-okta-date",
    "effective": "hrmos-core-leavers-placeholder-date",
}

# Okta attributes that make up a person's name, in the order written.
NAME_ATTRIBUTES = ("lastName", "firstName")
HIRE_DATE_HEADER = "入社日"
# A new person hired longer ago than this may be in HRMOS under another code.
OLD_HIRE_DAYS = 90
# Notices about new people, in the order they are listed.
NOTICES = ("same-name-in-hrmos", "old-hire-date", "future-hire-date")
NOTICE_COLUMNS = ["code", "name", "okta_row", "notice", "column", "value", "other"]
NOTICE_COLUMNS.append("text")

JAPAN = timezone(timedelta(hours=9))


class SafeguardError(UserError):
    """A run would propose so many leavers that the input is probably incomplete."""

    exit_code = 4


def today_in_japan() -> date:
    """Return today's date in Japan (UTC+9 all year: Japan has no summer time)."""
    return datetime.now(JAPAN).date()


@dataclass
class HrmosExport:
    """An export from the HRMOS tenant, keyed by 社員コード."""

    path: Path
    # Index: source row number; columns: the template headers found in the
    # export, then 退職日 and 適用日 when present. Every value is text.
    table: pd.DataFrame
    key: pd.Series
    rows_read: int
    dropped_blank: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def has_leaving_date(self) -> bool:
        return LEAVING_DATE_HEADER in self.table.columns


@dataclass
class FileChanges:
    """The changed people of one template: which columns, and the edit rows."""

    template: Template
    # The edit file's layout: 社員コード, 適用日 (unless the template keeps no
    # history), then the compared columns of one HRMOS section.
    layout: Template
    compared: list[str]
    not_compared: list[str]
    rows: pd.DataFrame
    # The HRMOS section the file is for ("" when the template names none).
    section: str = ""


@dataclass
class LeaverFile:
    """The leavers whose proposed 退職日 has one basis, in the 入社・退職 layout."""

    # "okta" (the day Okta deactivated them) or "effective" (a placeholder).
    basis: str
    layout: Template
    rows: pd.DataFrame


@dataclass
class Reconciliation:
    """What comparing the users with HRMOS found, and the rows it proposes."""

    templates: list[Template]
    effective_date: date
    # One row per person: code, name, category, reason, okta_row, hrmos_row.
    people: pd.DataFrame
    # One row per changed field: code, okta_row, file, column, old, new.
    changes: pd.DataFrame
    # One row per clash: code, other_code, value, okta, hrmos.
    conflicts: pd.DataFrame
    # One row per leaver: code, name, leaving (ISO), reason, basis,
    # status_changed, okta_row, hrmos_row, then HRMOS's values.
    leavers: pd.DataFrame
    # Okta rows (source row numbers) of the new people, to register.
    register: pd.Index
    # One entry per template with changed people, in template order.
    edits: list[FileChanges]
    leaver_template: Template
    # The leavers files with people in them: Okta's dates first.
    leaver_files: list[LeaverFile]
    hrmos_rows: int
    hrmos_active: int
    notes: list[str] = field(default_factory=list)
    # Things to check before uploading, one row per (person, notice): code,
    # name, okta_row, notice (a stable code), column, value, other, text.
    notices: pd.DataFrame = field(default_factory=lambda: _no_notices())

    def count(self, category: str) -> int:
        return int((self.people["category"] == category).sum())

    @property
    def counts(self) -> dict[str, int]:
        return {category: self.count(category) for category in CATEGORIES}

    @property
    def pending(self) -> bool:
        """True when anything needs doing: people to write, leavers or conflicts."""
        return any(self.count(c) for c in ("new", "changed", "leaver", "conflict"))

    def line(self) -> str:
        """The one-line reconciliation summary."""
        counts = self.counts
        text = ", ".join(f"{counts[c]} {c}" for c in CATEGORIES[:5])
        extra = [f"{counts[c]} {c}" for c in CATEGORIES[5:] if counts[c]]
        if extra:
            text += "; " + ", ".join(extra)
        return f"Against HRMOS ({self.hrmos_active} active there): {text}."


def code_column(template: Template) -> Column:
    """Return the template's 社員コード column: the one fed by employeeNumber."""
    for column in template.columns:
        if "employeeNumber" in column.source:
            return column
    for column in template.columns:
        if "code" in column.rules:
            return column
    raise InputError(
        f"Template {template.name} has no employee code column (one whose source "
        "is employeeNumber); reconciling with HRMOS needs it."
    )


def read_export(path: Path, templates: Template | Sequence[Template]) -> HrmosExport:
    """Read an HRMOS export CSV and key it by 社員コード.

    Columns are matched to the template's headers ignoring case, width and
    surrounding spaces. A history export may hold several records of one
    person; the one with the latest 適用日 is kept.
    """
    templates = [templates] if isinstance(templates, Template) else list(templates)
    raw = read_csv(path)
    if raw.ragged:
        row = min(raw.ragged)
        raise InputError(
            f"{path}: row {row} has {raw.ragged[row][0]} fields but the header has "
            f"{len(raw.header)}; export the file from HRMOS again without editing it."
        )

    wanted = [c.header for t in templates for c in t.columns] + [
        LEAVING_DATE_HEADER,
        EFFECTIVE_DATE_HEADER,
        HRMOS_LOGIN_HEADER,
    ]
    by_key = {header_key(h): h for h in dict.fromkeys(wanted)}
    positions: dict[str, int] = {}
    for position, header in enumerate(raw.header):
        name = by_key.get(header_key(header))
        if name is not None and name not in positions:
            positions[name] = position

    code = code_column(templates[0]).header
    if code not in positions:
        raise InputError(
            f"{path} has no {code} column; export the employees from HRMOS "
            f"(社員履歴のエクスポート) with the {code} column and give that file."
        )

    cells = raw.cells
    table = pd.DataFrame(
        {name: cells[position] for name, position in positions.items()},
        index=cells.index,
    )
    ordered = [h for h in dict.fromkeys(wanted) if h in table.columns]
    table = table[ordered]

    blank = table.apply(lambda column: column.str.strip().eq("")).all(axis=1)
    dropped = int(blank.sum())
    table = table[~blank]
    notes = []
    if LEAVING_DATE_HEADER not in table.columns:
        notes.append(
            f"{path.name} has no {LEAVING_DATE_HEADER} column: everyone in it counts "
            "as active in HRMOS."
        )

    key = comparison_key(table[code])
    no_code = key.eq("")
    if no_code.any():
        notes.append(
            f"{int(no_code.sum())} rows of {path.name} have no {code} and were ignored."
        )
        table, key = table[~no_code], key[~no_code]

    repeated = key.duplicated(keep=False)
    if repeated.any():
        if EFFECTIVE_DATE_HEADER not in table.columns:
            codes = ", ".join(pd.unique(table.loc[repeated, code])[:5])
            raise InputError(
                f"{path} holds several rows for {code} {codes} and no "
                f"{EFFECTIVE_DATE_HEADER} column to tell the latest; export one "
                "record per employee."
            )
        order = iso_dates(table[EFFECTIVE_DATE_HEADER]).fillna("")
        latest = (
            pd.DataFrame({"key": key, "order": order}, index=table.index)
            .sort_values(["key", "order"], kind="stable")
            .drop_duplicates("key", keep="last")
            .index.sort_values()
        )
        notes.append(
            f"{path.name} holds history: the latest {EFFECTIVE_DATE_HEADER} of each "
            f"person was used ({len(table) - len(latest)} older records set aside)."
        )
        table, key = table.loc[latest], key.loc[latest]

    return HrmosExport(
        path=path,
        table=table.astype(TEXT),
        key=key,
        rows_read=len(cells),
        dropped_blank=dropped,
        notes=notes,
    )


def reconcile(
    validations: Validation | Sequence[Validation],
    export: HrmosExport,
    effective_date: date,
) -> Reconciliation:
    """Sort every Okta user and every HRMOS employee into one category.

    Give one validation per template (they share their findings, so a person
    rejected by one is rejected by all); the first template's 社員コード
    column is the key.
    """
    if isinstance(validations, Validation):
        validations = [validations]
    first = validations[0]
    code = code_column(first.template).header
    okta = _okta_side(first, code)
    hrmos = _hrmos_side(export, code)

    candidates = okta[okta["accepted"] & okta["key"].ne("")]
    clashing = candidates["key"][candidates["key"].duplicated(keep=False)]
    conflicts = _identity_conflicts(validations, candidates, hrmos, export, code)
    conflict_keys = set(clashing) | set(conflicts["key"]) | set(conflicts["other_key"])
    conflicts = pd.concat(
        [conflicts, _code_clashes(candidates, clashing, code)], ignore_index=True
    )

    left = candidates.drop_duplicates("key", keep=False)
    merged = left.reset_index(names="okta_row").merge(
        hrmos.reset_index(names="hrmos_row"),
        on="key",
        how="outer",
        suffixes=("_okta", "_hrmos"),
        indicator=True,
        sort=False,
    )
    merged = merged.astype({"okta_row": "Int64", "hrmos_row": "Int64"})
    both = merged["_merge"].eq("both").to_numpy()
    okta_only = merged["_merge"].eq("left_only").to_numpy()
    hrmos_only = merged["_merge"].eq("right_only").to_numpy()
    deprovisioned = merged["deprovisioned"].fillna(False).astype(bool).to_numpy()
    retired = merged["retired"].fillna(False).astype(bool).to_numpy()
    in_conflict = merged["key"].isin(conflict_keys).to_numpy()
    rejected_keys = set(okta.loc[~okta["accepted"] & okta["key"].ne(""), "key"])
    held = merged["key"].isin(rejected_keys).to_numpy()

    comparisons = [
        _compare(validation, order, export, merged, both, code)
        for order, validation in enumerate(validations)
    ]
    differs = np.logical_or.reduce([c.differs for c in comparisons])
    future = _future_records(merged, effective_date) & both & differs

    merged["category"] = np.select(
        [
            in_conflict,
            both & deprovisioned & retired,
            both & deprovisioned,
            both & retired,
            future,
            both & differs,
            both,
            okta_only & deprovisioned,
            okta_only,
            hrmos_only & held,
            hrmos_only & retired,
            hrmos_only,
        ],
        [
            "conflict",
            "retired",
            "leaver",
            "conflict",
            "conflict",
            "changed",
            "unchanged",
            "skipped",
            "new",
            "held",
            "retired",
            "leaver",
        ],
        default="",
    )
    merged["code"] = merged["code_okta"].fillna(merged["code_hrmos"])
    merged["reason"] = _reasons(merged, in_conflict, retired, future, conflicts)
    merged["leaving"], merged["basis"] = _proposed_leaving_dates(
        merged, deprovisioned, effective_date
    )

    people = pd.concat(
        [merged, _blank_code_people(okta, code)], ignore_index=True, sort=False
    )
    people = people.sort_values(
        ["okta_row", "hrmos_row"], kind="stable", na_position="last"
    ).reset_index(drop=True)
    people["name"] = _names(people, first, export, validations)
    people = people[
        ["code", "name", "category", "reason", "okta_row", "hrmos_row"]
    ].astype({"code": TEXT, "name": TEXT, "category": TEXT, "reason": TEXT})

    changed = merged["category"].eq("changed").to_numpy()
    edits = []
    pieces = []
    for comparison in comparisons:
        here = changed & comparison.differs
        pieces.append(
            comparison.changes[
                comparison.changes["position"].isin(np.flatnonzero(here))
            ]
        )
        for section, columns in sections(comparison.template, comparison.compared):
            touched = comparison.changes.loc[
                comparison.changes["column"].isin(columns), "position"
            ]
            in_section = here & np.isin(np.arange(len(merged)), touched.to_numpy())
            if in_section.any():
                edits.append(
                    _edit_file(
                        comparison,
                        merged[in_section],
                        code,
                        effective_date,
                        section,
                        columns,
                    )
                )
    changes = pd.concat(pieces, ignore_index=True).sort_values(
        ["okta_row", "file_order", "column_order"], kind="stable"
    )
    changes = changes[["code", "okta_row", "file", "column", "old", "new"]]

    leaving = merged[merged["category"].eq("leaver")].sort_values(
        ["hrmos_row"], kind="stable"
    )
    leaver_template = leaver_layout(first.template)
    new_rows = merged.loc[merged["category"].eq("new"), "okta_row"]

    notes = list(export.notes)
    for comparison in comparisons:
        if comparison.not_compared:
            notes.append(
                f"{comparison.template.name}: not compared, as the HRMOS export "
                f"lacks them (left out of its edit file): "
                f"{', '.join(comparison.not_compared)}."
            )
    return Reconciliation(
        templates=[validation.template for validation in validations],
        effective_date=effective_date,
        people=people,
        changes=changes.reset_index(drop=True),
        conflicts=conflicts.drop(columns=["key", "other_key"]).reset_index(drop=True),
        leavers=_leavers(leaving, export, code, people),
        register=pd.Index(sorted(int(row) for row in new_rows), name="row"),
        edits=edits,
        leaver_template=leaver_template,
        leaver_files=_leaver_files(leaving, leaver_template, code),
        hrmos_rows=len(export.table),
        hrmos_active=int((~hrmos["retired"]).sum()),
        notes=notes,
        notices=_notices(people, first, export, effective_date),
    )


def check_leavers(
    reconciliation: Reconciliation,
    max_leavers: int | None = None,
    force: bool = False,
    share: float = DEFAULT_LEAVER_SHARE,
) -> str | None:
    """Refuse when the leavers look like an incomplete export, unless forced.

    The limit is more than ``share`` of the people active in HRMOS, or more
    than ``max_leavers`` when given. Returns a warning to print when the run
    goes ahead anyway because of ``force``; None when within the limits.
    """
    leavers = reconciliation.count("leaver")
    active = reconciliation.hrmos_active
    reasons = []
    if leavers > share * active:
        percent = 100 * leavers / active if active else 100.0
        reasons.append(
            f"that is {percent:.0f}% of the {active} people active in HRMOS, more "
            f"than the {share:.0%} allowed"
        )
    if max_leavers is not None and leavers > max_leavers:
        reasons.append(f"more than --max-leavers {max_leavers}")
    if not reasons:
        return None
    message = (
        f"{leavers} leavers would be proposed ({'; '.join(reasons)}). An Okta "
        "export missing people (a filter, a group, a missing page) looks exactly "
        "like this"
    )
    if force:
        return f"{message}; going ahead because of --force."
    raise SafeguardError(
        f"Refused: {message}. Check that the export holds everyone, then run again "
        "with --force to go ahead (or raise --max-leavers)."
    )


def sections(template: Template, compared: list[str]) -> list[tuple[str, list[str]]]:
    """Group compared columns by HRMOS section, in the template's column order.

    Columns without a section form one group of their own, named "".
    """
    groups: dict[str, list[str]] = {}
    for column in template.columns:
        if column.header in compared:
            groups.setdefault(column.section, []).append(column.header)
    return list(groups.items())


def edit_layout(template: Template, compared: list[str], section: str = "") -> Template:
    """The edit file's layout: 社員コード, 適用日, then the compared columns.

    With a section, the file is named after it (HRMOS's 社員の一括編集 takes
    one section per file). A template whose columns are all アカウント fields
    gets no 適用日: HRMOS keeps no history for that category.
    """
    code = code_column(template)
    kept = [c for c in template.columns if c.header in compared]
    effective = [c for c in template.columns if getattr(c, "effective_date", False)]
    if effective:
        columns = [code, effective[0], *kept]
    elif all(c.header in ACCOUNT_HEADERS for c in template.columns if c is not code):
        columns = [code, *kept]
    else:
        dated = Column(
            header=EFFECTIVE_DATE_HEADER,
            rules=("date",),
            date_format=_date_format(template),
        )
        columns = [code, dated, *kept]
    name = f"{template.name}-edit"
    if section:
        name += "-" + file_name_part(section)
    return _derived(
        template,
        columns,
        name=name,
        title=f"{template.title or template.name}: 社員の一括編集(ファイル), "
        "changed employees",
    )


def file_name_part(section: str) -> str:
    """A section as part of a file name: 業務情報 > 部署・役職 → 業務情報-部署・役職."""
    parts = [re.sub(r'[\\/:*?"<>|\s]+', "_", p.strip()) for p in section.split(">")]
    return "-".join(part for part in parts if part)


def leaver_layout(template: Template) -> Template:
    """The leavers file's layout: 社員コード, 適用日, 退職日 (入社・退職 section)."""
    date_format = _date_format(template)
    columns = [
        code_column(template),
        Column(header=EFFECTIVE_DATE_HEADER, rules=("date",), date_format=date_format),
        Column(header=LEAVING_DATE_HEADER, rules=("date",), date_format=date_format),
    ]
    return _derived(
        template,
        columns,
        name="hrmos-core-leavers",
        title="HRMOS CORE 業務情報 > 入社・退職: 退職日 (leavers), provisional",
    )


def describe(reconciliation: Reconciliation, limit: int = 200) -> str:
    """Render the counts and the per-field changes as plain text."""
    counts = reconciliation.counts
    lines = [
        f"effective date (適用日): {reconciliation.effective_date.isoformat()}",
        f"HRMOS export: {reconciliation.hrmos_rows} people, "
        f"{reconciliation.hrmos_active} active",
        "",
    ]
    lines += [f"{category:<10} {counts[category]:>7}" for category in CATEGORIES]

    several = len(reconciliation.templates) > 1
    details: list[str] = []
    for record in reconciliation.changes.itertuples(index=False):
        where = f"{record.file}: " if several else ""
        details.append(
            f"changed   {record.code}  {where}{record.column}: "
            f"{_shown(record.old)} → {_shown(record.new)}"
        )
    for record in reconciliation.leavers.itertuples(index=False):
        details.append(
            f"leaver    {record.code}  proposed {LEAVING_DATE_HEADER} "
            f"{record.leaving}: {record.reason}"
        )
    people = reconciliation.people
    for record in people[people["category"].eq("conflict")].itertuples(index=False):
        details.append(f"conflict  {record.code}  {record.reason}")
    for record in reconciliation.notices.itertuples(index=False):
        details.append(f"check     {record.code}  {record.notice}: {record.text}")
    if details:
        lines.append("")
        lines += details[:limit]
        if len(details) > limit:
            lines.append(f"… and {len(details) - limit} more lines.")
    return "\n".join(lines)


def _shown(value: str) -> str:
    return repr(value) if value == "" or value != value.strip() else value


def _okta_side(validation: Validation, code: str) -> pd.DataFrame:
    table = validation.users.table
    blank = pd.Series("", index=table.index, dtype=TEXT)
    if code in validation.prepared.columns:
        codes = validation.prepared[code].astype(TEXT)
    else:
        codes = blank
    status = (
        table["status"].str.strip().str.upper() if "status" in table.columns else blank
    )
    changed_at = table["statusChanged"] if "statusChanged" in table.columns else blank
    return pd.DataFrame(
        {
            "key": comparison_key(codes),
            "code": codes,
            "accepted": table.index.isin(validation.accepted),
            "deprovisioned": status.eq("DEPROVISIONED").to_numpy(dtype=bool),
            "status_changed": changed_at,
        },
        index=table.index,
    )


def _hrmos_side(export: HrmosExport, code: str) -> pd.DataFrame:
    table = export.table
    blank = pd.Series("", index=table.index, dtype=TEXT)
    leaving = table[LEAVING_DATE_HEADER] if export.has_leaving_date else blank
    effective = (
        iso_dates(table[EFFECTIVE_DATE_HEADER]).fillna("")
        if EFFECTIVE_DATE_HEADER in table.columns
        else blank
    )
    return pd.DataFrame(
        {
            "key": export.key,
            "code": table[code],
            "retired": leaving.str.strip().ne("").to_numpy(dtype=bool),
            "hrmos_effective": effective,
            "hrmos_leaving": leaving,
        },
        index=table.index,
    )


@dataclass
class _Comparison:
    """One template's columns compared for the matched people."""

    template: Template
    order: int
    compared: list[str]
    not_compared: list[str]
    # Per merged position: does any compared column differ?
    differs: np.ndarray
    # One row per changed field, with the merged position of the person.
    changes: pd.DataFrame
    new: pd.DataFrame
    old: pd.DataFrame


def _compare(
    validation: Validation,
    order: int,
    export: HrmosExport,
    merged: pd.DataFrame,
    both: np.ndarray,
    code: str,
) -> _Comparison:
    """Compare one template's prepared values with HRMOS's, column by column.

    A blank Okta value is never a change (okta2hrmos never clears a stored
    value); dates are compared as dates; HRMOS's values are trimmed first.
    """
    template = validation.template
    compared, not_compared = [], []
    for column in template.columns:
        if column.header == code or getattr(column, "effective_date", False):
            continue
        if column.header not in validation.prepared.columns:
            continue
        if column.header in export.table.columns:
            compared.append(column.header)
        else:
            not_compared.append(column.header)

    positions = np.flatnonzero(both)
    matched = merged.iloc[positions]
    okta_rows = matched["okta_row"].astype(int).to_numpy()
    hrmos_rows = matched["hrmos_row"].astype(int).to_numpy()
    new = validation.prepared.loc[okta_rows, compared].astype(TEXT)
    old = export.table.loc[hrmos_rows, compared].astype(TEXT)
    new.index = old.index = pd.RangeIndex(len(positions))

    date_columns = {c.header for c in template.columns if "date" in c.rules}
    differs = np.zeros(len(merged), dtype=bool)
    pieces = []
    for place, header in enumerate(compared):
        after = new[header]
        before = old[header].str.strip(rules.TRIMMED)
        if header in date_columns:
            after_key = iso_dates(after).fillna(after)
            before_key = iso_dates(before).fillna(before)
        else:
            after_key, before_key = after, before
        changed = (after.ne("") & after_key.ne(before_key)).to_numpy(dtype=bool)
        if not changed.any():
            continue
        differs[positions[changed]] = True
        pieces.append(
            pd.DataFrame(
                {
                    "position": positions[changed],
                    "code": matched["code_hrmos"].to_numpy()[changed],
                    "okta_row": okta_rows[changed],
                    "file": template.name,
                    "column": header,
                    "old": old[header].to_numpy()[changed],
                    "new": after.to_numpy()[changed],
                    "column_order": place,
                }
            )
        )
    columns = ["position", "code", "okta_row", "file", "column", "old", "new"]
    columns.append("column_order")
    changes = (
        pd.concat(pieces, ignore_index=True)
        if pieces
        else pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    )
    changes["file_order"] = order
    changes = changes.astype(
        {name: TEXT for name in ("code", "file", "column", "old", "new")}
    )
    return _Comparison(
        template=template,
        order=order,
        compared=compared,
        not_compared=not_compared,
        differs=differs,
        changes=changes,
        new=new.set_axis(positions),
        old=old.set_axis(positions),
    )


def _identity_conflicts(
    validations: Sequence[Validation],
    candidates: pd.DataFrame,
    hrmos: pd.DataFrame,
    export: HrmosExport,
    code: str,
) -> pd.DataFrame:
    """Pairs of an Okta code and another HRMOS code that share a login or email."""
    table = validations[0].users.table
    templates = [validation.template for validation in validations]
    attributes = [a for a in IDENTITY_ATTRIBUTES if a in table.columns]
    attributes += [
        a
        for t in templates
        for a in t.unique
        if a in table.columns and a not in attributes and a != "employeeNumber"
    ]
    hrmos_columns = list(
        dict.fromkeys(
            c.header
            for t in templates
            for c in t.columns
            if c.header != code
            and c.header in export.table.columns
            and any(a in c.source for a in attributes)
        )
    )
    if HRMOS_LOGIN_HEADER in export.table.columns:
        hrmos_columns = list(dict.fromkeys([*hrmos_columns, HRMOS_LOGIN_HEADER]))
    columns = ["key", "other_key", "code", "other_code", "value", "okta", "hrmos"]
    if not attributes or not hrmos_columns:
        return pd.DataFrame({name: pd.Series(dtype=TEXT) for name in columns})

    okta_ids = _long_identities(table.loc[candidates.index, attributes], candidates)
    hrmos_ids = _long_identities(export.table[hrmos_columns], hrmos)
    pairs = okta_ids.merge(hrmos_ids, on="identity", suffixes=("", "_other"))
    pairs = pairs[pairs["key"].ne(pairs["key_other"])]
    pairs = pairs.drop_duplicates(["key", "key_other", "identity"])
    return pd.DataFrame(
        {
            "key": pairs["key"],
            "other_key": pairs["key_other"],
            "code": pairs["code"],
            "other_code": pairs["code_other"],
            "value": pairs["value"],
            "okta": pairs["attribute"],
            "hrmos": pairs["attribute_other"],
        },
        columns=columns,
    ).astype(TEXT)


def _long_identities(values: pd.DataFrame, side: pd.DataFrame) -> pd.DataFrame:
    """One row per (person, identity value): key, code, attribute, value, identity."""
    long = values.astype(TEXT).melt(
        var_name="attribute", value_name="value", ignore_index=False
    )
    long = long[long["value"].str.strip().ne("")]
    long["identity"] = comparison_key(long["value"])
    long["key"] = side["key"].reindex(long.index).to_numpy()
    long["code"] = side["code"].reindex(long.index).to_numpy()
    return long.reset_index(drop=True)


def _code_clashes(
    candidates: pd.DataFrame, clashing: pd.Series, code: str
) -> pd.DataFrame:
    """One conflict line for each code that several accepted Okta users share."""
    rows = candidates.loc[clashing.index].drop_duplicates("key")
    return pd.DataFrame(
        {
            "key": rows["key"],
            "other_key": rows["key"],
            "code": rows["code"],
            "other_code": rows["code"],
            "value": rows["code"],
            "okta": "employeeNumber",
            "hrmos": code,
        }
    ).astype(TEXT)


def _future_records(merged: pd.DataFrame, effective_date: date) -> np.ndarray:
    """HRMOS already holds a record dated after the effective date."""
    later = merged["hrmos_effective"].fillna("").astype(str)
    return (later.ne("") & later.gt(effective_date.isoformat())).to_numpy(dtype=bool)


def _reasons(
    merged: pd.DataFrame,
    in_conflict: np.ndarray,
    retired: np.ndarray,
    future: np.ndarray,
    conflicts: pd.DataFrame,
) -> pd.Series:
    """One sentence per person saying why they are in their category."""
    category = merged["category"]
    deprovisioned = merged["deprovisioned"].fillna(False).astype(bool).to_numpy()
    texts = {
        "new": "not in HRMOS yet",
        "changed": "fields differ from HRMOS",
        "unchanged": "same values in HRMOS",
        "skipped": "deactivated in Okta and never registered in HRMOS",
        "held": "the Okta row was rejected (see rejects.csv); fix it to compare",
        "retired": "already has a 退職日 in HRMOS",
    }
    reason = category.map(texts).fillna("").astype(object)

    leaver = category.eq("leaver").to_numpy()
    reason[leaver & deprovisioned] = "deactivated (DEPROVISIONED) in Okta"
    reason[leaver & ~deprovisioned] = "not in the Okta export"

    if in_conflict.any():
        reason[in_conflict] = _clash_reasons(merged[in_conflict], conflicts)
    conflict = category.eq("conflict").to_numpy() & ~in_conflict
    later = conflict & future
    if later.any():
        reason[later] = (
            "HRMOS already holds a record from "
            + merged.loc[later, "hrmos_effective"].astype(str)
            + ", after the effective date; HRMOS refuses history before it, so "
            "choose that date or a later one as --effective-date"
        )
    rehired = conflict & retired & ~future
    if rehired.any():
        reason[rehired] = (
            "retired in HRMOS (退職日 "
            + merged.loc[rehired, "hrmos_leaving"].astype(str)
            + ") but active in Okta; a rehire needs a new 社員コード in HRMOS"
        )
    return reason.astype(TEXT)


def _clash_reasons(people: pd.DataFrame, conflicts: pd.DataFrame) -> pd.Series:
    """Describe each person's identity clashes in one sentence."""
    if people.empty:
        return pd.Series(dtype=object)
    same_code = conflicts["key"].eq(conflicts["other_key"])
    text = (
        conflicts["okta"]
        + " "
        + conflicts["value"]
        + " of "
        + conflicts["code"]
        + " in Okta is the "
        + conflicts["hrmos"]
        + " of "
        + conflicts["other_code"]
        + " in HRMOS"
    ).where(~same_code, "several Okta users share 社員コード " + conflicts["code"])
    sides = pd.concat(
        [
            pd.DataFrame({"key": conflicts["key"], "text": text}),
            pd.DataFrame({"key": conflicts["other_key"], "text": text}),
        ],
        ignore_index=True,
    ).drop_duplicates()
    joined = sides.groupby("key", sort=False)["text"].agg("; ".join)
    return people["key"].map(joined).fillna("conflict").to_numpy()


def _proposed_leaving_dates(
    merged: pd.DataFrame, deprovisioned: np.ndarray, effective_date: date
) -> tuple[pd.Series, pd.Series]:
    """Okta's deactivation date in Japan for the deactivated, else the run's date.

    Also returns where each date comes from: ``okta`` (the day Okta
    deactivated the user, in Japan) or ``effective`` (the effective date).
    """
    stamps = pd.to_datetime(
        merged["status_changed"].fillna("").astype(str),
        utc=True,
        errors="coerce",
        format="ISO8601",
    )
    in_japan = (stamps + pd.Timedelta(hours=9)).dt.strftime("%Y-%m-%d")
    fallback = effective_date.isoformat()
    from_okta = pd.Series(deprovisioned, index=merged.index) & in_japan.notna()
    proposed = in_japan.where(from_okta, fallback)
    basis = pd.Series("effective", index=merged.index).where(~from_okta, "okta")
    return proposed.fillna(fallback).astype(TEXT), basis.astype(TEXT)


def _names(
    people: pd.DataFrame,
    first: Validation,
    export: HrmosExport,
    validations: Sequence[Validation],
) -> pd.Series:
    """Each person's name, 姓 名: from Okta when they have an Okta row, else HRMOS."""
    table = first.users.table
    okta = _joined_names([table[a] for a in NAME_ATTRIBUTES if a in table.columns])
    headers = list(
        dict.fromkeys(
            column.header
            for attribute in NAME_ATTRIBUTES
            for validation in validations
            for column in validation.template.columns
            if attribute in column.source and column.header in export.table.columns
        )
    )
    hrmos = _joined_names([export.table[h] for h in headers])
    from_okta = people["okta_row"].map(okta) if len(okta) else None
    from_hrmos = people["hrmos_row"].map(hrmos) if len(hrmos) else None
    names = pd.Series("", index=people.index, dtype=object)
    for found in (from_hrmos, from_okta):
        if found is not None:
            names = found.where(found.notna() & found.ne(""), names)
    return names.fillna("").astype(TEXT)


def _joined_names(parts: list[pd.Series]) -> pd.Series:
    if not parts:
        return pd.Series(dtype=object)
    joined = parts[0].fillna("").astype(str).str.strip()
    for part in parts[1:]:
        joined = joined + " " + part.fillna("").astype(str).str.strip()
    return joined.str.strip()


def _notices(
    people: pd.DataFrame,
    first: Validation,
    export: HrmosExport,
    effective_date: date,
) -> pd.DataFrame:
    """Things about new people to check before registering them.

    ``future-hire-date``: hired after the effective date. ``old-hire-date``:
    hired long before it, yet not in HRMOS under this code (perhaps under
    another one). ``same-name-in-hrmos``: HRMOS holds someone of the same
    name under another code. None rejects anybody.
    """
    new = people[people["category"].eq("new")]
    pieces = []
    hire = _hire_date_column(first.template)
    if hire is not None and hire in first.prepared.columns and len(new):
        written = first.prepared.loc[new["okta_row"].astype(int), hire].astype(TEXT)
        iso = iso_dates(written.reset_index(drop=True)).fillna("")
        iso.index = new.index
        written.index = new.index
        today = effective_date.isoformat()
        long_ago = (effective_date - timedelta(days=OLD_HIRE_DAYS)).isoformat()
        later = iso.ne("") & iso.gt(today)
        earlier = iso.ne("") & iso.lt(long_ago) & (len(export.table) > 0)
        pieces.append(
            _notice_frame(
                new[later],
                "future-hire-date",
                hire,
                written[later],
                "",
                hire
                + " "
                + written[later]
                + f" is after the effective date {effective_date:%Y/%m/%d}: "
                "registering now makes an employee who has not started yet; check "
                "the date",
            )
        )
        pieces.append(
            _notice_frame(
                new[earlier],
                "old-hire-date",
                hire,
                written[earlier],
                "",
                "hired "
                + written[earlier]
                + f", more than {OLD_HIRE_DAYS} days before the effective date, "
                "yet not in HRMOS under this 社員コード: look for the person in "
                "HRMOS by name; registered under another code, they must not be "
                "registered again",
            )
        )
    key = comparison_key(people["name"].str.replace(r"\s+", "", regex=True))
    in_hrmos = people["hrmos_row"].notna() & key.ne("")
    holders = (
        pd.DataFrame({"key": key[in_hrmos], "other": people.loc[in_hrmos, "code"]})
        .drop_duplicates("key")
        .set_index("key")["other"]
    )
    other = key[new.index].map(holders)
    same = other.notna()
    pieces.append(
        _notice_frame(
            new[same],
            "same-name-in-hrmos",
            "",
            new.loc[same, "name"],
            other[same],
            "HRMOS holds someone of the same name under 社員コード "
            + other[same].astype(str)
            + ": if it is this person, do not register them again",
        )
    )
    notices = pd.concat([_no_notices(), *pieces], ignore_index=True)
    order = {code: rank for rank, code in enumerate(NOTICES)}
    notices = notices.assign(rank=notices["notice"].map(order)).sort_values(
        ["okta_row", "rank"], kind="stable"
    )
    return notices.drop(columns="rank").reset_index(drop=True)


def _hire_date_column(template: Template) -> str | None:
    for column in template.columns:
        if "hireDate" in column.source or column.header == HIRE_DATE_HEADER:
            return column.header
    return None


def _notice_frame(
    people: pd.DataFrame,
    notice: str,
    column: str,
    value: pd.Series,
    other: pd.Series | str,
    text: pd.Series | str,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": people["code"],
            "name": people["name"],
            "okta_row": people["okta_row"],
            "notice": notice,
            "column": column,
            "value": value,
            "other": other,
            "text": text,
        },
        index=people.index,
        columns=NOTICE_COLUMNS,
    )


def _no_notices() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in NOTICE_COLUMNS})
    return frame.astype({"okta_row": "Int64"})


def _blank_code_people(okta: pd.DataFrame, code: str) -> pd.DataFrame:
    """Accepted Okta users without a 社員コード: nothing to match them on."""
    blank = okta[okta["accepted"] & okta["key"].eq("")]
    return pd.DataFrame(
        {
            "code": "",
            "category": "conflict",
            "reason": f"no {code} to match with HRMOS",
            "okta_row": pd.array(blank.index, dtype="Int64"),
            "hrmos_row": pd.array([pd.NA] * len(blank), dtype="Int64"),
        }
    )


def _edit_file(
    comparison: _Comparison,
    changed: pd.DataFrame,
    code: str,
    effective_date: date,
    section: str,
    columns: list[str],
) -> FileChanges:
    """The changed people of one template's section in its edit layout.

    A cell Okta leaves blank carries HRMOS's current value, so that the new
    history record does not clear it.
    """
    layout = edit_layout(comparison.template, columns, section)
    positions = changed.index.to_numpy()
    data = {code: changed["code_hrmos"].astype(TEXT).to_numpy()}
    dated = [c for c in layout.columns[1:2] if "date" in c.rules]
    if dated:
        iso = pd.Series(effective_date.isoformat(), index=range(len(changed)))
        data[dated[0].header] = rules.format_dates(
            iso.astype(TEXT), dated[0].date_format
        ).to_numpy()
    for header in columns:
        new = comparison.new.loc[positions, header]
        old = comparison.old.loc[positions, header]
        data[header] = new.where(new.ne(""), old).to_numpy()
    rows = pd.DataFrame(
        data, index=pd.Index(changed["okta_row"].astype(int), name="row")
    )
    rows = rows.sort_index(kind="stable").astype(TEXT)
    return FileChanges(
        template=comparison.template,
        layout=layout,
        compared=columns,
        not_compared=comparison.not_compared,
        rows=rows[layout.headers],
        section=section,
    )


def _leavers(
    leaving: pd.DataFrame, export: HrmosExport, code: str, people: pd.DataFrame
) -> pd.DataFrame:
    """The leavers for review: code, name, proposed 退職日, why, where the date
    comes from (basis: okta or effective, with Okta's statusChanged), and
    HRMOS's values."""
    shown = [h for h in export.table.columns if h not in (code, LEAVING_DATE_HEADER)]
    values = export.table.loc[leaving["hrmos_row"].astype(int), shown]
    names = people.dropna(subset=["hrmos_row"]).set_index("hrmos_row")["name"]
    frame = pd.DataFrame(
        {
            "code": leaving["code_hrmos"].astype(TEXT).to_numpy(),
            "name": leaving["hrmos_row"].map(names).fillna("").to_numpy(),
            "leaving": leaving["leaving"].astype(TEXT).to_numpy(),
            "reason": leaving["reason"].astype(TEXT).to_numpy(),
            "basis": leaving["basis"].astype(TEXT).to_numpy(),
            "status_changed": leaving["status_changed"].fillna("").to_numpy(),
            "okta_row": leaving["okta_row"].to_numpy(),
            "hrmos_row": leaving["hrmos_row"].to_numpy(),
        }
    )
    for header in shown:
        frame[header] = values[header].to_numpy()
    return frame.astype(
        {name: TEXT for name in ("code", "name", "leaving", "reason", "basis")}
    )


def _leaver_files(
    leaving: pd.DataFrame, layout: Template, code: str
) -> list[LeaverFile]:
    """The leavers in the 入社・退職 layout, a file per basis of the 退職日.

    適用日 is the 退職日 itself.
    """
    date_format = layout.columns[-1].date_format
    proposed = rules.format_dates(
        leaving["leaving"].astype(TEXT).reset_index(drop=True), date_format
    )
    rows = pd.DataFrame(
        {
            code: leaving["code_hrmos"].astype(TEXT).to_numpy(),
            EFFECTIVE_DATE_HEADER: proposed.to_numpy(),
            LEAVING_DATE_HEADER: proposed.to_numpy(),
        },
        index=pd.Index(leaving["hrmos_row"].astype(int), name="row"),
    )
    rows = rows.astype(TEXT)[layout.headers]
    basis = leaving["basis"].to_numpy()
    return [
        LeaverFile(
            basis=name,
            layout=dataclasses.replace(layout, name=LEAVER_FILES[name]),
            rows=rows[basis == name],
        )
        for name in LEAVER_FILES
        if (basis == name).any()
    ]


def _derived(
    template: Template, columns: list[Column], name: str, title: str
) -> Template:
    """A layout made from a template's columns, keeping its header rows' cells."""
    originals = template.headers
    header_rows = []
    for row in template.header_rows:
        header_rows.append(
            tuple(
                row[originals.index(c.header)] if c.header in originals else c.header
                for c in columns
            )
        )
    return dataclasses.replace(
        template,
        name=name,
        title=title,
        columns=tuple(columns),
        header_rows=tuple(header_rows),
        provisional=True,
    )


def _date_format(template: Template) -> str:
    for column in template.columns:
        if "date" in column.rules:
            return column.date_format
    return "yyyy/MM/dd"


def iso_dates(values: pd.Series) -> pd.Series:
    """Parse dates written any way validation accepts; NA where not a date."""
    parsed = rules.per_distinct(values.fillna("").astype(TEXT), _iso_or_blank)
    return parsed.where(parsed.ne(""), pd.NA)


def _iso_or_blank(value: str) -> str:
    if not value.strip():
        return ""
    result = rules.parse_date(value)
    return result[1:] if result.startswith("=") else ""
