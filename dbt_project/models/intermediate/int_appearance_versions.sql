-- Every appearance of a filing or registration in a list, across the series, marked where its
-- attributes change from its previous appearance. Algorithm filings are keyed by series and
-- number; gen-AI registrations by tier, service kind and serial.
with algorithm as (
    select * from (
        {{ mark_versions(ref('int_algorithm_filings'), 'series, filing_number',
                         ['algorithm_name', 'entity', 'role', 'algorithm_category', 'product', 'purpose', 'remark'],
                         'period_date, list_label, table_index, row_index') }}
    )
),

genai as (
    select * from (
        {{ mark_versions(ref('int_genai_registrations'), 'registration_key',
                         ['locality', 'service_name', 'filer', 'registration_number', 'registered_on_raw', 'scenario'],
                         'list_month, list_label, table_index, row_index') }}
    )
)

select
    filing_row_id as row_id,
    series,
    'filing' as tier,
    cast(null as varchar) as service_kind,
    series || ':' || filing_number as record_key,
    filing_number as number,
    algorithm_name as name,
    entity as filer,
    product,
    list_id,
    list_label,
    period_date as period_month,
    appearance_no,
    starts_version,
    version_no,
    changed_columns
from algorithm
union all by name
select
    registration_row_id as row_id,
    'genai' as series,
    tier,
    service_kind,
    registration_key as record_key,
    registration_number as number,
    service_name as name,
    filer,
    cast(null as varchar) as product,
    list_id,
    list_label,
    list_month as period_month,
    appearance_no,
    starts_version,
    version_no,
    changed_columns
from genai
