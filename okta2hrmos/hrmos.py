"""Turning accepted users into rows of an HRMOS import file, and writing it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .csvio import write_frame
from .templates import Template
from .validate import Validation


def import_rows(validation: Validation) -> pd.DataFrame:
    """Return the accepted users in the template's layout, in input order.

    Columns whose source the input lacks are left out: in HRMOS a blank cell
    clears the stored value, so an unknown value is never written as blank.
    """
    prepared = validation.prepared
    return prepared.loc[validation.accepted, list(prepared.columns)]


def write_import_file(rows: pd.DataFrame, template: Template, path: Path) -> list[Path]:
    """Write the HRMOS file(s); split into numbered parts past rows_per_file."""
    positions = [template.headers.index(header) for header in rows.columns]
    header_rows = [[row[p] for p in positions] for row in template.header_rows]
    size = template.rows_per_file or max(len(rows), 1)
    chunks = [rows.iloc[start : start + size] for start in range(0, len(rows), size)]
    if not chunks:
        chunks = [rows]
    paths = [path] if len(chunks) == 1 else part_paths(path, len(chunks))
    for chunk, target in zip(chunks, paths, strict=True):
        write_frame(
            target,
            header_rows,
            chunk,
            bom=template.bom,
            line_ending=template.line_ending,
            quoting=template.quoting,
        )
    return paths


def part_paths(path: Path, count: int) -> list[Path]:
    """Name the parts of a split file so their upload order is plain."""
    width = len(str(count))
    return [
        path.with_name(f"{path.stem}-part{number:0{width}d}{path.suffix}")
        for number in range(1, count + 1)
    ]
