"""Every bound on a file stackbot reads, in one place, for the README to list.

A file picked in `/stack import` or given to `stackbot import-billing` is written by someone
stackbot does not trust. Each bound is far above what a real stack or bill needs, and low
enough that a hostile file is refused within a second, in bounded memory.
"""

from __future__ import annotations

# A stack file (CSV, JSON or Backstage YAML). A team's stack is tens to hundreds of tools;
# bench/transfer.py imports 10,000. Slack sends at most 5 MB; from the terminal a file is held
# in memory whole only for JSON and YAML, so it is cut off here.
STACK_MAX_BYTES = 8 * 2**20
STACK_MAX_ROWS = 10_000
# One stack cell, in characters: the longest value a tool keeps (its notes). Checking any cell
# this long takes at most a few milliseconds (a capabilities cell of 1,000 characters of
# `llm-serving;` is the slowest, bench/hostile.py).
STACK_MAX_CELL = 1_000

# A FOCUS bill, plain or gzipped. Bills are read in one pass, never whole; what is bounded is
# the time a read can take. A month of a large account's hourly export is a few million rows of
# a few hundred bytes; bench/transfer.py reads 1,000,000.
BILL_MAX_BYTES = 8 * 2**30  # after decompression
BILL_MAX_LINES = 20_000_000  # physical lines, blank ones included; rows of a Parquet bill
# Rows of a Parquet bill decoded at a time: a few MB of ordinary cells (core/parquet.py).
PARQUET_BATCH_ROWS = 4_096
# One Parquet row group, decompressed, as the file declares it: what reading it may hold in
# memory at worst. Spark and the cloud exports cut row groups at 128 MB; pyarrow at a million
# rows, a few hundred MB of a FOCUS bill.
PARQUET_MAX_ROW_GROUP_BYTES = 2**30

# Blank lines, or rows of nothing but delimiters, one after another: a spreadsheet leaves a few,
# a file padded to take time has millions. Each costs a microsecond or two to skip.
MAX_BLANK_RUN = 10_000

# One physical line of a CSV file, in bytes. A FOCUS row with its Tags is a few kilobytes;
# a line is read up to this and no further, so a line of gigabytes never sits in memory.
MAX_LINE = 2**20

# A date as a person writes it ("Wednesday, 17 September 2027" is 28); dateutil would take
# 12 µs a character to refuse a longer one. Read by core/dates.py.
MAX_DATE_TEXT = 64

# JSON and YAML nesting: a stack entity is four levels deep (document, metadata, annotations,
# value). Python's parsers recurse per level and fail near 1,000.
MAX_DEPTH = 32

# YAML nodes (each key, value, list and item): about 40 per Backstage entity, so the file
# holds STACK_MAX_ROWS entities; one document holds one entity, and all of a document's nodes
# are held in memory until it is built.
YAML_MAX_NODES = 500_000
YAML_MAX_DOCUMENT_NODES = 2_000

# One cell of any file (a CSV field, a JSON or YAML string), in characters. core/tabular.py
# sets the csv module's field limit to its own MAX_CELL; a test keeps the two equal.
MAX_CELL = 100_000

__all__ = [
    "BILL_MAX_BYTES",
    "BILL_MAX_LINES",
    "MAX_BLANK_RUN",
    "MAX_CELL",
    "MAX_DATE_TEXT",
    "MAX_DEPTH",
    "MAX_LINE",
    "PARQUET_BATCH_ROWS",
    "PARQUET_MAX_ROW_GROUP_BYTES",
    "STACK_MAX_BYTES",
    "STACK_MAX_CELL",
    "STACK_MAX_ROWS",
    "YAML_MAX_DOCUMENT_NODES",
    "YAML_MAX_NODES",
]
