"""The marts of two builds of the dbt project compared row for row (issue 17): the DuckDB warehouse's and the Spark
target's (one folder of Parquet files per mart). Money and every other exact type must be equal, floating-point rates
within 1e-9 (relative, or absolute under 1). Used by tests/integration/test_spark_target.py and `pipeline benchmark
spark`."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.publish import MARTS

FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}
RATE_TOLERANCE = 1e-9
SHOWN_DIFFERENCES = 5
KEY_COLUMNS = 3  # how many leading columns of a differing row are shown to identify it
# Lineage, not results: when the build that computed a row had last loaded data (each engine loads on its own).
LINEAGE_COLUMNS = {"source_loaded_at"}


def _rows(con: duckdb.DuckDBPyConnection, relation: str, columns: list[tuple[str, str]]) -> list[tuple]:
    """The rows in a stable order: by every exact column first, the floats (which may differ in their last digits)
    last. Each column is cast to the DuckDB mart's type (Spark writes INT for INTEGER, a UTC instant for TIMESTAMP)."""
    select = ", ".join(f'cast("{name}" as {dtype}) as "{name}"' for name, dtype in columns)
    exact = [f'"{name}"' for name, dtype in columns if dtype not in FLOAT_TYPES]
    floats = [f'"{name}"' for name, dtype in columns if dtype in FLOAT_TYPES]
    return con.sql(f"select {select} from {relation} order by {', '.join(exact + floats)}").fetchall()


def _same(a: object, b: object, dtype: str) -> bool:
    if dtype in FLOAT_TYPES and isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= RATE_TOLERANCE * max(1.0, abs(a))
    return a == b


def mart_differences(mart: str, columns: list[tuple[str, str]], duck: list[tuple], spark: list[tuple]) -> list[str]:
    """The first differing rows of two sorted row lists, each as mart, key (the row's leading columns), column and
    both values; empty when they are the same."""
    if len(duck) != len(spark):
        return [f"{mart}: {len(duck)} rows on DuckDB, {len(spark)} on Spark"]
    found = []
    for duck_row, spark_row in zip(duck, spark, strict=True):
        for (name, dtype), a, b in zip(columns, duck_row, spark_row, strict=True):
            if not _same(a, b, dtype):
                key = ", ".join(f"{column}={value!r}"
                                for (column, _), value in zip(columns[:KEY_COLUMNS], duck_row, strict=False))
                found.append(f"{mart} [{key}] column {name} ({dtype}): DuckDB {a!r}, Spark {b!r}")
                break
        if len(found) == SHOWN_DIFFERENCES:
            break
    return found


def compare_marts(duck_warehouse: Path, spark_marts: Path, marts: tuple[str, ...] = MARTS) -> list[str]:
    """Every difference between the DuckDB warehouse's marts and the Spark build's (first rows of each mart)."""
    con = duckdb.connect()
    con.sql("set TimeZone = 'UTC'")  # Spark's timestamps are UTC instants (profiles.yml)
    con.sql(f"attach '{duck_warehouse}' as duck (read_only)")
    differences = []
    for mart in marts:
        files = spark_marts / mart
        if not any(files.glob("*.parquet")):
            differences.append(f"{mart}: not built on Spark")
            continue
        spark = f"read_parquet('{files}/*.parquet')"
        columns = [(row[0], row[1]) for row in con.sql(f"describe duck.marts.{mart}").fetchall()]
        spark_columns = [row[0] for row in con.sql(f"describe select * from {spark}").fetchall()]
        if spark_columns != [name for name, _ in columns]:
            differences.append(f"{mart}: columns on DuckDB {[name for name, _ in columns]}, on Spark {spark_columns}")
            continue
        columns = [(name, dtype) for name, dtype in columns if name not in LINEAGE_COLUMNS]
        differences += mart_differences(mart, columns, _rows(con, f"duck.marts.{mart}", columns),
                                        _rows(con, spark, columns))
    return differences
