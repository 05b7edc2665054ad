{#- Every appearance of a record in a list, marked where its attributes change from its
    previous appearance: the basis of the SCD2 versions and of the per-list changes.
    Adds appearance_no, changed_columns (the attributes that differ from the previous
    appearance), starts_version (the first appearance, or one that changed) and version_no. -#}
{% macro mark_versions(relation, record_key, attributes, order_by) -%}
    with lagged as (
        select
            *,
            {% for column in attributes -%}
            lag({{ column }}) over by_record as previous_{{ column }},
            {% endfor -%}
            row_number() over by_record as appearance_no
        from {{ relation }}
        window by_record as (partition by {{ record_key }} order by {{ order_by }})
    ),

    marked as (
        select
            * exclude ({% for column in attributes %}previous_{{ column }}{{ ", " if not loop.last }}{% endfor %}),
            case when appearance_no > 1 then nullif(concat_ws(', ', {% for column in attributes %}
                case when {{ column }} is distinct from previous_{{ column }}
                     then '{{ column }}' end{{ ", " if not loop.last }}{% endfor %}), '') end as changed_columns
        from lagged
    ),

    started as (
        select *, appearance_no = 1 or changed_columns is not null as starts_version
        from marked
    )

    select
        *,
        sum(case when starts_version then 1 else 0 end) over (
            partition by {{ record_key }} order by {{ order_by }}
            rows between unbounded preceding and current row
        ) as version_no
    from started
{%- endmacro %}

{#- The key filer names are compared by: brackets and white space folded, and the company-form
    variants 有限责任公司 / 股份有限公司 compared as 有限公司. Names are never rewritten. -#}
{% macro entity_name_key(name) -%}
    replace(replace(
        regexp_replace(replace(replace(lower({{ name }}), '(', '（'), ')', '）'), '\s+', '', 'g'),
        '有限责任公司', '有限公司'), '股份有限公司', '有限公司')
{%- endmacro %}
