-- Every series in one shape, one row per filing or registration per list appearance:
-- the conformed table for BI (slice by series, tier, batch, period, province, filer).
with algorithm_filings as (
    select
        filing_row_id as row_id,
        series,
        'filing' as tier,
        list_id,
        batch_no,
        list_label,
        period_month,
        period_quarter,
        period_year,
        filing_number as registration_number,
        algorithm_name as name,
        entity as filer,
        province_code,
        province,
        is_first_appearance as is_new
    from {{ ref('fct_filings') }}
),

genai as (
    select
        registration_row_id as row_id,
        'genai' as series,
        tier,
        list_id,
        cast(null as integer) as batch_no,
        list_label,
        list_month as period_month,
        list_quarter as period_quarter,
        list_year as period_year,
        registration_number,
        service_name as name,
        filer,
        province_code,
        province,
        true as is_new
    from {{ ref('fct_registrations') }}
)

select * from algorithm_filings
union all
select * from genai
