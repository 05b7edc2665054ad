"""Pure parsing functions: no Dagster, no DuckDB. Bytes or text in, records out."""
