"""Reading untrusted CSV files safely, and writing files atomically.

Nothing here knows what a column means: a CSV comes back as its header and
its cells, every cell text exactly as written.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .errors import InputError, OutputError

ENCODINGS = ("auto", "utf-8", "cp932")

UTF8_BOM = b"\xef\xbb\xbf"

PRIVATE_FILE_MODE = 0o600

# Okta allows attributes of several kilobytes (postalAddress: 4096); an
# untrusted file may hold far longer values, which are read, not refused.
csv.field_size_limit(1 << 30)

# Every cell is text, held in Arrow-backed strings so that trimming, case
# folding and pattern checks run vectorised.
TEXT = pd.StringDtype("pyarrow")
# The Arrow type TEXT keeps its values in (large_string in pandas 3).
TEXT_STORAGE = pa.array(pd.array([], dtype=TEXT)).type


@dataclass
class RawCsv:
    """A CSV file as read: header, cells by column position, and how it was saved."""

    path: Path
    header: list[str]
    cells: pd.DataFrame
    encoding: str
    bom: bool
    line_ending: str
    # Data rows whose field count differs from the header's:
    # row number -> (fields found, the fields beyond the header's width).
    ragged: dict[int, tuple[int, list[str]]] = field(default_factory=dict)


def read_csv(path: Path, encoding: str = "auto") -> RawCsv:
    """Read a CSV file; every cell stays text exactly as written.

    The encoding is UTF-8 (with or without a BOM) or CP932; anything else
    stops with the byte offset of the first undecodable byte.
    """
    data = _read_bytes(path)
    source = _Source.of(data, encoding, path)

    _refuse_unmatched_quote(source, path)
    header = _first_record(source)
    if header is None:
        raise InputError(f"{path} is empty: it has no header row.")
    if len(header) == 1:
        for separator, name in (("\t", "tab"), (";", "semicolon")):
            if separator in header[0]:
                raise InputError(
                    f"{path} looks {name}-separated; save it as comma-separated CSV "
                    "('CSV UTF-8' in Excel) and run again."
                )
    width = len(header)

    cells = _parse_fast(source.utf8, width)
    ragged: dict[int, tuple[int, list[str]]] = {}
    if cells is None:
        cells, ragged = _parse_exact(source.text, width)

    return RawCsv(
        path=path,
        header=header,
        cells=cells,
        encoding=source.encoding,
        bom=source.bom,
        line_ending=_line_ending(source.utf8),
        ragged=ragged,
    )


@dataclass
class _Source:
    """A file's content as UTF-8 bytes, and as text once a step needs it.

    A file that is valid UTF-8 (checked by Arrow, which builds no str) is
    kept as its bytes: a large file is then neither decoded into a str nor
    encoded back for Arrow's CSV reader.
    """

    utf8: bytes
    encoding: str
    bom: bool
    decoded: str | None = None

    @classmethod
    def of(cls, data: bytes, encoding: str, path: Path) -> _Source:
        bom = data.startswith(UTF8_BOM)
        if (encoding != "cp932" or bom) and not data.startswith(b"PK\x03\x04"):
            body = data[len(UTF8_BOM) :] if bom else data
            if _is_utf8(body):
                return cls(body, "utf-8", bom)
        text, used, bom = decode(data, encoding, path)
        return cls(text.encode("utf-8"), used, bom, text)

    @property
    def text(self) -> str:
        if self.decoded is None:
            self.decoded = self.utf8.decode("utf-8")
        return self.decoded

    def head(self, size: int) -> tuple[str, bool]:
        """The text of about the first ``size`` bytes, and whether that is all."""
        whole = size >= len(self.utf8)
        decoder = codecs.getincrementaldecoder("utf-8")()
        return decoder.decode(self.utf8[:size], final=whole), whole


def _is_utf8(data: bytes) -> bool:
    """Tell whether bytes are valid UTF-8, as a strict decode would."""
    offsets = pa.array([0, len(data)], type=pa.int64()).buffers()[1]
    value = pa.Array.from_buffers(
        pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)]
    )
    try:
        value.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path} does not exist; check the path.") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder; give the path of a CSV file.") from None
    except PermissionError:
        raise InputError(f"{path} cannot be read: permission denied.") from None


def decode(data: bytes, encoding: str, path: Path) -> tuple[str, str, bool]:
    """Decode a file's bytes; return the text, the encoding used and the BOM flag."""
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            f"{path} is an Excel workbook, not a CSV file; in Excel use "
            "File > Save As > 'CSV UTF-8 (comma delimited)' and give that file."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{path} is saved as UTF-16; save it as UTF-8 "
            "('CSV UTF-8' in Excel) and run again."
        )
    bom = data.startswith(UTF8_BOM)
    if bom:
        data = data[len(UTF8_BOM) :]
    skipped = len(UTF8_BOM) if bom else 0

    if encoding == "cp932" and not bom:
        return _decode_strict(data, "cp932", path, skipped), "cp932", False
    if encoding == "utf-8" or bom:
        return _decode_strict(data, "utf-8", path, skipped), "utf-8", bom

    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError as error:
        utf8_error = error
    at = utf8_error.start
    if _looks_like_broken_utf8(data, at):
        raise InputError(
            f"{path} is UTF-8 with a damaged byte: 0x{data[at]:02X} at offset {at} "
            "is not UTF-8; fix or export the file again (reading it as CP932 would "
            "garble it)."
        )
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path} is neither UTF-8 (byte 0x{data[at]:02X} at offset {at}) nor "
            f"CP932 (byte 0x{data[error.start]:02X} at offset {error.start}); save "
            "it as 'CSV UTF-8' (or pass --encoding if you know it) and run again."
        ) from None
    if _looks_like_latin(text):
        raise InputError(
            f"{path} is not UTF-8, and read as CP932 it has half-width katakana but "
            "no kanji or kana, as a Latin-1 or Windows-1252 file would; save it as "
            "'CSV UTF-8', or pass --encoding cp932 if it really is CP932."
        )
    return text, "cp932", False


def _decode_strict(data: bytes, encoding: str, path: Path, skipped: int) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        name = "UTF-8" if encoding == "utf-8" else "CP932"
        raise InputError(
            f"{path} is not valid {name}: byte 0x{data[error.start]:02X} at offset "
            f"{error.start + skipped} cannot be decoded; save the file as "
            "'CSV UTF-8' and run again."
        ) from None


def _looks_like_latin(text: str) -> bool:
    """Half-width katakana without any kanji or kana: accented Latin letters
    (é, Å, ö) decoded as CP932 look exactly like that."""
    return bool(_HALF_WIDTH_KANA.search(text)) and not _JAPANESE.search(text)


_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]")
_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _looks_like_broken_utf8(data: bytes, error_at: int) -> bool:
    """Tell whether the bytes before the first UTF-8 error hold valid UTF-8 text.

    A CP932 file almost never has a run of valid multi-byte UTF-8 before its
    first error; a UTF-8 file with one damaged byte does, and decoding it as
    CP932 would turn it silently into mojibake.
    """
    head = data[:error_at]
    return any(byte >= 0x80 for byte in head)


def _refuse_unmatched_quote(source: _Source, path: Path) -> None:
    """Stop when a quote is never closed: the rest of the file would be one value.

    In well-formed CSV, double quotes come in pairs, so an odd count always
    means one is unmatched; strict parsing finds the line it opens on.
    """
    if source.utf8.count(b'"') % 2 == 0:
        return
    reader = csv.reader(io.StringIO(source.text, newline=""), strict=True)
    line = 0
    try:
        for _ in reader:
            line = reader.line_num
    except csv.Error:
        pass
    raise InputError(
        f"{path} has a double quote that is never closed (in the row starting on "
        f"line {line + 1}), so everything after it would be read as one value; fix "
        "the quote and run again."
    )


def _first_record(source: _Source) -> list[str] | None:
    size = 65536
    while True:
        chunk, whole = source.head(size)
        reader = csv.reader(io.StringIO(chunk, newline=""))
        first = next(reader, None)
        if first is None:
            return None
        complete = whole or next(reader, None) is not None
        if complete:
            return first
        size *= 4


def _parse_fast(utf8: bytes, width: int) -> pd.DataFrame | None:
    """Parse with Arrow's CSV reader; None when a row's width differs."""
    names = [str(i) for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                # Parsed straight into TEXT's storage, so no column is copied.
                column_types={name: TEXT_STORAGE for name in names},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    table = table.slice(1)
    data = {i: pd.Series(table.column(i), dtype=TEXT) for i in range(width)}
    frame = pd.DataFrame(data)
    frame.index = pd.RangeIndex(2, 2 + table.num_rows, name="row")
    return frame


def _parse_exact(
    text: str, width: int
) -> tuple[pd.DataFrame, dict[int, tuple[int, list[str]]]]:
    """Parse record by record, keeping rows whose width differs from the header's."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    rows: list[list[str]] = []
    ragged: dict[int, tuple[int, list[str]]] = {}
    for number, record in enumerate(reader, start=2):
        if len(record) != width and record:
            ragged[number] = (len(record), record[width:])
        rows.append((record + [""] * width)[:width])
    index = pd.RangeIndex(2, 2 + len(rows), name="row")
    frame = pd.DataFrame(rows, index=index, columns=range(width), dtype=TEXT)
    return frame, ragged


def _line_ending(utf8: bytes) -> str:
    position = utf8.find(b"\n")
    if position > 0 and utf8[position - 1 : position] == b"\r":
        return "crlf"
    if position == -1 and b"\r" in utf8:
        return "cr"
    return "lf"


LINE_ENDINGS = {"crlf": "\r\n", "lf": "\n", "cr": "\r"}


def write_csv(
    path: Path,
    header_rows: Sequence[Sequence[str]],
    rows: Iterable[Sequence[str]],
    *,
    bom: bool = True,
    line_ending: str = "crlf",
    quoting: str = "minimal",
) -> None:
    """Write a UTF-8 CSV file atomically: it appears complete or not at all."""
    with atomic_file(path) as raw:
        if bom:
            raw.write(UTF8_BOM)
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(
            text,
            lineterminator=LINE_ENDINGS[line_ending],
            quoting=csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL,
        )
        writer.writerows(header_rows)
        writer.writerows(rows)
        text.flush()
        text.detach()


def write_frame(
    path: Path,
    header_rows: Sequence[Sequence[str]],
    frame: pd.DataFrame,
    *,
    bom: bool = True,
    line_ending: str = "crlf",
    quoting: str = "minimal",
) -> None:
    """Write a frame as ``write_csv`` would write its rows, byte for byte.

    Fields are encoded as the csv module would encode them and joined by Arrow
    in one go; frames that are not all Arrow text go through the csv module.
    """
    terminator = LINE_ENDINGS[line_ending]
    body = _joined_body(frame, terminator) if quoting == "minimal" else None
    if body is None:
        write_csv(
            path,
            header_rows,
            frame_rows(frame),
            bom=bom,
            line_ending=line_ending,
            quoting=quoting,
        )
        return
    header = io.StringIO(newline="")
    csv.writer(header, lineterminator=terminator).writerows(header_rows)
    with atomic_file(path) as raw:
        if bom:
            raw.write(UTF8_BOM)
        raw.write(header.getvalue().encode("utf-8"))
        raw.write(body)


# A value holding any of these, or starting or ending with a space, is
# written as the csv module writes it alone; any other text is written as
# it is. (QUOTE_MINIMAL quotes only for the delimiter, the quote and the
# line ending's characters; this is wider, to be safe.)
_MAY_NEED_QUOTES = r'[\x00-\x1f",\x7f]|^ | $'


def _joined_body(frame: pd.DataFrame, terminator: str) -> memoryview | None:
    """The frame's rows as CSV lines, joined; None to leave it to the csv module.

    The csv module decides quoting field by field, so each field is encoded
    on its own (once per distinct value that may need quotes) and the fields
    are joined by Arrow. Rows with a missing value go through the csv module.
    """
    if len(frame) == 0 or len(frame.columns) < 2:
        return None
    fields = []
    missing = np.zeros(len(frame), dtype=bool)
    for k in range(len(frame.columns)):
        values = frame.iloc[:, k].array
        if not isinstance(values, pd.arrays.ArrowStringArray):
            return None
        array = pa.array(values)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        array = array.cast(pa.large_string())
        missing |= array.is_null().to_numpy(zero_copy_only=False)
        fields.append(_csv_fields(array, terminator))

    # One join with the delimiter and line ending as scalar pieces.
    pieces: list[pa.Array | pa.Scalar] = []
    for array in fields:
        pieces += [array, _large_text(",")]
    pieces[-1] = _large_text(terminator)
    lines = pc.binary_join_element_wise(*pieces, _large_text(""))
    if missing.any():
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator=terminator)
        texts = []
        for row in frame_rows(frame.iloc[np.flatnonzero(missing)]):
            writer.writerow(row)
            texts.append(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
        lines = pc.replace_with_mask(
            lines, pa.array(missing), pa.array(texts, type=pa.large_string())
        )

    lines = lines.cast(pa.large_string())
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return memoryview(lines.buffers()[2])[first:last]


def _csv_fields(array: pa.Array, terminator: str) -> pa.Array:
    """Each value as the csv module writes it as one field of a row."""
    risky = pc.fill_null(pc.match_substring_regex(array, _MAY_NEED_QUOTES), False)
    if not pc.any(risky).as_py():
        return array
    chosen = pc.dictionary_encode(array.filter(risky))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=terminator)
    encoded = []
    for value in chosen.dictionary.to_pylist():
        # A field's quoting does not depend on the others; the empty second
        # field only keeps the row from being a lone field.
        writer.writerow([value, ""])
        encoded.append(buffer.getvalue()[: -len("," + terminator)])
        buffer.seek(0)
        buffer.truncate()
    replacement = pa.array(encoded, type=pa.large_string()).take(chosen.indices)
    return pc.replace_with_mask(array, risky, replacement)


def _large_text(value: str) -> pa.Scalar:
    return pa.scalar(value, type=pa.large_string())


def write_text(path: Path, text: str) -> None:
    """Write a UTF-8 text file atomically."""
    with atomic_file(path) as handle:
        handle.write(text.encode("utf-8"))


def frame_rows(frame: pd.DataFrame) -> Iterator[tuple]:
    """Iterate a frame's rows as tuples, the values ``itertuples`` would give.

    Built column by column: a column's ``tolist()`` is fast, while iterating
    Arrow-backed strings one value at a time is not.
    """
    if len(frame.columns) == 0:
        return itertools.repeat((), len(frame))
    columns = [frame.iloc[:, k].tolist() for k in range(len(frame.columns))]
    return zip(*columns, strict=True)


def check_output_path(path: Path) -> None:
    """Stop unless ``path`` may become a regular file written by okta2hrmos.

    A device, a pipe, a folder or a symbolic link there is refused, never
    replaced, and so is a path whose folder is a file.
    """
    if str(path).strip() in ("", ".", ".."):
        raise OutputError(f"{str(path)!r} is not a file name; give the path of a file.")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise OutputError(
            f"{path} is not a regular file (a device, a pipe, a folder or a link); "
            "give the path of a file to write, and okta2hrmos will not replace it."
        )
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(
                    f"{path} cannot be written: {parent} is a file, not a folder."
                )
            break


@contextlib.contextmanager
def atomic_file(path: Path, mode: int = PRIVATE_FILE_MODE) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; move it into place on success.

    The file is created readable by its owner only (it holds personal data).
    """
    check_output_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def staged_folder(final: Path) -> Iterator[Path]:
    """Give a hidden folder to write a package into, then move its files to ``final``.

    If anything fails before the end, the staged files are removed and nothing
    in ``final`` changes.
    """
    final.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=final, prefix=".okta2hrmos-staging-"))
    try:
        yield staging
        names = sorted(p.name for p in staging.iterdir())
        last = [n for n in names if n in _WRITTEN_LAST]
        for name in [n for n in names if n not in _WRITTEN_LAST] + last:
            os.replace(staging / name, final / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def staged_files(anchor: Path) -> Iterator[Callable[[Path], Path]]:
    """Stage several output files and move them all into place at the end.

    The context gives a function that maps a final path to the path to write
    it at; whatever is written beside that path (split parts, say) moves
    with it. If anything fails first, nothing is moved and nothing changes.
    """
    anchor.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=anchor, prefix=".okta2hrmos-staging-"))
    planned: list[tuple[Path, Path]] = []

    def stage(final: Path) -> Path:
        folder = staging / str(len(planned))
        folder.mkdir()
        planned.append((folder, final))
        return folder / final.name

    try:
        yield stage
        # Make every target folder first, so a bad path fails before any move.
        for _, final in planned:
            final.parent.mkdir(parents=True, exist_ok=True)
        for folder, final in planned:
            for produced in sorted(folder.iterdir()):
                shutil.move(produced, final.parent / produced.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# Files that say a package is complete are moved into place after the rest.
_WRITTEN_LAST = ("summary.txt", "manifest.json")
