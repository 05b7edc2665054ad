{#-
  After each mart, outside its transaction: write what is committed to the database file, so
  DuckDB can evict it. DuckDB checkpoints by itself only when no other transaction is open, and
  with two dbt threads there nearly always is one: committed marts then pile up in memory until
  a later model runs out of it (1M rows: "Out of Memory Error" in dim_filing at the 1 GB limit).
  Only once DuckDB holds a share of its memory limit (var checkpoint_memory_fraction, a quarter):
  below that a checkpoint frees nothing that is needed, and one after every mart cost
  0.6-0.8 s of an 8 s corpus build. 0 checkpoints after every mart.
  FORCE waits for the checkpoint lock (DuckDB >= 1.4; older versions aborted open transactions).
-#}
{% macro checkpoint_committed_tables() %}
  {%- if execute -%}
    {%- set crowded = run_query(
          "select coalesce(sum(memory_usage_bytes), 0)
                  >= parse_formatted_bytes(current_setting('memory_limit'))
                     * " ~ (var('checkpoint_memory_fraction', 0.25) | float) ~ "
           from duckdb_memory()").columns[0].values()[0] -%}
    {%- if crowded %}force checkpoint{% endif -%}
  {%- endif -%}
{% endmacro %}
