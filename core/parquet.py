"""A FOCUS bill in Parquet, read in small batches with bounds (pyarrow, the `parquet` extra).

Parquet compresses a repeated value to almost nothing: a 5 KB file can hold 200,000 rows whose
ServiceName is the same 100,000 characters, 19 GiB once decoded, and a reader that decodes a
batch of such rows runs out of memory. Text columns are read as dictionaries here (each distinct
value once, each row an index into them), so a value is checked once and shared by its rows;
the rows and the declared decompressed sizes are checked against the caps before any is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from core import billing
from core.errors import Rejected
from core.limits import (
    BILL_MAX_BYTES,
    BILL_MAX_LINES,
    MAX_CELL,
    PARQUET_BATCH_ROWS,
    PARQUET_MAX_ROW_GROUP_BYTES,
)
from core.text import normalise

Charges = Iterator[tuple[int, dict[str, str], str]]


def charges(binary: IO[bytes]) -> Charges:
    """(line, cells kept, the whole row) per charge; the header counts as line 1, as in CSV."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - installed with the `parquet` extra
        raise Rejected("parquet_needs_pyarrow") from None
    schema = _open(pq, binary).schema_arrow
    present = {billing.ALIASES.get(normalise(name)): name for name in schema.names}
    missing = [column for column in billing.REQUIRED if column not in present]
    if missing:
        raise Rejected("missing_columns", line=1, missing=missing, found=schema.names)
    wanted = {canonical: name for canonical, name in present.items() if canonical}
    texts = [
        name
        for name in wanted.values()
        if pa.types.is_string(schema.field(name).type)
        or pa.types.is_large_string(schema.field(name).type)
    ]
    binary.seek(0)
    file = _open(pq, binary, read_dictionary=texts)
    _check_sizes(file.metadata)
    number = 1
    try:
        for batch in file.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=[*wanted.values()]):
            columns = {canonical: _values(batch.column(name)) for canonical, name in wanted.items()}
            for index in range(batch.num_rows):
                number += 1
                cells = {canonical: values[index] for canonical, values in columns.items()}
                yield number, cells, "\x1f".join(cells.values())
    except (pa.ArrowException, OSError) as error:  # a damaged page or a lying header
        raise Rejected("bad_parquet", reason=str(error)[:100]) from None


def _open(pq: Any, binary: IO[bytes], **options: Any) -> Any:
    try:
        return pq.ParquetFile(binary, **options)
    except Exception as error:  # pyarrow raises its own ArrowInvalid for a damaged file
        raise Rejected("bad_parquet", reason=str(error)[:100]) from None


def _check_sizes(metadata: Any) -> None:
    """Rows and decompressed bytes as the file declares them, before any page is read. Row
    groups, not their columns: pyarrow 26 aborts the whole process (std::terminate) on some
    damaged column metadata when a column's is asked for, where reading the rows only raises."""
    if metadata.num_rows > BILL_MAX_LINES:
        raise Rejected("too_many_lines", line=1, limit=BILL_MAX_LINES)
    total = 0
    for group in range(metadata.num_row_groups):
        size = metadata.row_group(group).total_byte_size
        if size > PARQUET_MAX_ROW_GROUP_BYTES:
            raise Rejected(
                "parquet_group_too_big", value=group + 1, limit=PARQUET_MAX_ROW_GROUP_BYTES
            )
        total += size
    if total > BILL_MAX_BYTES:
        raise Rejected("file_too_long", line=1, limit=BILL_MAX_BYTES)


def _values(column: Any) -> list[str]:
    """A batch's column as cells; a dictionary column's values are checked once each."""
    # Parquet checks neither that text is UTF-8 nor that a dictionary index points into its
    # dictionary; a damaged file fails here (ArrowInvalid), not in the conversion below.
    column.validate(full=True)
    if hasattr(column, "dictionary"):
        words = [_cell(value) for value in column.dictionary.to_pylist()]
        return ["" if i is None else words[i] for i in column.indices.to_pylist()]
    return [_cell(value) for value in column.to_pylist()]


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if len(text) > MAX_CELL:
        raise Rejected("cell_too_long", line=0, limit=MAX_CELL)
    return text
