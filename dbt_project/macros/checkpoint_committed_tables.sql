{#-
  After each mart, outside its transaction: write what is committed to the database file, so
  DuckDB can evict it. DuckDB checkpoints by itself only when no other transaction is open, and
  with two dbt threads there nearly always is one: committed marts then pile up in memory until
  a later model runs out of it (1M rows: "Out of Memory Error" in dim_filing at the 1 GB limit).
  FORCE waits for the checkpoint lock (DuckDB >= 1.4; older versions aborted open transactions).
-#}
{% macro checkpoint_committed_tables() %}
force checkpoint
{% endmacro %}
