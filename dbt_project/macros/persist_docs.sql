{#-
  persist_docs for a DuckDB table in one statement: its comment and its columns' comments.
  dbt's own takes four queries a mart, two of them a DESCRIBE of the same table (dbt-core's
  macro and dbt-duckdb's alter_column_comment each look the columns up). Documented columns
  the table lacks are still named by dbt's warning (validate_doc_columns).
-#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
  {%- set statements = [] -%}
  {%- if for_relation and config.persist_relation_docs() and model.description -%}
    {%- do statements.append(alter_relation_comment(relation, model.description)) -%}
  {%- endif -%}
  {%- if for_columns and config.persist_column_docs() and model.columns -%}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute="name") | list -%}
    {%- set documented = validate_doc_columns(relation, model.columns, existing) -%}
    {%- for name, column in documented.items() -%}
      {%- set quoted = adapter.quote(name) if column['quote'] else name -%}
      {%- do statements.append("comment on column " ~ relation ~ "." ~ quoted ~ " is "
                               ~ duckdb_escape_comment(column['description']) ~ ";") -%}
    {%- endfor -%}
  {%- endif -%}
  {%- if statements -%}
    {%- do run_query(statements | join("\n")) -%}
  {%- endif -%}
{%- endmacro %}
