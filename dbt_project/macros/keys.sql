{#- A stable surrogate key from the given column expressions (no dbt_utils here). -#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws('|', {% for column in columns %}coalesce(cast({{ column }} as varchar), '∅'){% if not loop.last %}, {% endif %}{% endfor %}))
{%- endmacro %}

{#- Month, quarter and year keys of a date expression, named with a prefix. -#}
{% macro period_keys(date_expression, prefix) -%}
    cast(date_trunc('month', {{ date_expression }}) as date) as {{ prefix }}_month,
    strftime({{ date_expression }}, '%Y') || '-Q' || cast(quarter({{ date_expression }}) as varchar) as {{ prefix }}_quarter,
    cast(year({{ date_expression }}) as integer) as {{ prefix }}_year
{%- endmacro %}
