-- Every series in one shape, one row per filing or registration per list appearance:
-- the conformed table for BI (slice by series, tier, batch, period, province, filer, status).
with algorithm_filings as (
    select
        filing_row_id as row_id,
        series,
        'filing' as tier,
        cast(null as varchar) as service_kind,
        list_id,
        batch_no,
        list_label,
        period_month,
        period_quarter,
        period_year,
        filing_number as registration_number,
        algorithm_name as name,
        entity as filer,
        entity_key,
        province_code,
        province,
        is_first_appearance as is_new,
        false as is_supplementary,
        status
    from {{ ref('fct_filings') }}
),

genai as (
    select
        appearances.registration_row_id as row_id,
        'genai' as series,
        appearances.tier,
        appearances.service_kind,
        appearances.list_id,
        cast(null as integer) as batch_no,
        appearances.list_label,
        {{ period_keys('appearances.list_month', 'period') }},
        appearances.registration_number,
        appearances.service_name as name,
        appearances.filer,
        registrations.entity_key,
        registrations.province_code,
        registrations.province,
        appearances.is_first_appearance as is_new,
        appearances.is_supplementary,
        'active' as status
    from {{ ref('fct_registration_appearances') }} as appearances
    inner join {{ ref('fct_registrations') }} as registrations using (registration_key)
)

select * from algorithm_filings
union all
select * from genai
