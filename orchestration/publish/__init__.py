"""What BI tools and browsers read: a DuckDB 1.x-readable copy of the warehouse (compat),
Parquet/CSV exports of the marts described by a Frictionless Data Package (exports), and the
HTML report (report). Import the module you need: pyarrow and plotly load only with theirs."""
