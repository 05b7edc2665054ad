-- One row per filing (or gen-AI registration) per distinct version of its listed attributes
-- (SCD2): the list it first appeared in with these attributes, the list that replaced them,
-- and what changed from the version before.
with appearances as (
    select * from {{ ref('int_appearance_versions') }}
),

versions as (
    select
        series,
        tier,
        service_kind,
        record_key,
        version_no,
        arg_min(number, appearance_no) as number,
        arg_min(name, appearance_no) as name,
        arg_min(filer, appearance_no) as filer,
        arg_min(product, appearance_no) as product,
        arg_min(list_id, appearance_no) as valid_from_list_id,
        arg_min(list_label, appearance_no) as valid_from_list_label,
        min(period_month) as valid_from_month,
        arg_max(list_label, appearance_no) as last_seen_list_label,
        count(*) as appearances,
        arg_min(changed_columns, appearance_no) as changed_columns
    from appearances
    group by all
)

select
    {{ surrogate_key(['record_key', 'version_no']) }} as filing_version_id,
    series,
    tier,
    service_kind,
    record_key as filing_key,
    number as filing_number,
    version_no,
    name,
    filer,
    product,
    valid_from_list_id,
    valid_from_list_label,
    valid_from_month,
    lead(valid_from_list_id) over by_record as valid_to_list_id,
    lead(valid_from_list_label) over by_record as valid_to_list_label,
    lead(valid_from_month) over by_record as valid_to_month,
    last_seen_list_label,
    appearances,
    changed_columns,
    lead(version_no) over by_record is null as is_current
from versions
window by_record as (partition by record_key order by version_no)
