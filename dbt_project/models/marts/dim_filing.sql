-- One row per algorithm filing number per series: its latest listed attributes, the lists it
-- appears in, and whether it is still valid. The row a compliance check starts from.
with appearances as (
    select
        *,
        -- a total order of a number's appearances, so "latest" never depends on a tie
        [strftime(period_month, '%Y-%m'), list_label, lpad(cast(row_index as varchar), 8, '0')] as appearance_order
    from {{ ref('fct_filings') }}
)

select
    {{ surrogate_key(['series', 'filing_number']) }} as filing_id,
    series,
    filing_number,
    arg_max(filing_number_raw, appearance_order) as filing_number_raw,
    arg_max(algorithm_name, appearance_order) as algorithm_name,
    arg_max(entity, appearance_order) as entity,
    any_value(entity_key) as entity_key,
    arg_max(role, appearance_order) as role,
    arg_max(algorithm_category, appearance_order) as algorithm_category,
    arg_max(product, appearance_order) as product,
    any_value(district_code) as district_code,
    any_value(province) as province,
    any_value(prefecture) as prefecture,
    any_value(district) as district,
    any_value(algorithm_type) as algorithm_type,
    any_value(algorithm_type_label) as algorithm_type_label,
    any_value(filing_year) as filing_year,
    min(period_month) as first_listed_month,
    arg_min(list_label, appearance_order) as first_list_label,
    max(period_month) as last_listed_month,
    arg_max(list_label, appearance_order) as last_list_label,
    count(*) as list_appearances,
    string_agg(list_label, ', ' order by appearance_order) as list_labels,
    any_value(status) as status,
    any_value(cancelled_on) as cancelled_on,
    any_value(cancellation_notice_url) as cancellation_notice_url,
    any_value(cancellation_evidence) as cancellation_evidence
from appearances
group by series, filing_number
