"""The package's README.md for the HR admin, in Japanese and then English.

It says what made the package, what is in it, the counts, everything to
check before uploading, the rejected people, the upload steps in HRMOS and
what to do when something is wrong. Every sentence is written for someone
who has never seen okta2hrmos.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from . import __version__
from .handoff import (
    CATEGORY_MEANINGS,
    CATEGORY_TEXTS,
    FINDINGS,
    MANIFEST,
    REJECTS,
    REVIEW,
    SHEET_CHANGES,
    SHEET_CONFLICTS,
    SHEET_HELD,
    SHEET_LEAVERS,
    SHEET_REJECTS,
    SHEET_SUMMARY,
    SUMMARY,
    ImportFile,
    Names,
    Package,
    file_parts,
    formatted_dates,
    headers_by_attribute,
    held_people,
    in_japanese,
    input_names,
    inputs_by_role,
    leaving_basis,
    modified_clause,
    notice_counts,
    rejected_people,
    row_number,
    slashed,
)
from .reconcile import (
    EFFECTIVE_DATE_HEADER,
    LEAVER_FILES,
    NOTICES,
    OLD_HIRE_DAYS,
    code_column,
)
from .validate import Validation

MENU = "Admin > 社員リスト > 社員の操作"

# Columns whose values HRMOS takes from its company masters (会社マスタ).
MASTER_HEADERS = ("部署", "役職", "雇用形態", "等級")

# At most this many people are listed by name per item in the README; the
# rest are in review.xlsx.
LISTED = 20

# Okta attributes holding personal data beyond names and emails, by what the
# privacy warning calls them: (日本語, English, attributes).
PERSONAL_DATA = (
    ("電話番号", "phone numbers", ("mobilePhone", "primaryPhone")),
    (
        "住所",
        "addresses",
        ("streetAddress", "city", "state", "zipCode", "postalAddress"),
    ),
    ("上司", "managers", ("manager", "managerId")),
    ("2 つ目のメールアドレス", "second emails", ("secondEmail",)),
)

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
    "missing-recommended": (
        "入れておくとよい項目 (メールアドレスなど) が空です",
        "a recommended value (such as the email) is empty",
    ),
    "non-bmp-character": (
        "一部のシステムで消える文字 (𠮷 など) があります",
        "holds a character such as 𠮷 that some systems drop",
    ),
    "deprovisioned-user": (
        "Okta では無効 (退職者) です",
        "deactivated in Okta (a leaver)",
    ),
    "trimmed-value": (
        "前後の空白や見えない文字を取り除きました",
        "spaces or invisible characters at the ends were removed",
    ),
    "normalized-code": (
        "全角の社員コードを半角にしました",
        "a full-width employee code was made half-width",
    ),
    "converted-kana": (
        "ひらがな・半角カナを全角カタカナにしました",
        "hiragana or half-width kana were written as full-width katakana",
    ),
    "line-break-replaced": (
        "改行を空白にしました",
        "line breaks were replaced by a space",
    ),
}

# What the HR admin does about each warning and cleaned value: (日本語, English).
ADVICE = {
    "formula-like": (
        "ほぼ確実に Okta での入力ミスです (役職や"
        "氏名が = で始まることはまずありません)。"
        "この人の入ったファイルは取り込まず、IT 担当者に Okta の値を直してパッケージを"
        "作り直してもらってください。ほかのファイルは取り込んでかまいません",
        "almost certainly a typo in Okta (a title or name hardly ever starts with "
        "=). Do not upload the file this person is in; ask your IT admin to fix the "
        "value in Okta and make the package again. The other files can go in",
    ),
    "missing-recommended": (
        "空のまま登録されます (メールアドレスがないと HRMOS から招待できません)。"
        "取り込んでかまいませんが、IT 担当者に Okta で埋めてもらうか、あとで HRMOS "
        "で入力してください",
        "they are written with it empty (without an email HRMOS cannot invite "
        "them). You can upload; then ask your IT admin to fill it in Okta, or "
        "enter it in HRMOS later",
    ),
    "non-bmp-character": (
        "取り込んだ後、社員リストでこの人の氏名が正しく表示されるか確かめてください",
        "after the upload, check in 社員リスト that this person's name shows correctly",
    ),
    "deprovisioned-user": (
        "登録ファイルに入っています。このまま登録すると在籍中の社員になるので、"
        "取り込む前に IT 担当者に確認してください",
        "they are in the registration file: registering them makes an active "
        "employee, so ask your IT admin before uploading",
    ),
}
# What to do about a cleaned value, in parts that hold for where its people
# went: (日本語, English).
CLEANED_ADVICE = {
    "all": ("対応は不要です", "nothing to do"),
    "file": (
        "ファイルには書き直した値が入っています",
        "the files hold the cleaned value",
    ),
    "rejected": (
        "却下された人はどのファイルにも入っていません。Okta で直して作り直した"
        "パッケージでは、書き直した値になります (5 を参照)",
        "the rejected are in no file; once they are fixed in Okta, the new "
        "package holds the cleaned value (see 5)",
    ),
    "other": (
        "ほかの人がどのファイルにも入っていない理由は、各行の末尾にあります",
        "why the others are in no file is at the end of their line",
    ),
}
# With an HRMOS export, a deactivated person is never registered.
DEPROVISIONED_RECONCILED = (
    "登録ファイルには入れていません。HRMOS で在籍中の人は退職候補 (下の表) です",
    "they are in no registration file; those active in HRMOS are leavers (below)",
)


def render_readme(package: Package, first: Validation, include_leavers: bool) -> str:
    """The package's README.md, Japanese first, then English."""
    parts = [_Readme(package, first, include_leavers, n).render() for n in (0, 1)]
    rejected = _rejected_personal_data(first)
    return "\n".join(
        [
            "# HRMOS 取り込みパッケージ / HRMOS import package",
            "",
            f"okta2hrmos {__version__} · [English below](#english)",
            "",
            f"> **個人情報が入っています** (氏名・メールアドレスなど)。{rejected[0]}"
            "自分の PC か IT 担当者に指定された場所だけに置き、共有フォルダ・メール・"
            "チャットには置かないでください。すべて済んだら削除します (8 を参照)。",
            ">",
            f"> **This folder holds personal data** (names, emails and more). "
            f"{rejected[1]}Keep it on your own PC or where your IT admin told you, "
            "never on a shared drive, in mail or in chat, and delete it when "
            "everything is done (see 8).",
            "",
            *parts[0],
            "",
            *parts[1],
            "",
        ]
    )


def _rejected_personal_data(first: Validation) -> tuple[str, str]:
    """The privacy warning's sentence on the rejects: what they hold, as found."""
    if not len(first.rejected):
        return "", ""
    table = first.users.table.loc[first.rejected]
    filled = {c for c in table.columns if table[c].fillna("").str.strip().ne("").any()}
    found = [(j, e) for j, e, names in PERSONAL_DATA if filled & set(names)]
    japanese = f" ({'・'.join(j for j, _ in found)}など) " if found else ""
    english = f", {' and '.join(e for _, e in found)} among them" if found else ""
    return (
        f"`{REJECTS}` と `{REVIEW}` の {SHEET_REJECTS} シートには、却下された人の "
        f"Okta の値{japanese}がすべて入っています。",
        f"`{REJECTS}` and the {SHEET_REJECTS} sheet of `{REVIEW}` hold every Okta "
        f"value of the rejected people{english}. ",
    )


class _Readme:
    """The README in one language: 0 for Japanese, 1 for English."""

    def __init__(
        self,
        package: Package,
        first: Validation,
        include_leavers: bool,
        language: int,
    ) -> None:
        self.package = package
        self.first = first
        self.include_leavers = include_leavers
        self.language = language
        self.reconciliation = package.reconciliation
        self.names = Names(first)
        self.okta_file, self.hrmos_file = input_names(package, first)
        self.uploads = [
            (planned, name, part)
            for planned in package.files
            for name, part in zip(planned.names, file_parts(planned), strict=True)
        ]

    def t(self, japanese: str, english: str) -> str:
        return (japanese, english)[self.language]

    def render(self) -> list[str]:
        lines = [self.t("## 日本語", "## English")]
        checklist = self.checklist()
        if checklist:
            title = self.t("取り込む前のチェックリスト", "Checklist before uploading")
            lines += ["", f"### {title}", "", *checklist]
        for number, (title, body) in enumerate(self.sections(), start=1):
            lines += ["", f"### {number}. {title}", "", *body]
        return lines

    def sections(self) -> list[tuple[str, list[str]]]:
        t = self.t
        found = [
            (t("もとになったデータ", "What this package was made from"), self.inputs()),
            (t("このフォルダの中身", "What is in this folder"), self.contents()),
            (t("件数", "Counts"), self.counts()),
        ]
        checks = self.checks()
        if checks:
            found.append(
                (t("取り込む前に確かめること", "Check before uploading"), checks)
            )
        found += [
            (t("却下された人", "People who were rejected"), self.rejects()),
            (t("HRMOS での取り込み手順", "Uploading in HRMOS"), self.steps()),
            (
                t(
                    "注意: CSV ファイルを Excel で開いて保存しないでください",
                    "Warning: do not open and re-save the CSV files in Excel",
                ),
                self.excel(),
            ),
            (
                t(
                    "何かおかしいとき・終わったら",
                    "If something is wrong, and when done",
                ),
                self.afterwards(),
            ),
        ]
        return found

    # The checklist -----------------------------------------------------------

    def checklist(self) -> list[str]:
        """Every check before uploading, in order, each with the files it holds."""
        if not self.uploads:
            return []
        t = self.t
        every = [name for _, name, _ in self.uploads]
        items = [
            (
                t(
                    "1 のファイル名と日時が、IT 担当者がこのために書き出したものと同じ",
                    "the file names and times in 1 are the exports your IT admin "
                    "made for this",
                ),
                every,
                "1",
            ),
            (
                t(
                    "6 のメニューと画面が HRMOS にあり、ファイルごとの見出しが、"
                    "その画面の HRMOS のテンプレートと合う",
                    "the menus and screens of 6 are in HRMOS, and each file's "
                    "headers match HRMOS's template on its screen",
                ),
                t("見出しの合わないファイル", "the file whose headers differ"),
                t("6 の「始める前に」の 1", "6, before you start, 1"),
            ),
        ]
        items += self.warning_checks()
        items += self.notice_checks()
        if self.masters():
            items.append(
                (
                    t(
                        "4 の部署・役職などの値が、すべて HRMOS の会社マスタにある",
                        "every 部署, 役職 and like value listed in 4 is in HRMOS's "
                        "company masters",
                    ),
                    t(
                        "ない値の後ろに番号のあるファイル",
                        "the files numbered after a missing value",
                    ),
                    "4",
                )
            )
        items += self.effective_date_checks()
        items += self.leaver_checks()
        lines = [
            t(
                "上から順に確かめます。だめなものがあれば、そこに書いたファイルを"
                "取り込みません。取り込まないファイルから分けた `….1-trial-row.csv`"
                " と `….2-other-rows.csv` も、だれが入っていても取り込みません。"
                "ほかのファイルは取り込めます。(→ の後ろは、詳しい説明のある下の"
                "節です。)",
                "Go down the list. When a check fails, do not upload the files it "
                "names; the `….1-trial-row.csv` and `….2-other-rows.csv` cut from a "
                "file you hold back are held back too, whoever they hold. The other "
                "files can go in. (After → is the section below with the details.)",
            ),
            "",
        ]
        for number, (check, held, section) in enumerate(items, start=1):
            files = held if isinstance(held, str) else self.file_list(held)
            lines.append(
                t(
                    f"{number}. {check}。だめなら取り込まない: {files} (→ {section})",
                    f"{number}. {check[0].upper()}{check[1:]}. If not, hold back: "
                    f"{files} (→ {section}).",
                )
            )
        who = (
            t("却下・要確認・保留の人", "The rejected, conflicting and held people")
            if self.reconciliation is not None
            else t("却下された人", "The rejected people")
        )
        where = t("4、5", "4, 5") if self.reconciliation is not None else "5"
        lines += [
            "",
            t(
                f"{who}はどのファイルにも入っていないので、取り込みを止めません "
                f"(→ {where})。全部確かめたら、6 の手順で番号の小さいファイルから"
                "取り込みます。",
                f"{who} are in no file, so they hold nothing back (→ {where}). Once "
                "all is checked, upload the files lowest number first, as 6 says.",
            ),
        ]
        return lines

    def file_list(self, names: Sequence[str]) -> str:
        """Files by name, each saying when it carries trial files."""
        t = self.t
        shown = []
        for name in dict.fromkeys(names):
            trial = next((p.trial for p, n, _ in self.uploads if n == name), [])
            extra = t(" とその試しの 2 ファイル", " and its two trial files")
            shown.append(f"`{name}`" + (extra if trial else ""))
        if len(shown) == len(self.uploads) and len(shown) > 1:
            return t("全部のファイル", "every file")
        return t("、", ", ").join(shown)

    def warning_checks(self) -> list[tuple[str, Sequence[str] | str, str]]:
        """Warnings that hold their files back until someone has looked."""
        t = self.t
        rows = self.first.finding_rows
        rows = rows[rows["severity"].eq("warning")]
        checks = []
        for code, group in rows.groupby("code", sort=True):
            if not self.holds_back(str(code)):
                continue
            files = [name for row in group["row"] for name in self.files_of(int(row))]
            if not files:
                continue
            count = self.people(group["row"].nunique())
            if code == "formula-like":
                check = t(
                    f"`formula-like` ({count}): 残っていない (IT 担当者が Okta で直して"
                    "パッケージを作り直すまでは、入力ミスとみなします)",
                    f"`formula-like` ({count}): none is left (until your IT admin "
                    "fixes it in Okta and makes the package again, it counts as a "
                    "typo)",
                )
            elif code == "deprovisioned-user":
                check = t(
                    f"`deprovisioned-user` ({count}): 在籍中の社員として登録して"
                    "よいと、IT 担当者が確かめた",
                    f"`deprovisioned-user` ({count}): your IT admin has confirmed "
                    "they are to be registered as active employees",
                )
            else:
                check = t(
                    f"`{code}` ({count}): IT 担当者が確かめた",
                    f"`{code}` ({count}): your IT admin has looked at it",
                )
            checks.append((check, files, "4"))
        return checks

    def holds_back(self, code: str) -> bool:
        """Whether a warning holds its files back until someone has looked.

        A deactivated person is in a file only without an HRMOS export; a
        warning without advice of its own is for the IT admin to judge.
        """
        if code == "deprovisioned-user":
            return self.reconciliation is None
        return code == "formula-like" or code not in ADVICE

    def notice_checks(self) -> list[tuple[str, Sequence[str] | str, str]]:
        """The checks of new people, each holding back the registration file."""
        reconciliation = self.reconciliation
        if reconciliation is None or reconciliation.notices.empty:
            return []
        t = self.t
        notices = reconciliation.notices
        register = [name for p, name, _ in self.uploads if p.kind == "register"]
        texts = {
            "same-name-in-hrmos": t(
                "`same-name-in-hrmos` ({count}): HRMOS の同じ氏名の人とは別人",
                "`same-name-in-hrmos` ({count}): none is the person of the same "
                "name in HRMOS",
            ),
            "old-hire-date": t(
                "`old-hire-date` ({count}): 別の社員コードで HRMOS にいない",
                "`old-hire-date` ({count}): none is in HRMOS under another code",
            ),
            "future-hire-date": t(
                "`future-hire-date` ({count}): 入社日が正しく、入社前に登録してよい",
                "`future-hire-date` ({count}): the 入社日 is right, and registering "
                "before the start is fine",
            ),
        }
        checks = []
        for notice in NOTICES:
            found = notices[notices["notice"].eq(notice)]
            if len(found) and register:
                count = self.people(len(found))
                checks.append((texts[notice].format(count=count), register, "4"))
        return checks

    def effective_date_checks(self) -> list[tuple[str, Sequence[str] | str, str]]:
        """Each edit file's 適用日 is the real day of its changes."""
        if self.reconciliation is None:
            return []
        t = self.t
        day = slashed(self.reconciliation.effective_date)
        checks = []
        for planned in self.package.files:
            if (
                planned.kind == "edit"
                and EFFECTIVE_DATE_HEADER in planned.layout.headers
            ):
                checks.append(
                    (
                        t(
                            f"`{planned.names[0]}` の全員の変更 (昇進・異動など) が、"
                            f"本当に適用日 {day} の変更",
                            f"every change in `{planned.names[0]}` (a promotion, a "
                            f"transfer) really takes effect on the 適用日 {day}",
                        ),
                        planned.names,
                        t(
                            f"6 の取り込みの {planned.number}",
                            f"6, upload step {planned.number}",
                        ),
                    )
                )
        return checks

    def leaver_checks(self) -> list[tuple[str, Sequence[str] | str, str]]:
        """Each leavers file's people really left, on its dates."""
        t = self.t
        checks = []
        for planned in self.package.files:
            if planned.kind != "leavers":
                continue
            if planned.basis == "okta":
                check = t(
                    f"`{planned.names[0]}` の全員が本当に退職し、退職日が人事の記録と"
                    "合う",
                    f"everyone in `{planned.names[0]}` really left, on the 退職日 "
                    "HR's records give",
                )
            else:
                day = slashed(self.reconciliation.effective_date)
                check = t(
                    f"`{planned.names[0]}` の全員が本当に退職し、退職日が全員 {day} "
                    "(仮の日付なので、たいていだめです)",
                    f"everyone in `{planned.names[0]}` really left, all on {day} "
                    "(a placeholder, so this usually fails)",
                )
            checks.append((check, planned.names, "4"))
        return checks

    # 1. Inputs --------------------------------------------------------------

    def inputs(self) -> list[str]:
        t = self.t
        lines = []
        for role, path in inputs_by_role(self.package, self.first):
            if role == "okta-users":
                shown = (
                    f"`{path.name}`{modified_clause(path, self.language)}"
                    if path
                    else t("Okta から直接書き出し", "exported straight from Okta")
                )
                lines.append(t(f"- Okta のユーザー: {shown}", f"- Okta users: {shown}"))
            else:
                shown = f"`{path.name}`{modified_clause(path, self.language)}"
                lines.append(
                    t(f"- HRMOS の社員データ: {shown}", f"- HRMOS employees: {shown}")
                )
        if self.reconciliation is not None:
            day = slashed(self.reconciliation.effective_date)
            lines.append(t(f"- 適用日: {day}", f"- effective date (適用日): {day}"))
        else:
            lines.append(
                t(
                    "- HRMOS とは照合していません: Okta の全員が登録ファイルに入って"
                    "います",
                    "- not compared with HRMOS: everyone from Okta is in the "
                    "registration file",
                )
            )
        sources = (
            t("Okta と HRMOS", "Okta and HRMOS") if self.reconciliation else "Okta"
        )
        lines += [
            "",
            t(
                f"ファイル名と日時が、IT 担当者がこのために {sources} から書き出した"
                "ものと合っているか、IT 担当者に確かめてください。合わなければ取り込み"
                f"ません。(`{MANIFEST}` には、ファイルの場所と SHA-256 があります。"
                "場所は okta2hrmos に渡したままなので、okta2hrmos を動かしたフォルダ"
                "からの相対パスのこともあります。)",
                "Check with your IT admin that these file names and times are the "
                f"exports they made from {sources} for this; if not, do not upload. "
                f"(`{MANIFEST}` gives each file's SHA-256 and where it was, as given "
                "to okta2hrmos: a relative path starts from the folder okta2hrmos "
                "ran in.)",
            ),
        ]
        return lines

    # 2. Contents ------------------------------------------------------------

    def contents(self) -> list[str]:
        t = self.t
        lines = [
            t(
                "| ファイル | 取り込む画面 (セクション"
                ") | 人数 | `review.xlsx` のシート |",
                "| file | HRMOS screen (section) | people | sheet of `review.xlsx` |",
            ),
            "| --- | --- | --- | --- |",
        ]
        for planned, name, part in self.uploads:
            sheet = planned.sheets[planned.names.index(name)]
            lines.append(
                f"| `{name}` | {self.where(planned)} | {len(part)} | {sheet} |"
            )
            if planned.trial:
                trial, others = planned.trial
                lines.append(
                    t(
                        f"| `{trial}` と `{others}` | `{name}` を 1 人 (試し) と残りに"
                        "分けたもの。2 つ合わせると元のファイルと同じ行です (試しの人"
                        f"が先。6 の手順) | 1 と {len(part) - 1} | |",
                        f"| `{trial}` and `{others}` | `{name}` cut into one person "
                        "(the trial) and the rest; together they hold the whole "
                        "file's rows (the trial person first; see 6) | 1 and "
                        f"{len(part) - 1} | |",
                    )
                )
        if not self.uploads:
            lines.append(
                t(
                    "| (なし) | 取り込むファイルはありません | 0 | |",
                    "| (none) | nothing to upload | 0 | |",
                )
            )
        lines += [
            t(
                f"| `{REVIEW}` | 確認用のブック (下の表)。取り込みには使いません | | |",
                f"| `{REVIEW}` | a workbook to look at everything (below); not for "
                "upload | | |",
            ),
            t(
                f"| `{REJECTS}` | 却下された人とその"
                "理由 (IT 担当者が使うもの。5 を参照)"
                f" | {len(self.first.rejected)} | {SHEET_REJECTS} |",
                f"| `{REJECTS}` | the rejected people and why (for your IT admin; see "
                f"5) | {len(self.first.rejected)} | {SHEET_REJECTS} |",
            ),
            t(
                f"| `{FINDINGS}`, `{SUMMARY}`, `{MANIFEST}` | 検査結果・件数・作成記録 "
                "(IT 担当者向け) | | |",
                f"| `{FINDINGS}`, `{SUMMARY}`, `{MANIFEST}` | findings, counts and a "
                "record of how the package was made (for IT) | | |",
            ),
            "",
            t(
                f"`{REVIEW}` のシート (どのセルも文字列です):",
                f"The sheets of `{REVIEW}` (every cell is text):",
            ),
            "",
            t(
                f"- {SHEET_SUMMARY}: 件数と、その意味",
                f"- {SHEET_SUMMARY}: the counts and what each means",
            ),
        ]
        for planned, name, _ in self.uploads:
            sheet = planned.sheets[planned.names.index(name)]
            lines.append(
                t(f"- {sheet}: `{name}` の中身", f"- {sheet}: what `{name}` holds")
            )
        lines.append(
            t(
                f"- {SHEET_REJECTS}: 却下された人の Okta"
                " の値。問題のセルは赤で、理由はメモに",
                f"- {SHEET_REJECTS}: the rejected people's Okta values; problem cells "
                "red, the reason in a note",
            )
        )
        if self.reconciliation is not None:
            lines += [
                t(
                    f"- {SHEET_CHANGES}: 変わる項目ごとに、HRMOS の今の値と新しい値",
                    f"- {SHEET_CHANGES}: each changed field, HRMOS's value now and the "
                    "new one",
                ),
                t(
                    f"- {SHEET_LEAVERS}: 退職候補と提案する退職日、日付の根拠",
                    f"- {SHEET_LEAVERS}: the leavers, the proposed 退職日 and where "
                    "it comes from",
                ),
                t(
                    f"- {SHEET_CONFLICTS}: どのファイルにも入れず、人が判断する人",
                    f"- {SHEET_CONFLICTS}: people in no file, for a person to decide",
                ),
                t(
                    f"- {SHEET_HELD}: Okta の行が却下さ"
                    "れたため照合していない HRMOS の人",
                    f"- {SHEET_HELD}: people in HRMOS not compared, as their Okta row "
                    "was rejected",
                ),
            ]
        green = (
            t(
                "緑 = HRMOS の今の値から変わるセル (メモに今の値)、",
                "green = a value that changes from HRMOS's (its value now in the "
                "note); ",
            )
            if self.reconciliation
            else ""
        )
        also = (
            t(
                "。変わるセルでも確かめてほしければ黄で、メモに今の値もあります",
                "; a value to check is yellow also when it changes, its note then "
                "giving HRMOS's value too",
            )
            if self.reconciliation
            else ""
        )
        lines += [
            "",
            t(
                f"色: {green}黄 = 確かめてほしいセル (メモに理由。4 を参照{also})、"
                "赤 = 却下の原因のセル。",
                f"Colours: {green}yellow = a value to check (why, in the note; see "
                f"4{also}); red = what got the row rejected.",
            ),
        ]
        return lines

    def where(self, planned: ImportFile) -> str:
        if planned.section:
            return f"{planned.screen} ({planned.section})"
        if planned.kind == "register":
            return planned.screen
        return self.t(
            f"{planned.screen} (セクションは 6 を参照)",
            f"{planned.screen} (for the section see 6)",
        )

    # 3. Counts --------------------------------------------------------------

    def counts(self) -> list[str]:
        t = self.t
        users = self.first.users
        lines = [
            t(
                f"- Okta のファイルの行: {users.rows_read} (見出しを除く。うち空行 "
                f"{users.dropped_blank} 行は除外)",
                f"- rows of the Okta file: {users.rows_read} (header not counted; "
                f"{users.dropped_blank} blank rows dropped)",
            ),
            t(
                f"- 検査を通った人: {len(self.first.accepted)}",
                f"- people who passed the checks: {len(self.first.accepted)}",
            ),
            t(
                f"- 却下した人: {len(self.first.rejected)} (どのファイルにも入って"
                "いません。5 を参照)",
                f"- people rejected: {len(self.first.rejected)} (in no file; see 5)",
            ),
            t(
                f"- 注意付きの値: {self.first.count('warning')}、書き直した値: "
                f"{self.first.count('info')} (4 を参照)",
                f"- values with a warning: {self.first.count('warning')}; values "
                f"cleaned: {self.first.count('info')} (see 4)",
            ),
        ]
        if self.reconciliation is not None:
            notices = self.reconciliation.notices
            by_code = notice_counts(self.reconciliation)
            lines.append(
                t(
                    f"- 新規の人の確認事項: {len(notices)}"
                    + (f" ({by_code})" if by_code else "")
                    + "。注意とは別に数えています (4 を参照)",
                    f"- notices on new people: {len(notices)}"
                    + (f" ({by_code})" if by_code else "")
                    + ", counted apart from the warnings (see 4)",
                )
            )
        lines.append(
            t(
                f"- (`{SUMMARY}` の findings の行と `{FINDINGS}` は、人ではなく"
                "検査結果を数えます。1 つの結果が複数の人にかかることがあります: "
                "重複は、重複する人全員で 1 つです。)",
                f"- (The findings line of `{SUMMARY}` and `{FINDINGS}` count "
                "findings, not people: one finding can name several people, as a "
                "duplicate names everyone who shares the value.)",
            )
        )
        reconciliation = self.reconciliation
        if reconciliation is None:
            return lines
        lines += [
            "",
            t(
                f"HRMOS との照合 (HRMOS のファイルの社員 {reconciliation.hrmos_rows} "
                f"人、うち在籍者 {reconciliation.hrmos_active} 人):",
                f"Compared with HRMOS ({reconciliation.hrmos_rows} people in the "
                f"HRMOS export, {reconciliation.hrmos_active} of them active):",
            ),
            "",
            t("| 分類 | 人数 | 意味 |", "| group | people | what it means |"),
            "| --- | --- | --- |",
        ]
        for category, texts in CATEGORY_TEXTS.items():
            meaning = CATEGORY_MEANINGS[category][self.language]
            lines.append(
                f"| {texts[self.language]} | {reconciliation.count(category)} | "
                f"{meaning} |"
            )
        return lines

    # 4. Checks --------------------------------------------------------------

    def checks(self) -> list[str]:
        blocks = [
            self.warned(),
            self.notices(),
            self.masters(),
            self.leavers(),
            self.conflicts(),
            self.held(),
        ]
        lines: list[str] = []
        for block in blocks:
            if block:
                lines += [*([""] if lines else []), *block]
        return lines

    def warned(self) -> list[str]:
        t = self.t
        rows = self.first.finding_rows
        rows = rows[rows["severity"].isin(("warning", "info"))]
        if rows.empty:
            return []
        lines = [
            t(
                "**注意付きの値と書き直した値** (すべて。`findings.csv` にも)",
                "**Values with a warning, and values cleaned** (all of them; also "
                "in `findings.csv`)",
            ),
            "",
        ]
        headers = headers_by_attribute(self.first.template)
        for (severity, code), group in rows.groupby(
            [rows["severity"].map({"warning": 0, "info": 1}), "code"], sort=True
        ):
            meaning = FINDING_TEXTS.get(code, (code, code))[self.language]
            if severity == 1:
                advice = t(*self.cleaned_advice(group["row"]))
            elif code == "formula-like":
                advice = self.formula_advice(group["row"])
            elif code == "deprovisioned-user" and self.reconciliation is not None:
                advice = t(*DEPROVISIONED_RECONCILED)
            else:
                advice = t(*ADVICE.get(code, ("IT 担当者に確認してください", "ask IT")))
            people = group.drop_duplicates(["row", "column"])
            count = self.people(people["row"].nunique())
            lines.append(
                t(
                    f"- `{code}` ({count}): {meaning}。**どうするか:** {advice}。",
                    f"- `{code}` ({count}): {meaning}. **What to do:** {advice}.",
                )
            )
            for record in people.head(LISTED).itertuples(index=False):
                lines.append(f"  - {self.about(record, headers)}")
            if len(people) > LISTED:
                lines.append(
                    t(
                        f"  - ほか {len(people) - LISTED} 件は `{FINDINGS}` に",
                        f"  - {len(people) - LISTED} more in `{FINDINGS}`",
                    )
                )
        return lines

    def about(self, record, headers: dict[str, str]) -> str:
        """One finding's person, value and whereabouts, for the list."""
        t = self.t
        row = int(record.row)
        code = self.okta_code(row)
        name = self.names.okta(row)
        field_name = headers.get(record.column, record.column)
        value = (
            self.first.users.table.at[row, record.column]
            if (record.column in self.first.users.table.columns)
            else ""
        )
        person = " ".join(p for p in (code, name) if p) or t(
            "(社員コードなし)", "(no code)"
        )
        return t(
            f"{person} (Okta の行 {row}、{field_name} {_code_span(str(value))}): "
            f"{self.whereabouts(row)}",
            f"{person} (Okta row {row}, {field_name} {_code_span(str(value))}): "
            f"{self.whereabouts(row)}",
        )

    def okta_code(self, row: int) -> str:
        code = code_column(self.first.template).header
        prepared = self.first.prepared
        if code in prepared.columns and row in prepared.index:
            return str(prepared.at[row, code])
        return ""

    def formula_advice(self, rows: pd.Series) -> str:
        """A formula-like value is a typo: hold back each file it is in, by name."""
        files = [name for row in rows.unique() for name in self.files_of(int(row))]
        if not files:
            return self.t(*ADVICE["formula-like"])
        held = [self.held_back(name) for name in dict.fromkeys(files)]
        return self.t(
            "ほぼ確実に Okta での入力ミスです (役職や氏名が = で始まることはまず"
            f"ありません)。{'。'.join(held)}。IT 担当者に Okta の値を直して"
            "パッケージを作り直してもらってください。ほかのファイルは取り込んで"
            "かまいません",
            "almost certainly a typo in Okta (a title or name hardly ever starts "
            f"with =): {'; '.join(held)}. Ask your IT admin to fix the value in "
            "Okta and make the package again. The other files can go in",
        )

    def cleaned_advice(self, rows: pd.Series) -> tuple[str, str]:
        """Nothing to do about cleaned values, said truly for where each went."""
        found = set()
        for row in rows.astype(int).unique():
            if row in self.first.rejected:
                found.add("rejected")
            else:
                found.add("file" if self.files_of(row) else "other")
        keys = ["all"] + [k for k in ("file", "rejected", "other") if k in found]
        parts = [CLEANED_ADVICE[key] for key in keys]
        return (
            "。".join(p[0] for p in parts),
            parts[0][1] + ": " + "; ".join(p[1] for p in parts[1:]),
        )

    def files_of(self, row: int) -> list[str]:
        """The import files an Okta row went to."""
        return [
            name
            for planned, name, part in self.uploads
            if planned.kind != "leavers" and row in part.index
        ]

    def whereabouts(self, row: int) -> str:
        """Which file an Okta row went to, or what became of it."""
        t = self.t
        if row in self.first.rejected:
            return t("却下 (5 を参照)", "rejected (see 5)")
        files = self.files_of(row)
        if files:
            return ", ".join(f"`{name}`" for name in files)
        if self.reconciliation is not None:
            people = self.reconciliation.people
            found = people.loc[people["okta_row"].eq(row), "category"]
            if len(found):
                category = str(found.iloc[0])
                text = CATEGORY_TEXTS[category][self.language]
                if category == "leaver":
                    return text + t(" (下の表)", " (below)")
                return text + t(" (どのファイルにも入っていません)", " (in no file)")
        return t("どのファイルにも入っていません", "in no file")

    def notices(self) -> list[str]:
        reconciliation = self.reconciliation
        if reconciliation is None or reconciliation.notices.empty:
            return []
        t = self.t
        notices = reconciliation.notices
        register = [name for p, name, _ in self.uploads if p.kind == "register"]
        hold = (
            self.held_back(register[0])
            if register
            else t(
                "登録ファイルは取り込みません", "do not upload the registration file"
            )
        )
        texts = {
            "same-name-in-hrmos": t(
                "HRMOS に同じ氏名の人が別の社員コードでいます。同じ人なら、"
                f"{hold}。IT 担当者に知らせてください",
                "HRMOS holds someone of the same name under another 社員コード. "
                f"If it is the same person, {hold}, and tell your IT admin",
            ),
            "old-hire-date": t(
                f"入社日が適用日より {OLD_HIRE_DAYS} 日以上前なのに、HRMOS にこの"
                "社員コードでいません。社員リストで氏名 (カナでも) とメールアドレスを、"
                "表示できるなら退職者も含めて検索します。別の社員コードですでにいれば、"
                f"{hold}。IT 担当者に知らせてください。いなければ、そのまま取り込み"
                "ます",
                f"hired more than {OLD_HIRE_DAYS} days before the effective date, "
                "yet not in HRMOS under this 社員コード. Search 社員リスト for the "
                "name (the kana too) and the email, retired staff included if the "
                "list can show them: if they are there under another code, "
                f"{hold}, and tell your IT admin; if not, upload it as it is",
            ),
            "future-hire-date": t(
                "入社日が適用日より後です。入社前の社員として登録されます。日付が"
                "正しく、入社前に登録してよければそのまま取り込みます。違っていれば、"
                f"{hold}。IT 担当者に知らせてください",
                "hired after the effective date: they are registered before they "
                "start. If the date is right and registering them now is fine, "
                f"upload as it is; if not, {hold}, and tell your IT admin",
            ),
        }
        lines = [
            t(
                f"**新規の人の確認事項** ({len(notices)} 件。`review.xlsx` では黄色の"
                "セル)",
                f"**Notices on new people** ({len(notices)}; yellow cells in "
                "`review.xlsx`)",
            ),
            "",
        ]
        for notice in NOTICES:
            group = notices[notices["notice"].eq(notice)]
            if group.empty:
                continue
            lines.append(
                f"- `{notice}` ({self.people(len(group))}): {texts[notice]}"
                + t("。", ".")
            )
            for record in group.head(LISTED).itertuples(index=False):
                detail = (
                    t(f"HRMOS では {record.other}", f"in HRMOS as {record.other}")
                    if notice == "same-name-in-hrmos"
                    else f"{record.column} {record.value}"
                )
                lines.append(f"  - {record.code} {record.name} ({detail})")
            if len(group) > LISTED:
                lines.append(
                    t(
                        f"  - ほか {len(group) - LISTED} 人",
                        f"  - {len(group) - LISTED} more",
                    )
                )
        return lines

    def masters(self) -> list[str]:
        t = self.t
        headers = headers_by_attribute(self.first.template)
        rows = self.first.finding_rows
        formulas = rows[rows["code"].eq("formula-like")]
        flagged = {
            (int(row), headers.get(column, column))
            for row, column in zip(formulas["row"], formulas["column"], strict=True)
        }
        values: dict[str, dict[str, list[str]]] = {}
        left_out: list[str] = []
        for planned, _, part in self.uploads:
            if planned.kind == "leavers":
                continue
            for header in part.columns:
                if header not in MASTER_HEADERS:
                    continue
                found = values.setdefault(header, {})
                for row, value in part[header].items():
                    if (int(row), header) in flagged:
                        left_out.append(value)
                    elif value:
                        numbers = found.setdefault(value, [])
                        if f"{planned.number:02d}" not in numbers:
                            numbers.append(f"{planned.number:02d}")
        values = {header: found for header, found in values.items() if found}
        if not values:
            return []
        lines = [
            t("**部署・役職などのマスタの値**", "**Master values (部署, 役職, …)**"),
            "",
            t(
                "HRMOS はこれらの値を会社マスタから探すので、マスタの名前と 1 文字も"
                "違わない必要があります (名前とコードのどちらで探すかは未確認です)。"
                "取り込む前に、次の値がすべて HRMOS の会社マスタにあるか確かめて"
                "ください。全角・半角や、よく似た文字 (第Ⅱ営業部 のⅡはローマ数字 "
                "1 文字で、I を 2 つ並べた II とは別の文字です) にも注意します。"
                "ない値があれば、その値の入ったファイル (値の後ろの番号のファイル。"
                "1 人で試すファイルも) は取り込まず、IT 担当者に知らせてください。",
                "HRMOS looks these values up in its company masters (会社マスタ), "
                "so each must match a master's name character for character "
                "(whether HRMOS matches names or codes is unconfirmed). Before "
                "uploading, check that every value below is in HRMOS's masters; "
                "mind full- and half-width and look-alike characters (the Ⅱ of "
                "第Ⅱ営業部 is one Roman-numeral character, not two letters I). If "
                "one is missing, do not upload the files that hold it (the numbers "
                "after the value; their trial files neither), and tell your IT "
                "admin.",
            ),
            "",
        ]
        for header, found in values.items():
            lines.append(
                f"- {header}: "
                + ", ".join(
                    f"{_code_span(value)} ({', '.join(numbers)})"
                    for value, numbers in found.items()
                )
            )
        if left_out:
            shown = ", ".join(_code_span(v) for v in dict.fromkeys(left_out))
            lines += [
                "",
                t(
                    f"{shown} は `formula-like` (上) のため、ここには挙げていません。"
                    "その値の入ったファイルは、直るまで取り込みません。",
                    f"{shown} is left out here: it is `formula-like` (above), and "
                    "the file that holds it waits until it is fixed.",
                ),
            ]
        return lines

    def leavers(self) -> list[str]:
        reconciliation = self.reconciliation
        if reconciliation is None or reconciliation.leavers.empty:
            return []
        t = self.t
        leavers = reconciliation.leavers
        date_format = reconciliation.leaver_template.columns[-1].date_format
        days = pd.Series(formatted_dates(leavers["leaving"], date_format))
        lines = [
            t(
                f"**退職候補** ({len(leavers)} 人。`{REVIEW}` の {SHEET_LEAVERS} にも)",
                f"**Leavers** ({len(leavers)}; also the {SHEET_LEAVERS} sheet of "
                f"`{REVIEW}`)",
            ),
            "",
            t(
                "退職日の案は 2 通りあり、それぞれ別のファイルに入れています。1 人ずつ"
                "人事の記録 (退職届など) と照らし合わせてください。",
                "A proposed 退職日 is one of two things, and each kind has a file of "
                "its own. Check each person against HR's records (the resignation "
                "letter and the like).",
            ),
        ]
        written = {p.basis: name for p, name, _ in self.uploads if p.kind == "leavers"}
        for basis in LEAVER_FILES:
            chosen = (leavers["basis"] == basis).to_numpy()
            if chosen.any():
                lines += ["", *self.leaver_group(basis, leavers[chosen], days[chosen])]
                advice = self.leaver_advice(basis, leavers[chosen], written.get(basis))
                lines += ["", advice]
        lines.append("")
        if written:
            lines.append(
                t(
                    "取り込まなかったファイルの人で本当に退職した人は、社員詳細画面の "
                    "入社・退職 セクションで 1 人ずつ正しい退職日を登録します (登録した"
                    "人は、次のパッケージでは退職済みになります)。退職していなかった人と"
                    "日付が違っていた人は、IT 担当者に知らせてください。",
                    "Of the people in a file you held back, enter each one who really "
                    "left on their own screen (社員詳細, section 入社・退職) with the "
                    "right 退職日 (the next package then counts them as already "
                    "retired). Tell your IT admin who did not leave and whose date was "
                    "wrong.",
                )
            )
        else:
            lines.append(
                t(
                    "退職日はどのファイルにも書いていません。ファイルで登録するときは、"
                    "IT 担当者が `--include-leavers` を付けて作り直します (1 人ずつなら"
                    "社員詳細画面の 入社・退職 セクションで登録できます)。",
                    "No file holds these leaving dates. To upload them, your IT admin "
                    "makes the package again with `--include-leavers` (or enter each "
                    "one on their own screen, section 入社・退職).",
                )
            )
        return lines

    def leaver_group(
        self, basis: str, leavers: pd.DataFrame, days: pd.Series
    ) -> list[str]:
        """The heading and table of the leavers whose 退職日 has one basis."""
        t = self.t
        count = self.people(len(leavers))
        title = (
            t(
                f"*退職日が Okta で無効にされた日の人* ({count})",
                f"*Leavers dated by Okta* ({count})",
            )
            if basis == "okta"
            else t(
                f"*退職日が仮の日付の人* ({count})",
                f"*Leavers with a placeholder date* ({count})",
            )
        )
        lines = [
            title,
            "",
            t(
                "| 社員コード | 氏名 | 退職日 (案) | 日付の根拠 |",
                "| 社員コード | name | proposed 退職日 | where the date comes from |",
            ),
            "| --- | --- | --- | --- |",
        ]
        for day, record in zip(days, leavers.itertuples(index=False), strict=True):
            where = leaving_basis(record)[self.language]
            lines.append(f"| {record.code} | {record.name} | {day} | {where} |")
        return lines

    def leaver_advice(self, basis: str, leavers: pd.DataFrame, name: str | None) -> str:
        """What a proposed 退職日 of one basis is, and whether its file can go in."""
        t = self.t
        assert self.reconciliation is not None
        day = slashed(self.reconciliation.effective_date)
        if basis == "okta":
            text = t(
                "退職日の案は、Okta で無効にされた日 (日本時間) です。IT 担当者が"
                "アカウントを止めた日なので、人事の記録の退職日 (雇用が終わる日) と"
                "違うことがあります。",
                "Their proposed 退職日 is the day Okta deactivated them, in Japan: "
                "the day IT switched the account off, which can differ from the "
                "退職日 in HR's records (the day employment ends).",
            )
            if name:
                text += t(
                    f"`{name}` は**たいていそのまま取り込めます**。全員の人と日付が"
                    "人事の記録と合えば取り込みます。1 人でも違えば、"
                    f"{self.held_back(name)}。",
                    f" `{name}` **can usually go in as it is**: upload it when every "
                    f"person and date is right. If any is wrong, "
                    f"{self.held_back(name)}.",
                )
            return text
        text = t(
            f"退職日の案は仮の日付で、適用日 ({day}) です。本当の退職日では"
            "ありません。",
            f"Their proposed 退職日 is a placeholder, the effective date ({day}), "
            "not their real leaving day.",
        )
        if (~leavers["reason"].str.startswith("deactivated")).any():
            text += t(
                "Okta にいないのは退職したからとは限りません (Okta の書き出しから"
                "漏れただけのこともあります)。",
                " Being absent from Okta does not prove they left (the export may "
                "have missed them).",
            )
        if name:
            text += t(
                f"`{name}` は**たいてい取り込めません**。全員が本当に退職していて、"
                f"退職日が全員 {day} だと人事の記録で確かめられたときだけ取り込みます。"
                f"そうでなければ、{self.held_back(name)}。",
                f" `{name}` **can usually not go in**: upload it only when HR's "
                f"records show that every person in it left, all on {day}. "
                f"Otherwise, {self.held_back(name)}.",
            )
        return text

    def held_back(self, name: str) -> str:
        """Do not upload a file, nor the trial files cut from it."""
        t = self.t
        trial = next((p.trial for p, n, _ in self.uploads if n == name), [])
        if trial:
            return t(
                f"`{name}` は取り込みません (そこから分けた `{trial[0]}` と "
                f"`{trial[1]}` も、だれが入っていても取り込みません)",
                f"do not upload `{name}`, nor `{trial[0]}` and `{trial[1]}` cut "
                "from it, whoever they hold",
            )
        return t(f"`{name}` は取り込みません", f"do not upload `{name}`")

    def conflicts(self) -> list[str]:
        reconciliation = self.reconciliation
        if reconciliation is None:
            return []
        people = reconciliation.people
        conflicts = people[people["category"].eq("conflict")]
        if conflicts.empty:
            return []
        t = self.t
        lines = [
            t(
                f"**要確認** ({len(conflicts)} 人。どのファイルにも入れていません)",
                f"**Conflicts** ({len(conflicts)}; in no file)",
            ),
            "",
            t(
                "| 社員コード | 氏名 | 理由 | Okta の行 | HRMOS の行 |",
                "| 社員コード | name | reason | Okta row | HRMOS row |",
            ),
            "| --- | --- | --- | --- | --- |",
        ]
        for record in conflicts.head(LISTED).itertuples(index=False):
            reason = (
                f"{in_japanese(record.reason)} ({_code_span(record.reason)})"
                if self.language == 0
                else record.reason
            )
            lines.append(
                f"| {record.code} | {record.name} | {reason} | "
                f"{row_number(record.okta_row)} | {row_number(record.hrmos_row)} |"
            )
        if len(conflicts) > LISTED:
            lines.append(
                t(
                    f"| … | ほか {len(conflicts) - LISTED} 人は "
                    f"{SHEET_CONFLICTS} に | | | |",
                    f"| … | {len(conflicts) - LISTED} more on "
                    f"{SHEET_CONFLICTS} | | | |",
                )
            )
        lines += [
            "",
            t(
                f"「Okta の行」は `{self.okta_file}` の、「HRMOS の行」は "
                f"`{self.hrmos_file}` の行番号です (どちらも見出しが 1 行目)。同じ"
                "ログインやメールが 2 つの社員コードにあるときは、同じ人が 2 つの"
                "コードを持っているか、どちらかのメー"
                "ルが間違っています。どちらが正しいか"
                "人事の記録で確かめて IT 担当者に伝えてください。Okta か HRMOS の"
                "どちらかを直すと、次のパッケージで照合されます。この人たちはどの"
                "ファイルにも入っていないので、ほかのファイルはそのまま取り込めます。",
                f'"Okta row" is a row number of `{self.okta_file}`, "HRMOS row" '
                f"one of `{self.hrmos_file}` (in both the header is row 1). The same "
                "login or email on two employee codes means one person has two codes "
                "or one of the addresses is wrong: check HR's records and tell your "
                "IT admin which is right. Once Okta or HRMOS is fixed, the next "
                "package compares them. They are in no file, so the other files can "
                "go in as they are.",
            ),
        ]
        return lines

    def held(self) -> list[str]:
        if self.reconciliation is None:
            return []
        held = held_people(self.reconciliation, self.first)
        if not held:
            return []
        t = self.t
        lines = [
            t(
                f"**保留** ({len(held)} 人。照合していません)",
                f"**Held** ({len(held)}; not compared)",
            ),
            "",
            t(
                "| 社員コード | 氏名 (HRMOS) | HRMOS の行"
                " | 却下された Okta の行 | 却下の理由 |",
                "| 社員コード | name (HRMOS) | HRMOS row "
                "| rejected Okta row | why rejected |",
            ),
            "| --- | --- | --- | --- | --- |",
        ]
        for person in held[:LISTED]:
            codes = ", ".join(f"`{c}`" for c in person.codes.split(", ") if c)
            lines.append(
                f"| {person.code} | {person.name} | {person.hrmos_row} | "
                f"{person.okta_rows} | {codes} |"
            )
        lines += [
            "",
            t(
                "この人たちは HRMOS にいますが、Okta の行が却下されたため照合して"
                "いません。HRMOS の値はそのままで、退職候補にもしていません。Okta の"
                "行が直れば、次のパッケージで照合されます (IT 担当者が行います)。",
                "They are in HRMOS, but their Okta row was rejected, so they were not "
                "compared: HRMOS keeps their values and they are not taken for "
                "leavers. Once the Okta row is fixed, the next package compares them "
                "(your IT admin does that).",
            ),
        ]
        return lines

    # 5. Rejects -------------------------------------------------------------

    def rejects(self) -> list[str]:
        t = self.t
        counted = self.rejected_by_code()
        if not counted:
            return [t("却下はありません。", "Nobody was rejected.")]
        lines = [
            t(
                "| 理由 (コード) | 人数 | 説明 |",
                "| reason (code) | people | meaning |",
            ),
            "| --- | --- | --- |",
        ]
        for code, count in counted:
            text = FINDING_TEXTS.get(code, (self.hint(code), self.hint(code)))
            lines.append(f"| `{code}` | {count} | {text[self.language]} |")
        lines += ["", *self.rejected_list()]
        lines += [
            "",
            t(
                "一人に複数の理由があることがあります。行ごとの理由は `rejects.csv` の "
                f"`okta2hrmos_reasons` 列と `{REVIEW}` の {SHEET_REJECTS} シートにあり"
                "ます。直すのは Okta 側で、IT 担当者が行います。このパッケージを作った"
                "IT 担当者の手元に同じ `rejects.csv` があるので、送る必要はありません。"
                "求められたら、手渡しか、社内で個人情報の受け渡しに決められた方法で"
                "渡してください (普通のメールやチャットは使いません)。",
                "One person can have several reasons. Each row's reasons are in the "
                f"`okta2hrmos_reasons` column of `rejects.csv` and on the "
                f"{SHEET_REJECTS} sheet of `{REVIEW}`. They are fixed in Okta, by "
                "your IT admin. Whoever made this package has the same `rejects.csv`, "
                "so you need not send it; if asked for it, hand it over in person or "
                "through your company's channel for personal data (not ordinary mail "
                "or chat).",
            ),
        ]
        return lines

    def rejected_list(self) -> list[str]:
        """The rejected people by name, and what becomes of them in HRMOS."""
        t = self.t
        people = rejected_people(self.first, self.reconciliation)
        compared = self.reconciliation is not None
        lines = [
            t(
                "| Okta の行 | 社員コード | 氏名 | 理由 |"
                + (" HRMOS |" if compared else ""),
                "| Okta row | 社員コード | name | reasons |"
                + (" HRMOS |" if compared else ""),
            ),
            "| --- | --- | --- | --- |" + (" --- |" if compared else ""),
        ]
        states = {
            True: t("いる (保留。HRMOS の値のまま)", "there (held: values kept)"),
            False: t("いない (未登録のまま)", "not there (stays unregistered)"),
            None: t("不明 (社員コードなし)", "unknown (no 社員コード)"),
        }
        for person in people[:LISTED]:
            codes = ", ".join(f"`{c}`" for c in person.codes.split(", ") if c)
            code = person.code or t("(なし)", "(none)")
            lines.append(
                f"| {person.row} | {code} | {person.name} | {codes} |"
                + (f" {states[person.in_hrmos]} |" if compared else "")
            )
        if len(people) > LISTED:
            more = len(people) - LISTED
            lines.append(
                t(
                    f"| … | ほか {more} 人は `{REJECTS}` に | | |",
                    f"| … | {more} more in `{REJECTS}` | | |",
                )
                + (" |" if compared else "")
            )
        lines.append("")
        if not compared:
            lines.append(
                t(
                    "却下された人はどのファイルにも入っていないので、HRMOS に登録も"
                    "更新もされません。IT 担当者が Okta で直してパッケージを作り直す"
                    "と、新しいパッケージのファイルに入ります。",
                    "The rejected are in no file, so nothing about them reaches "
                    "HRMOS. Once your IT admin fixes them in Okta and makes the "
                    "package again, the new package's files hold them.",
                )
            )
            return lines
        lines.append(
            t(
                "「HRMOS」は、HRMOS にその社員コードの人がいるかです。いない人は登録"
                "していません。IT 担当者が Okta で直してパッケージを作り直すまで、"
                "HRMOS には登録されないままです (作り直したパッケージの登録ファイルに"
                "入ります)。いる人は保留で、HRMOS の今の値のままです (4 の「保留」)。"
                "社員コードのない人は、HRMOS と照らし合わせられません。",
                '"HRMOS" says whether HRMOS holds someone with that 社員コード. '
                "Those not there are not registered, and stay unregistered until "
                "your IT admin fixes them in Okta and makes the package again (the "
                "new package's registration file then holds them). Those there are "
                "held: HRMOS keeps its values (see Held in 4). Someone without a "
                "社員コード cannot be looked for in HRMOS.",
            )
        )
        return lines

    def rejected_by_code(self) -> list[tuple[str, int]]:
        rows = self.first.finding_rows
        errors = rows[rows["severity"].eq("error")]
        counts = errors.groupby("code", sort=False)["row"].nunique()
        return sorted(
            ((str(code), int(n)) for code, n in counts.items()),
            key=lambda item: (-item[1], item[0]),
        )

    def hint(self, code: str) -> str:
        rows = self.first.findings[self.first.findings["code"].eq(code)]
        return str(rows["hint"].iloc[0]) if len(rows) else ""

    # 6. Steps ---------------------------------------------------------------

    def steps(self) -> list[str]:
        t = self.t
        if not self.uploads:
            return [
                t(
                    "取り込むファイルはありません。HRMOS で行う作業はありません。",
                    "There is no file to upload: nothing to do in HRMOS.",
                )
            ]
        lines = [t("**始める前に (2 点)**", "**Before you start (two checks)**"), ""]
        lines += self.header_check()
        lines += self.trial_rule()
        lines += [
            "",
            t(
                "**取り込み** (番号の小さいファイルから 1 つずつ。チェックリストで"
                "止めたファイルは、そこから分けた試しの 2 ファイルも飛ばします)",
                "**Upload** (one file at a time, lowest number first; skip every "
                "file the checklist held back, and the two trial files cut from "
                "it)",
            ),
            "",
            t(
                "メニューと画面の名前は HRMOS のヘルプページのものです。画面で名前が"
                "違っていたら、取り込まずに IT 担当者に確認してください。",
                "The menu and screen names are those of HRMOS's help pages; if your "
                "screens name them otherwise, ask your IT admin before uploading.",
            ),
            "",
        ]
        for step, (planned, name, part) in enumerate(self.uploads, start=1):
            first, *notes = self.how(planned, name, part)
            lines += [f"{step}. {first}", *notes]
        lines += [
            "",
            t(
                "取り込みのたびに、HRMOS が表示する結果を見ます。取り込んだ件数が上の"
                "人数と同じか確かめます。エラーが出たり件数が違ったりしたら、次の"
                "ファイルに進まず、画面のメッセージ (行番号も) を IT 担当者に送って"
                "ください。",
                "After each upload, read what HRMOS reports, and check that the "
                "number of rows it took is the number of people given above. On an "
                "error or another number, stop before the next file and send the "
                "message (with its row numbers) to your IT admin.",
            ),
        ]
        return lines

    def header_check(self) -> list[str]:
        t = self.t
        return [
            t(
                "1. **見出しを確かめる。** 各ファイルの見出し (1 行目) は暫定です。"
                "HRMOS は取り込みファイルの見出しを公開しておらず、テナントごとに違う"
                "ことがあります。ファイルごとに、取り込む画面でダウンロードできる"
                "テンプレート (ダウンロードできなければ、同じセクションを 社員履歴の"
                "エクスポート で書き出したファイル) の "
                "1 行目と、下の手順に書いた見出しを比べ"
                "ます。次のどれかなら「違う」ので、そのファイルは (試しの 2 ファイル"
                "も) 取り込まずに、HRMOS のテンプレートのファイルを添えて IT 担当者に"
                "知らせてください:",
                "1. **Check the headers.** The header row (row 1) of each file is "
                "provisional: HRMOS does not publish its import headers, and they "
                "can differ by tenant. For each file, compare the headers listed in "
                "its step below with row 1 of the template you can download on its "
                "HRMOS screen (or of an export of the same section from "
                "社員履歴のエクスポート). They differ, and you do not upload the "
                "file (nor its two trial files) but send your IT admin HRMOS's "
                "template file, when:",
            ),
            t(
                "   - ファイルの見出しのどれかが、HRMOS のテンプレートに同じ文字で"
                "ない (全角・半角、空白、(必須) などの印の違いも「違う」です)",
                "   - a header of the file is not in HRMOS's template spelled the "
                "same way (full- or half-width, spaces, marks like (必須) count)",
            ),
            t(
                "   - 見出しの順番が違う (HRMOS のテンプレートにしかない列は飛ばして"
                "比べます)",
                "   - the headers come in another order (skip the columns only "
                "HRMOS's template has)",
            ),
            t(
                "   - HRMOS のテンプレートで必須の印 (必須、※ など) がある列が、"
                "ファイルにない",
                "   - a column HRMOS's template marks as required (必須, ※ and the "
                "like) is missing from the file",
            ),
            t(
                "   HRMOS のテンプレートに、ファイル"
                "にない列がほかにあるのはかまいません"
                " (空欄のまま送ると HRMOS の値が消えるので、わざと入れていません)。",
                "   Other columns that only HRMOS's template has are fine: they are "
                "left out on purpose, because a blank cell would erase HRMOS's "
                "value.",
            ),
        ]

    def trial_rule(self) -> list[str]:
        t = self.t
        if not any(planned.trial for planned, _, _ in self.uploads):
            return [
                t(
                    "2. **1 人で試す。** どのファイルも"
                    " 1 人だけか、分割されているので、"
                    "試し用のファイルはありません。",
                    "2. **Try one person first.** Every file holds one person or is "
                    "split into parts, so there is no separate trial file.",
                )
            ]
        return [
            t(
                "2. **1 人で試す。** 試すのは、okta2hrmos で作ったその種類のファイル"
                " (登録、編集のセクションごと、退職日) を、このテナントにまだ一度も"
                "問題なく取り込んだことがないときです。HRMOS に今何人いるかは関係"
                "ありません。迷ったら試してください。試し方: ファイルの代わりに、まず"
                " `….1-trial-row.csv` (1 人) を取り込み、社員リストでその人を開いて、"
                f"`{REVIEW}` の同じファイルのシートの行と 1 項目ずつ比べます (社員"
                "コードの先頭の 0、氏名とカナ、日付、部署・役職)。合っていれば "
                "`….2-other-rows.csv` (残り全員) を取り込みます。元のファイルは取り込み"
                "ません (同じ人が 2 回になるため)。",
                "2. **Try one person first** whenever a file of that kind made by "
                "okta2hrmos (registration, an edit of that section, leaving dates) "
                "has never gone into this tenant without problems. How many people "
                "HRMOS holds already does not matter; when in doubt, try. How: "
                "instead of the file, upload `….1-trial-row.csv` (one person) first, "
                f"open that person in 社員リスト and compare field by field with "
                f"their row on the file's sheet in `{REVIEW}` (the code's leading "
                "zeros, name and kana, dates, 部署 and 役職). If all match, upload "
                "`….2-other-rows.csv` (everyone else), and never the whole file too "
                "(that would load the person twice).",
            ),
            t(
                "   試しがうまくいかなかったら、残りは取り込みません。HRMOS がエラーで"
                "断ったときは、画面のメッセージを控えます。取り込まれたが違う欄に"
                "入った・文字化けした・0 が消えたときは、その人を社員詳細画面で正しい"
                "値に直します。どちらの場合も、何が起きたかと HRMOS のテンプレートの"
                "ファイルを IT 担当者に送ってください。IT 担当者がテンプレートを直し、"
                "取り込んだ後の HRMOS から新しく書き出したデータでパッケージを作り"
                "直します。以後は新しいパッケージだけを使います。",
                "   If the trial goes wrong, upload nothing more. If HRMOS refused it "
                "with an error, note the message. If it went in but a value landed "
                "in the wrong field, came out garbled or lost its zeros, correct "
                "that person on their 社員詳細 screen. Either way, send your IT admin "
                "what happened and HRMOS's template file: they fix the template and "
                "make a new package from a fresh HRMOS export taken after your "
                "upload. From then on, use only the new package.",
            ),
        ]

    def how(self, planned: ImportFile, name: str, part: pd.DataFrame) -> list[str]:
        """One upload step: screen, section, file, headers, count, and what to know."""
        t = self.t
        count = len(part)
        menu = f"{MENU} > **{planned.screen}**"
        if planned.section:
            opening = t(
                f"{menu} を開き、セクション **{planned.section}** を選んで取り込みます",
                f"open {menu}, choose the section **{planned.section}** and import it",
            )
        else:
            opening = t(f"{menu} を開いて取り込みます", f"open {menu} and import it")
        headers = ", ".join(planned.layout.headers)
        notes = [
            t(f"見出し: {headers}", f"headers: {headers}"),
            t(
                f"HRMOS が {count} 件取り込めば成功です"
                + (
                    f" (1 人で試すときは 1 件と {count - 1} 件)"
                    if planned.trial
                    else ""
                ),
                f"it worked when HRMOS reports {count} "
                f"row{'' if count == 1 else 's'} imported"
                + (
                    f" (1 and {count - 1} when you try one first)"
                    if planned.trial
                    else ""
                ),
            ),
        ]
        if planned.trial and name == planned.names[0]:
            trial, others = planned.trial
            who = self.trial_person(planned)
            notes.append(
                t(
                    f"1 人で試すときは、代わりに `{trial}` ({who}) → 確認 → `{others}` "
                    f"({self.people(count - 1)}) の順に取り込みます (始める前にの 2)",
                    f"to try one person first, upload `{trial}` ({who}), check, then "
                    f"`{others}` ({self.people(count - 1)}) instead (check 2 above)",
                )
            )
        if planned.kind == "register" and planned.section:
            notes.append(
                t(
                    "新しく登録する人のこのセクションの値なので、登録ファイルの後に"
                    "取り込みます",
                    "it holds this section for the people just registered, so it "
                    "goes in after the registration file",
                )
            )
        if planned.kind == "edit":
            notes += self.edit_notes(planned)
        if planned.kind == "leavers":
            notes += self.leaver_notes(planned)
        end = t("。", ".")
        return [
            f"`{name}` ({self.people(count)}): {opening}{end}",
            *(f"   - {note}{end}" for note in notes),
        ]

    def people(self, count: int) -> str:
        if self.language == 0:
            return f"{count} 人"
        return "1 person" if count == 1 else f"{count} people"

    def edit_notes(self, planned: ImportFile) -> list[str]:
        t = self.t
        changed = self.changed_columns(planned)
        kept = [
            h for h in planned.layout.headers[1:] if h not in changed and h != "適用日"
        ]
        counts = ", ".join(
            f"{column} ({self.people(n)})" for column, n in changed.items()
        )
        notes = [t(f"変わる項目: {counts}", f"fields that change: {counts}")]
        if kept:
            notes.append(
                t(
                    f"変わらない {', '.join(kept)} も、HRMOS の今の値のまま入っています"
                    " (空欄にすると HRMOS の値が消えるため)",
                    f"also in the file, unchanged, with HRMOS's current values (a "
                    f"blank cell would erase them): {', '.join(kept)}",
                )
            )
        if not planned.section:
            notes.append(
                t(
                    "このファイルの列はセクションが決まっていません。画面でセクションを"
                    "選ぶとき、列がすべて 1 つのセクションに入るならそのセクションを"
                    "選び、そうでなければ取り込まずに IT 担当者に知らせてください",
                    "this file's columns name no section. If the screen asks for "
                    "one and all the columns belong to one section, choose it; "
                    "otherwise do not upload, and tell your IT admin",
                )
            )
        if "適用日" in planned.layout.headers and self.reconciliation is not None:
            day = slashed(self.reconciliation.effective_date)
            notes.append(
                t(
                    f"**適用日 {day}** は、新しい値が HRMOS で有効になる日です。HRMOS "
                    "はこの日から始まる履歴を作り、それまでは今の値のままです。日付は "
                    "IT 担当者が決めたもので、指定がなければパッケージを作った日 (日本"
                    "時間) です。本当に変わる日 (昇進・異動の日など) と違うなら、この"
                    "ファイルは (試しの 2 ファイルも) 取り込まず、正しい日付を IT 担当"
                    "者に伝えてください (ファイルの全員が同じ"
                    "適用日なので、人によって日付が違えば日付ごとに作り直します)。"
                    "未来の日付でも先に取り込んでかまいません (HRMOS がその日に反映"
                    f"します)。画面でも適用日を聞かれたら {day} を入れます",
                    f"**適用日 {day}** is the day the new values take effect in "
                    "HRMOS: HRMOS starts a new history record on that day and keeps "
                    "the current values until then. Your IT admin chose it; by "
                    "default it is the day the package was made (in Japan). If the "
                    "real day of the change (a promotion, a transfer) differs, do "
                    "not upload this file (nor its two trial files); tell your IT "
                    "admin the right day (everyone in the "
                    "file gets the same 適用日, so people with different days need a "
                    "package each). A future date can go in now: HRMOS applies it on "
                    f"that day. If the screen asks for an 適用日 too, enter {day}",
                )
            )
        return notes

    def changed_columns(self, planned: ImportFile) -> dict[str, int]:
        changes = self.reconciliation.changes
        changes = changes[
            changes["file"].eq(planned.template.name)
            & changes["column"].isin(planned.layout.headers)
        ]
        counts = changes.groupby("column", sort=False)["code"].nunique()
        return {str(column): int(n) for column, n in counts.items()}

    def leaver_notes(self, planned: ImportFile) -> list[str]:
        t = self.t
        dated = planned.basis == "okta"
        notes = [
            t(
                "退職日は Okta で無効にされた日です。取り込む前に、4 の「退職日が "
                "Okta で無効にされた日の人」を人事の記録と照らし合わせます",
                "the 退職日 are the days Okta deactivated them: first check 4's "
                "leavers dated by Okta against HR's records",
            )
            if dated
            else t(
                "退職日は仮の日付です。4 の「退職日が仮の日付の人」の全員が本当にその"
                "日に退職したと確かめられたときだけ取り込みます",
                "the 退職日 are placeholders: upload this file only when HR's "
                "records show that everyone in it really left on that day (4, "
                "leavers with a placeholder date)",
            ),
            t(
                "適用日には退職日と同じ日を入れています (HRMOS は退職の記録の適用日を"
                "退職日以前にするよう求めるため)",
                "適用日 is the 退職日 itself, since HRMOS wants the 適用日 of a "
                "resignation on or before the 退職日",
            ),
        ]
        if dated:
            notes.append(
                t(
                    "過ぎた日付なので、その人の 入社・退職 にそれより新しい記録がある"
                    "と HRMOS が断ることがあります (過去の適用日をどこまで受け付ける"
                    "かは未確認です)。断られた人は社員詳細画面で 1 人ずつ退職日を登録"
                    "し、IT 担当者に知らせてください",
                    "it lies in the past, so HRMOS may refuse a row if the person's "
                    "入社・退職 holds a later record (how far back HRMOS accepts an "
                    "適用日 is unconfirmed). Enter anyone refused on their own "
                    "社員詳細 screen, and tell your IT admin",
                )
            )
        days = list(dict.fromkeys(planned.rows[EFFECTIVE_DATE_HEADER]))
        if len(days) == 1:
            notes.append(
                t(
                    f"画面でも適用日を聞かれたら {days[0]} を入れます (このファイルの"
                    "全員の適用日です)",
                    f"if the screen asks for an 適用日 too, enter {days[0]} (the "
                    "適用日 of everyone in the file)",
                )
            )
        else:
            notes.append(
                t(
                    "画面でも適用日を聞かれたら、このファイルは取り込みません (人に"
                    "よって適用日が違うため)。社員詳細画面で 1 人ずつ退職日を登録し、"
                    "IT 担当者に知らせてください",
                    "if the screen asks for an 適用日 too, do not upload this file "
                    "(its people have different ones): enter each 退職日 on the "
                    "person's 社員詳細 screen, and tell your IT admin",
                )
            )
        return notes

    # 7. Excel ---------------------------------------------------------------

    def excel(self) -> list[str]:
        t = self.t
        return [
            t(
                "Excel で CSV を開いて保存し直すと、社員コードの先頭の 0 が消え"
                " (`000120` → `120`)、日付の書き方が変わり、文字コードが UTF-8 から"
                " Shift_JIS に変わることがあります。HRMOS は UTF-8 のファイルしか"
                "読めません。",
                "Saving a CSV from Excel drops the leading zeros of employee codes "
                "(`000120` becomes `120`), rewrites dates, and may save the file as "
                "Shift_JIS instead of UTF-8; HRMOS reads UTF-8 only.",
            ),
            "",
            t(
                f"- 中身を見るときは `{REVIEW}` を使ってください。すべてのセルが文字列"
                "なので、0 も日付もそのまま表示されます。`review.xlsx` を直しても取り"
                "込みファイルは変わりません。",
                f"- To look at the data, open `{REVIEW}`: every cell is text, so zeros "
                "and dates show as written. Editing the workbook does not change the "
                "import files.",
            ),
            t(
                "- CSV をダブルクリックして開いてしま"
                "ったら、保存せずに閉じてください。",
                "- If you opened a CSV by double-clicking it, close it without saving.",
            ),
        ]

    # 8. Afterwards ----------------------------------------------------------

    def afterwards(self) -> list[str]:
        t = self.t
        lines = [
            t(
                "- **何かおかしいとき:** ファイルは直"
                "さず (Excel で保存すると壊れます)、"
                "そのファイルは (試しの 2 ファイルも) 取り込まずに IT 担当者に知らせて"
                "ください。IT 担当者が"
                " Okta 側を直してパッケージを作り直します。すでに一部を取り込んだ後に"
                "作り直すときは、取り込んだ後の HRMOS から新しく書き出したデータで"
                "照合してもらってください (古いデータのままだと、取り込み済みの人を"
                "もう一度登録するファイルができます)。",
                "- **If something is wrong:** do not edit the files (saving from "
                "Excel breaks them) and do not upload that file (nor its two trial "
                "files); tell your IT admin, "
                "who fixes it in Okta and makes the package again. If you have "
                "already uploaded some files, ask for the new package to be compared "
                "with a fresh HRMOS export taken after your uploads (with the old "
                "one, it would register the people you uploaded a second time).",
            ),
        ]
        checks = [
            f"{self.trial_person(planned)} (`{planned.names[0]}`)"
            for planned in self.package.files
        ]
        lines.append(
            t(
                "- **全部終わったら:** 社員リストで次の人を開き、`review.xlsx` の行と"
                "同じか確かめます (取り込んだファイルの人だけ): "
                + "; ".join(checks)
                + "。",
                "- **When all are done:** open these people in 社員リスト and check "
                "them against their rows in `review.xlsx` (those of the files you "
                "uploaded): " + "; ".join(checks) + ".",
            )
        )
        who = (
            t("却下・要確認・保留の人", "the rejected, conflicting and held people")
            if self.reconciliation is not None
            else t("却下された人", "the rejected people")
        )
        lines.append(
            t(
                f"- **取り込みが終わり、{who}の対応が済んだら、このフォルダを削除して"
                "ください。**",
                f"- **Once the uploads are done and {who} are dealt with, delete "
                "this folder.**",
            )
        )
        return lines

    def trial_person(self, planned: ImportFile) -> str:
        position = planned.trial_position
        code = str(planned.rows.iloc[position, 0])
        row = int(planned.rows.index[position])
        if planned.kind == "leavers":
            leavers = self.reconciliation.leavers
            found = leavers.loc[leavers["code"].eq(code), "name"]
            name = str(found.iloc[0]) if len(found) else ""
        else:
            name = self.names.okta(row)
        return f"{code} {name}".strip()


def _code_span(text: str) -> str:
    """Text as Markdown code, whatever backticks it holds; empty shows as ''."""
    if not text:
        return "`''`"
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
