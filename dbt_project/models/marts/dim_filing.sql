-- One row per algorithm filing number per series: its latest listed attributes, the lists it
-- appears in, and whether it is still valid. The row a compliance check starts from.
with appearances as (
    select * from {{ ref('fct_filings') }}
)

select
    {{ surrogate_key(['series', 'filing_number']) }} as filing_id,
    series,
    filing_number,
    arg_max(filing_number_raw, period_month) as filing_number_raw,
    arg_max(algorithm_name, period_month) as algorithm_name,
    arg_max(entity, period_month) as entity,
    any_value(entity_key) as entity_key,
    arg_max(role, period_month) as role,
    arg_max(algorithm_category, period_month) as algorithm_category,
    arg_max(product, period_month) as product,
    any_value(district_code) as district_code,
    any_value(province) as province,
    any_value(prefecture) as prefecture,
    any_value(district) as district,
    any_value(algorithm_type) as algorithm_type,
    any_value(algorithm_type_label) as algorithm_type_label,
    any_value(filing_year) as filing_year,
    min(period_month) as first_listed_month,
    arg_min(list_label, period_month) as first_list_label,
    max(period_month) as last_listed_month,
    arg_max(list_label, period_month) as last_list_label,
    count(*) as list_appearances,
    string_agg(list_label, ', ' order by period_month, list_label) as list_labels,
    any_value(status) as status,
    any_value(cancelled_on) as cancelled_on,
    any_value(cancellation_notice_url) as cancellation_notice_url,
    any_value(cancellation_evidence) as cancellation_evidence
from appearances
group by series, filing_number
