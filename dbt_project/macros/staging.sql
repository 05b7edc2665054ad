{#- The columns every algorithm list shares (filings and cancellations), renamed for analysts. -#}
{% macro algorithm_filing_core(row_id='filing_row_id') -%}
        {{ row_keys(row_id) }},
        try_cast(nullif(serial_raw, '') as integer) as serial,
        serial_raw,
        algorithm_name,
        entity,
        nullif(product, '') as product,
        nullif(purpose, '') as purpose,
        filing_number,
        filing_number_raw,
        region_code,
        entity_id,
        algorithm_type,
        filing_year
{%- endmacro %}

{#- The columns both algorithm-filing lists share. -#}
{% macro algorithm_filing_columns() -%}
        {{ algorithm_filing_core() }},
        nullif(remark, '') as remark,
        {{ provenance_columns(with_page=false) }}
{%- endmacro %}

{#- Where a row came from: list file, its hash, notice, table, row (and PDF page). -#}
{% macro provenance_columns(with_page=true) -%}
        attachment_url,
        sha256 as attachment_sha256,
        notice_url,
        table_index,
        row_index{% if with_page %},
        page{% endif %}
{%- endmacro %}

{#- The surrogate keys of a source row and of its list. -#}
{% macro row_keys(row_key_name) -%}
        {{ surrogate_key(['attachment_url', 'table_index', 'row_index']) }} as {{ row_key_name }},
        {{ surrogate_key(['attachment_url']) }} as list_id
{%- endmacro %}
