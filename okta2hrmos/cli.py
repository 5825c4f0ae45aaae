"""The okta2hrmos command line: options, calling the stages, exit codes.

Exit codes: 0 done and clean; 1 done, but rows were rejected (or, with
--dry-run and diff, changes are pending); 2 usage, configuration or
unreadable input; 3 Okta or network failure; 4 refused by the leavers
safeguard.
"""

from __future__ import annotations

import signal
from datetime import date
from pathlib import Path

import click

from . import __version__, handoff, hrmos, reconcile, report
from .config import CONFIG_NAME, load_config
from .csvio import ENCODINGS, staged_files, write_text
from .errors import ConfigError, UserError
from .learn import compare, learn
from .okta.commands import ORG_URL_ENV, export_command, okta_options, users_from_okta
from .report import Summary
from .rules import parse_date
from .templates import (
    CONSTANT_PREFIX,
    DEFAULT_TEMPLATE,
    Template,
    apply_overrides,
    check_template,
    describe,
    list_templates,
    load_template,
    parse_overrides,
)
from .users import find_attribute, read_users
from .validate import Validation, validate_many


class Okta2HrmosGroup(click.Group):
    """A command group that ends user errors with one sentence, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        previous = signal.signal(signal.SIGTERM, _terminated)
        try:
            return super().invoke(ctx)
        except UserError as error:
            click.secho(f"Error: {error}", fg="red", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.secho(
                "Interrupted: no output file was written or changed.",
                fg="red",
                err=True,
            )
            ctx.exit(130)
        except OSError as error:
            if error.filename is None:
                raise
            click.secho(
                f"Error: cannot use {error.filename}: {error.strerror}; choose another "
                "path or fix its permissions.",
                fg="red",
                err=True,
            )
            ctx.exit(2)
        finally:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, frame: object) -> None:
    """Stop on SIGTERM as on Ctrl-C, so staged files are cleaned up."""
    raise KeyboardInterrupt


@click.group(
    cls=Okta2HrmosGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, prog_name="okta2hrmos")
def main() -> None:
    """Move people from Okta into HRMOS CORE through its file import.

    HRMOS's SCIM endpoint cannot take users from Okta, so okta2hrmos reads
    the users Okta exported, checks them the way HRMOS will, and writes the
    files HRMOS's built-in import takes, with the rows it rejected and why.
    """


template_option = click.option(
    "--template",
    "template_names",
    multiple=True,
    metavar="NAME|PATH",
    help="Built-in template name or path of a template .toml file "
    f"[default: {DEFAULT_TEMPLATE}, or the templates of okta2hrmos.toml].",
)
map_option = click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="HEADER=SOURCE",
    help="Change one column's source without copying the template, e.g. "
    "'セイ=kanaLastName', 'セイ=a|b' (first non-blank), '認証方法=const:SSO'.",
)
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help=f"Project configuration file [default: {CONFIG_NAME} here, if any].",
)
effective_date_option = click.option(
    "--effective-date",
    "effective_date",
    metavar="DATE",
    help="The 適用日 written by templates with an effective-date column "
    "(e.g. 2025-04-01; without it the column takes its attribute), and by the "
    "edit files of --hrmos-export [default there: today in Japan].",
)
encoding_option = click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    help="Encoding of a CSV input [default: auto, which tells UTF-8 (with or "
    "without BOM) from CP932].",
)
report_option = click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write every finding to FILE.csv or FILE.json.",
)
quiet_option = click.option(
    "-q", "--quiet", is_flag=True, help="Print only errors and the summary line."
)


hrmos_export_option = click.option(
    "--hrmos-export",
    "hrmos_export",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="CURRENT.csv",
    help="An export of the employees HRMOS holds now (社員履歴のエクスポート); "
    "compares with it by 社員コード and writes only what changed.",
)
max_leavers_option = click.option(
    "--max-leavers",
    type=click.IntRange(min=0),
    metavar="N",
    help="Refuse when more than N leavers would be proposed (besides the 20% of "
    "the people active in HRMOS that is always the limit).",
)
force_option = click.option(
    "--force",
    is_flag=True,
    help="Go ahead even when the leavers exceed the safeguard's limits.",
)


def reconcile_options(command):
    """The options of comparing with what HRMOS holds."""
    for option in reversed([hrmos_export_option, max_leavers_option, force_option]):
        command = option(command)
    return command


def job_options(command):
    """The options every command that validates users shares."""
    return _job_options_but_quiet(quiet_option(command))


def _job_options_but_quiet(command):
    options = [
        template_option,
        map_option,
        config_option,
        effective_date_option,
        encoding_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command("validate")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@report_option
@job_options
def validate_command(input_path: Path, report_path: Path | None, **job) -> None:
    """Check exported users the way HRMOS will, and list the findings.

    Exits 0 when there are no errors and 1 when there are.

    \b
    Example:
      okta2hrmos validate users.csv --report findings.csv
    """
    _check_report_suffix(report_path)
    validation = _validate(input_path, **job)[0]

    if report_path:
        report.write_findings(validation.findings, report_path)
    summary = Summary.of(validation, written=len(validation.accepted), files=[])
    _print_findings(validation, job["quiet"])
    click.echo(summary.line(written="would be written"), err=True)
    raise SystemExit(summary.exit_code)


@main.command("convert")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The HRMOS import file to write.",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write rejected rows [default: OUT-rejects.csv beside OUT].",
)
@click.option("--strict", is_flag=True, help="Write nothing when any row is rejected.")
@report_option
@job_options
def convert_command(
    input_path: Path,
    output_path: Path,
    rejects_path: Path | None,
    strict: bool,
    report_path: Path | None,
    **job,
) -> None:
    """Write the HRMOS import file for the users that pass validation.

    Rejected rows go, with their original values and the reasons, to the
    rejects file. Exits 0 when nothing was rejected, 1 when rows were. A
    template with rows_per_file set is split into OUT-part1.csv, ….

    \b
    Example:
      okta2hrmos convert users.csv -o hrmos.csv --rejects rejects.csv
    """
    _check_report_suffix(report_path)
    quiet = job["quiet"]
    validations = _validate(input_path, **job)
    if len(validations) > 1:
        raise ConfigError(
            "convert writes one file, so give one --template; use `okta2hrmos run` "
            "to write a file per template."
        )
    validation = validations[0]
    rows = hrmos.import_rows(validation)
    rejected = len(validation.rejected)
    _print_findings(validation, quiet)

    rejects_path = rejects_path or output_path.with_name(
        f"{output_path.stem}-rejects.csv"
    )
    _refuse_clashing_paths(
        {
            "INPUT": input_path,
            "-o": output_path,
            "--rejects": rejects_path,
            "--report": report_path,
        }
    )
    held_back = len(rows) if strict and rejected else 0

    files = []
    if not held_back:
        with staged_files(output_path.parent) as stage:
            staged = hrmos.write_import_file(
                rows, validation.template, stage(output_path)
            )
            files += [output_path.parent / path.name for path in staged]
            if rejected:
                report.write_rejects(validation, stage(rejects_path))
                files.append(rejects_path)
            if report_path:
                report.write_findings(validation.findings, stage(report_path))
                files.append(report_path)

    summary = Summary.of(
        validation, written=len(rows) - held_back, files=files, held_back=held_back
    )
    if held_back:
        click.secho(
            f"{rejected} rows were rejected and --strict is set, so nothing was "
            "written; fix the rows listed above and run again.",
            fg="red",
            err=True,
        )
    _print_left_out(validations, quiet)
    for path in files:
        _note(f"wrote {path}", quiet)
    click.echo(summary.line(), err=True)
    raise SystemExit(summary.exit_code)


def _refuse_clashing_paths(paths: dict[str, Path | None]) -> None:
    """Stop when two of a command's files are one: one would overwrite the other."""
    seen: dict[Path, str] = {}
    for option, path in paths.items():
        if path is None:
            continue
        resolved = path.resolve()
        if resolved in seen:
            raise ConfigError(
                f"{seen[resolved]} and {option} are the same file ({path}); give "
                "each its own path."
            )
        seen[resolved] = option


@main.command("run")
@click.option(
    "--input",
    "input_path",
    type=click.Path(path_type=Path),
    help="Users exported from Okta (CSV or JSON).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the hand-off package.",
)
@reconcile_options
@click.option(
    "--include-leavers",
    is_flag=True,
    help="With --hrmos-export, also write the leavers' 退職日 to files: those dated "
    "by Okta apart from the placeholders.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the counts and the changes, write nothing; exit 1 when "
    "anything is pending.",
)
@_job_options_but_quiet
@okta_options
@click.pass_context
def run_command(
    ctx: click.Context,
    input_path: Path | None,
    out_dir: Path,
    hrmos_export: Path | None,
    max_leavers: int | None,
    force: bool,
    include_leavers: bool,
    dry_run: bool,
    **options,
) -> None:
    """Validate and convert in one go, leaving the hand-off package in a folder.

    The folder gets the HRMOS import files numbered in upload order (01-…,
    02-…), rejects.csv (rejected rows with their reasons), review.xlsx (every
    file as text, problem cells coloured), README.md (the upload steps for
    the HR admin, in Japanese and English), findings.csv, summary.txt and
    manifest.json (what made the package, with every file's SHA-256). A
    person rejected by one template is written to no file.

    With --hrmos-export, only new people are registered, changed people go
    to an edit file with the effective date, and leavers are listed (and
    written with --include-leavers). A run that would propose leavers for
    more than 20% of the people active in HRMOS (or more than --max-leavers)
    is refused, with exit code 4, unless --force.

    Exits 0 when nothing was rejected, 1 when rows were rejected or people
    are in conflict (with --dry-run: when anything is pending).

    Without --input, the users are exported from the Okta org first; see
    `okta2hrmos export --help` for the connection options.

    \b
    Examples:
      okta2hrmos run --input sample_data/okta_users.csv --out hand-off
      okta2hrmos run --input users.csv --out hand-off \\
          --hrmos-export current.csv --dry-run
      okta2hrmos run --input users.csv --out hand-off \\
          --template hrmos-core-employees --template hrmos-core-account
      okta2hrmos run --org-url https://acme.okta.com --out hand-off
    """
    job = {name: options.pop(name) for name in JOB_OPTIONS}
    job["quiet"] = options["quiet"]
    if input_path is None and not options["org_url"]:
        raise ConfigError(
            "Give the users with --input FILE, or the Okta org to export them from "
            f"with --org-url URL (or {ORG_URL_ENV})."
        )
    _check_reconcile_options(hrmos_export, max_leavers, force, include_leavers)
    for given in (input_path, hrmos_export):
        if given is not None and out_dir.resolve() in given.resolve().parents:
            raise ConfigError(
                f"{given} is inside the package folder {out_dir}, which a run "
                "replaces; move it out, or give another --out."
            )
    quiet = job["quiet"]
    source = input_path if input_path is not None else options
    validations = _validate(source, **job)
    first = validations[0]
    _print_findings(first, quiet, more="findings.csv in the package holds them all")
    day = _parse_effective_date(job["effective_date"])
    result = None
    if hrmos_export is not None:
        day = day or reconcile.today_in_japan()
        result = _reconcile(validations, hrmos_export, day, quiet)
        _print_safeguard(result, max_leavers, force)

    if dry_run:
        files = handoff.plan(validations, result, include_leavers)
        click.echo(_plan_text(files, result))
        summary = Summary.of(first, written=len(first.accepted), files=[])
        click.echo(summary.line(written="accepted"), err=True)
        if result is not None:
            click.echo(result.line(), err=True)
        pending = result.pending if result is not None else bool(len(first.accepted))
        raise SystemExit(1 if pending or summary.exit_code else 0)

    inputs = [("okta-users", input_path)] if input_path is not None else []
    if hrmos_export is not None:
        inputs.append(("hrmos-export", hrmos_export))
    with handoff.package_folder(out_dir) as staging:
        package = handoff.write_package(
            staging,
            validations,
            result,
            include_leavers=include_leavers,
            command=_command_line(ctx),
            inputs=inputs,
            effective_date=day,
        )

    _print_left_out(validations, quiet)
    _note(f"wrote the hand-off package to {out_dir}/", quiet)
    written = "written" if result is None else "accepted"
    click.echo(package.summary.line(written=written), err=True)
    conflicts = 0
    if result is not None:
        click.echo(result.line(), err=True)
        conflicts = result.count("conflict")
    raise SystemExit(1 if package.summary.exit_code or conflicts else 0)


@main.command("diff")
@click.argument("input_path", metavar="USERS", type=click.Path(path_type=Path))
@click.option(
    "--hrmos-export",
    "hrmos_export",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="CURRENT.csv",
    help="An export of the employees HRMOS holds now (社員履歴のエクスポート).",
)
@click.option(
    "--max-leavers",
    type=click.IntRange(min=0),
    metavar="N",
    help="Warn when more than N leavers would be proposed (diff warns, run "
    "refuses; more than 20% of the people active in HRMOS always warns).",
)
@job_options
def diff_command(
    input_path: Path, hrmos_export: Path, max_leavers: int | None, **job
) -> None:
    """Compare exported users with what HRMOS holds, and print what would change.

    People are matched by 社員コード and sorted into new, changed (each field
    with its old and new value), unchanged, leavers (with a proposed 退職日)
    and conflicts (the same login or email on two codes, and the like).
    Writes nothing. Exits 0 when there is nothing to do and 1 when something
    is pending (or rows were rejected).

    \b
    Example:
      okta2hrmos diff users.csv --hrmos-export current.csv
    """
    quiet = job["quiet"]
    validations = _validate(input_path, **job)
    first = validations[0]
    _print_findings(first, quiet, more="findings.csv in the package holds them all")
    day = _parse_effective_date(job["effective_date"]) or reconcile.today_in_japan()
    result = _reconcile(validations, hrmos_export, day, quiet)
    _print_safeguard(result, max_leavers, force=True)

    click.echo(reconcile.describe(result, limit=1000))
    summary = Summary.of(first, written=len(first.accepted), files=[])
    click.echo(summary.line(written="accepted"), err=True)
    click.echo(result.line(), err=True)
    raise SystemExit(1 if result.pending or summary.exit_code else 0)


main.add_command(export_command)


@main.group("template")
def template_group() -> None:
    """List, show, learn and check HRMOS import templates."""


@template_group.command("list")
def template_list() -> None:
    """List the built-in templates.

    \b
    Example:
      okta2hrmos template list
    """
    for template in list_templates():
        flag = "  (provisional)" if template.provisional else ""
        click.echo(f"{template.name}  {template.title}{flag}")


@template_group.command("show")
@click.argument("name", metavar="NAME|PATH")
@click.option("--toml", "as_toml", is_flag=True, help="Print the template file itself.")
def template_show(name: str, as_toml: bool) -> None:
    """Show a template's columns, sources and rules.

    \b
    Example:
      okta2hrmos template show hrmos-core-employees
    """
    template = load_template(name)
    if as_toml:
        click.echo(template.path.read_text(encoding="utf-8"), nl=False)
    else:
        click.echo(describe(template))


@template_group.command("learn")
@click.argument("sample", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The template .toml file to write.",
)
@click.option("--name", help="The template's name [default: from the file name].")
@click.option(
    "--header-rows",
    type=click.IntRange(1, 5),
    help="How many header rows the sample has [default: 1, or 2 when the second "
    "row holds only 必須/任意 marks].",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def template_learn(
    sample: Path,
    output_path: Path,
    name: str | None,
    header_rows: int | None,
    force: bool,
) -> None:
    """Write a template that reproduces a file from your own HRMOS tenant.

    Give it the import template you downloaded from 社員の一括登録, or an
    export from 社員履歴のエクスポート. The template copies the file's header
    rows, BOM, line ending, quoting and date pattern, and proposes an Okta
    attribute for each column it knows; check them, then use the template
    with --template.

    \b
    Example:
      okta2hrmos template learn tenant-template.csv -o mine.toml
    """
    if output_path.exists() and not force:
        raise ConfigError(
            f"{output_path} already exists (perhaps a template you edited); give "
            "another -o, or --force to replace it."
        )
    learned = learn(sample, name=name, header_rows=header_rows, output=output_path)
    write_text(output_path, learned.text)
    for note in learned.notes:
        click.secho(note, fg="yellow", err=True)
    for header, source in learned.mapped:
        click.echo(f"  {header} ← {source} (guess)", err=True)
    if learned.unmapped:
        click.secho(
            f"No source for {', '.join(learned.unmapped)}: set `source` in "
            f"{output_path} (or --map), or these columns are left out of the file.",
            fg="yellow",
            err=True,
        )
    if learned.required:
        click.echo(f"Required: {', '.join(learned.required)}", err=True)
    click.echo(f"wrote {output_path}", err=True)


@template_group.command("check")
@click.argument("name", metavar="TEMPLATE")
@click.option(
    "--against",
    "sample",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A file from your HRMOS tenant to compare the layout with.",
)
def template_check(name: str, sample: Path | None) -> None:
    """Report why a template cannot work, and how it differs from a tenant's file.

    Exits 0 when the template is usable (and matches the file), 1 otherwise.

    \b
    Example:
      okta2hrmos template check mine.toml --against tenant-template.csv
    """
    template, problems = check_template(name)
    differences = compare(template, sample) if template and sample else []
    for problem in problems:
        click.secho(f"problem: {problem}", fg="red", err=True)
    for difference in differences:
        click.secho(f"differs: {difference}", fg="yellow", err=True)
    if problems or differences:
        click.echo(
            f"{_count(len(problems), 'problem')}, "
            f"{_count(len(differences), 'difference')}.",
            err=True,
        )
        raise SystemExit(1)
    against = f" and matches {sample}" if sample else ""
    click.echo(f"{name} is usable{against}.", err=True)


JOB_OPTIONS = ("template_names", "maps", "config_path", "effective_date", "encoding")


def _validate(
    source: Path | dict,
    template_names: tuple[str, ...],
    maps: tuple[str, ...],
    config_path: Path | None,
    effective_date: str | None,
    encoding: str | None,
    quiet: bool,
) -> list[Validation]:
    config = load_config(config_path)
    names = list(template_names) or config.templates or [DEFAULT_TEMPLATE]
    templates = [load_template(name) for name in names]
    # The project file may map columns of templates this run does not use;
    # a --map for a column no template has is a mistake.
    known = {header for template in templates for header in template.headers}
    overrides = {h: e for h, e in config.map.items() if h in known}
    overrides.update(parse_overrides(list(maps)))
    templates = apply_overrides(templates, overrides)
    _refuse_repeated_names(templates)
    day = _parse_effective_date(effective_date)
    if isinstance(source, Path):
        users = read_users(source, encoding or config.encoding or "auto")
    else:
        users = users_from_okta(**source)
    _refuse_absent_mapped_attributes(users.table.columns, overrides)
    return validate_many(users, templates, day)


def _refuse_absent_mapped_attributes(columns, overrides: dict[str, str]) -> None:
    """A mapping someone wrote on purpose must find its attribute in the input."""
    for header, expression in overrides.items():
        if expression.strip().startswith(CONSTANT_PREFIX):
            continue
        names = [name.strip() for name in expression.split("|") if name.strip()]
        names = [n.removeprefix("profile.") for n in names]
        if names and all(find_attribute(columns, name) is None for name in names):
            raise ConfigError(
                f"The mapping {header}={expression} names an attribute the input "
                f"does not have ({' or '.join(names)}); check its spelling against "
                "the input's header."
            )


def _refuse_repeated_names(templates: list[Template]) -> None:
    names = [template.name for template in templates]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(
            f"The template {', '.join(repeated)} is given more than once; give each "
            "template once (a template's file is named after its name)."
        )


def _parse_effective_date(text: str | None) -> date | None:
    if text is None:
        return None
    parsed = parse_date(text)
    if not parsed.startswith("="):
        raise ConfigError(
            f"--effective-date {text!r} is not a date; write it like 2025-04-01."
        )
    return date.fromisoformat(parsed[1:])


def _check_reconcile_options(
    hrmos_export: Path | None,
    max_leavers: int | None,
    force: bool,
    include_leavers: bool,
) -> None:
    if hrmos_export is not None:
        return
    given = [
        name
        for name, value in (
            ("--max-leavers", max_leavers is not None),
            ("--force", force),
            ("--include-leavers", include_leavers),
        )
        if value
    ]
    if given:
        raise ConfigError(
            f"{', '.join(given)} only works with --hrmos-export CURRENT.csv (an "
            "export of the employees HRMOS holds now)."
        )


def _reconcile(
    validations: list[Validation], path: Path, day: date, quiet: bool
) -> reconcile.Reconciliation:
    templates = [validation.template for validation in validations]
    export = reconcile.read_export(path, templates)
    result = reconcile.reconcile(validations, export, day)
    for note in result.notes:
        _note(note, quiet)
    return result


def _print_safeguard(
    result: reconcile.Reconciliation, max_leavers: int | None, force: bool
) -> None:
    warning = reconcile.check_leavers(result, max_leavers=max_leavers, force=force)
    if warning:
        click.secho(f"Warning: {warning}", fg="yellow", err=True)


def _plan_text(
    files: list[handoff.ImportFile], result: reconcile.Reconciliation | None
) -> str:
    lines = ["dry run: nothing was written", ""]
    lines += [
        f"would write {planned.stem}.csv: {len(planned.rows)} rows ({planned.kind})"
        for planned in files
    ] or ["would write no import file"]
    if result is not None:
        lines += ["", reconcile.describe(result, limit=1000)]
    return "\n".join(lines)


def _command_line(ctx: click.Context) -> list[str]:
    """The options given on the command line, as words, in declaration order."""
    words = ["okta2hrmos", ctx.info_name or ""]
    for param in ctx.command.params:
        name = param.name or ""
        if ctx.get_parameter_source(name) != click.core.ParameterSource.COMMANDLINE:
            continue
        value = ctx.params.get(name)
        if isinstance(param, click.Argument):
            words.append(str(value))
        elif isinstance(param, click.Option) and param.is_flag:
            words.append(param.opts[-1])
        elif isinstance(value, tuple | list):
            for item in value:
                words += [param.opts[-1], str(item)]
        else:
            words += [param.opts[-1], str(value)]
    return words


def _check_report_suffix(path: Path | None) -> None:
    if path is not None and path.suffix.lower() not in (".csv", ".json"):
        raise ConfigError(
            f"--report {path}: the report is written as CSV or JSON; name it "
            "FILE.csv or FILE.json."
        )


def _print_findings(
    validation: Validation,
    quiet: bool,
    more: str = "write them all with --report",
) -> None:
    for note in validation.users.notes:
        _note(note, quiet)
    findings = validation.findings
    if quiet:
        findings = findings[findings["severity"] == "error"]
    if len(findings):
        click.echo(report.findings_table(findings, more=more), err=True)


def _print_left_out(validations: list[Validation], quiet: bool) -> None:
    if quiet:
        return
    for validation in validations:
        for column in validation.left_out:
            click.secho(
                f"Left out column {column.header} of {validation.template.name} "
                f"(no {' or '.join(column.source) or 'source'} in the input): a "
                "blank cell would clear HRMOS's stored value.",
                fg="yellow",
                err=True,
            )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _note(message: str, quiet: bool) -> None:
    if not quiet:
        click.echo(message, err=True)
