"""The okta2hrmos command line: options, calling the stages, exit codes.

Exit codes: 0 done and clean; 1 done, but rows were rejected; 2 usage,
configuration or unreadable input; 3 Okta or network failure.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__, hrmos, report
from .csvio import ENCODINGS, staged_folder, write_text
from .errors import ConfigError, UserError
from .report import Summary
from .templates import DEFAULT_TEMPLATE, describe, list_templates, load_template
from .users import Users, read_users
from .validate import Validation, validate


class Okta2HrmosGroup(click.Group):
    """A command group that ends user errors with one sentence, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except UserError as error:
            click.secho(f"Error: {error}", fg="red", err=True)
            ctx.exit(error.exit_code)


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
    "template_name",
    default=DEFAULT_TEMPLATE,
    show_default=True,
    metavar="NAME|PATH",
    help="Built-in template name or path of a template .toml file.",
)
encoding_option = click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    default="auto",
    show_default=True,
    help="Encoding of a CSV input: auto tells UTF-8 (with or without BOM) from CP932.",
)
quiet_option = click.option(
    "-q", "--quiet", is_flag=True, help="Print only errors and the summary line."
)


@main.command("validate")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@template_option
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write every finding to FILE.csv or FILE.json.",
)
@encoding_option
@quiet_option
def validate_command(
    input_path: Path,
    template_name: str,
    report_path: Path | None,
    encoding: str,
    quiet: bool,
) -> None:
    """Check exported users the way HRMOS will, and list the findings.

    Exits 0 when there are no errors and 1 when there are.

    \b
    Example:
      okta2hrmos validate users.csv --report findings.csv
    """
    _check_report_suffix(report_path)
    validation = _validate(input_path, template_name, encoding)

    if report_path:
        report.write_findings(validation.findings, report_path)
    summary = Summary.of(validation, written=len(validation.accepted), files=[])
    _print_findings(validation, quiet)
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
@template_option
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write rejected rows [default: OUT-rejects.csv beside OUT].",
)
@click.option("--strict", is_flag=True, help="Write nothing when any row is rejected.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write every finding to FILE.csv or FILE.json.",
)
@encoding_option
@quiet_option
def convert_command(
    input_path: Path,
    output_path: Path,
    template_name: str,
    rejects_path: Path | None,
    strict: bool,
    report_path: Path | None,
    encoding: str,
    quiet: bool,
) -> None:
    """Write the HRMOS import file for the users that pass validation.

    Rejected rows go, with their original values and the reasons, to the
    rejects file. Exits 0 when nothing was rejected, 1 when rows were.

    \b
    Example:
      okta2hrmos convert users.csv -o hrmos.csv --rejects rejects.csv
    """
    _check_report_suffix(report_path)
    validation = _validate(input_path, template_name, encoding)
    rows = hrmos.import_rows(validation)
    rejected = len(validation.rejected)
    _print_findings(validation, quiet)

    if strict and rejected:
        summary = Summary.of(validation, written=0, files=[])
        click.secho(
            f"{rejected} rows were rejected and --strict is set, so nothing was "
            "written; fix the rows listed above and run again.",
            fg="red",
            err=True,
        )
        click.echo(summary.line(), err=True)
        raise SystemExit(1)

    files = hrmos.write_import_file(rows, validation.template, output_path)
    if rejected:
        rejects_path = rejects_path or output_path.with_name(
            f"{output_path.stem}-rejects.csv"
        )
        report.write_rejects(validation, rejects_path)
        files.append(rejects_path)
    if report_path:
        report.write_findings(validation.findings, report_path)
        files.append(report_path)

    summary = Summary.of(validation, written=len(rows), files=files)
    _print_left_out(summary, quiet)
    for path in files:
        _note(f"wrote {path}", quiet)
    click.echo(summary.line(), err=True)
    raise SystemExit(summary.exit_code)


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
@template_option
@encoding_option
@quiet_option
def run_command(
    input_path: Path | None,
    out_dir: Path,
    template_name: str,
    encoding: str,
    quiet: bool,
) -> None:
    """Validate and convert in one go, leaving the hand-off package in a folder.

    The folder gets the HRMOS import file, rejects.csv (rejected rows with
    their reasons), findings.csv (every finding) and summary.txt (the counts).
    Exits 0 when nothing was rejected, 1 when rows were.

    \b
    Example:
      okta2hrmos run --input sample_data/okta_users.csv --out hand-off
    """
    if input_path is None:
        raise ConfigError("Give the users to convert with --input FILE.")
    validation = _validate(input_path, template_name, encoding)
    rows = hrmos.import_rows(validation)
    _print_findings(validation, quiet)

    names = [f"01-{validation.template.name}.csv", "rejects.csv", "findings.csv"]
    with staged_folder(out_dir) as staging:
        written = hrmos.write_import_file(rows, validation.template, staging / names[0])
        report.write_rejects(validation, staging / names[1])
        report.write_findings(validation.findings, staging / names[2])
        files = [out_dir / path.name for path in written]
        files += [out_dir / names[1], out_dir / names[2], out_dir / "summary.txt"]
        summary = Summary.of(validation, written=len(rows), files=files)
        write_text(staging / "summary.txt", summary.text())

    _print_left_out(summary, quiet)
    _note(f"wrote the hand-off package to {out_dir}/", quiet)
    click.echo(summary.line(), err=True)
    raise SystemExit(summary.exit_code)


@main.group("template")
def template_group() -> None:
    """List and show HRMOS import templates."""


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


def _validate(input_path: Path, template_name: str, encoding: str) -> Validation:
    template = load_template(template_name)
    users: Users = read_users(input_path, encoding)
    return validate(users, template)


def _check_report_suffix(path: Path | None) -> None:
    if path is not None and path.suffix.lower() not in (".csv", ".json"):
        raise ConfigError(
            f"--report {path}: the report is written as CSV or JSON; name it "
            "FILE.csv or FILE.json."
        )


def _print_findings(validation: Validation, quiet: bool) -> None:
    for note in validation.users.notes:
        _note(note, quiet)
    findings = validation.findings
    if quiet:
        findings = findings[findings["severity"] == "error"]
    if len(findings):
        click.echo(report.findings_table(findings), err=True)


def _print_left_out(summary: Summary, quiet: bool) -> None:
    if quiet:
        return
    for text in summary.left_out:
        click.secho(
            f"Left out column {text}: a blank cell would clear HRMOS's stored value.",
            fg="yellow",
            err=True,
        )


def _note(message: str, quiet: bool) -> None:
    if not quiet:
        click.echo(message, err=True)
