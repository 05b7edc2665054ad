-- One row per algorithm filing per list appearance, with its decoded number, its filer and
-- whether it is still valid.
with filings as (
    select * from {{ ref('int_algorithm_filings') }}
),

regions as (
    select * from {{ ref('int_region_codes') }}
),

types as (
    select * from {{ ref('algorithm_types') }}
),

status as (
    select * from {{ ref('int_filing_status') }}
)

select
    filings.filing_row_id,
    filings.list_id,
    filings.series,
    filings.batch_no,
    filings.list_label,
    filings.published_on,
    {{ period_keys('filings.period_date', 'period') }},
    filings.filing_number,
    filings.filing_number_raw,
    filings.serial,
    filings.algorithm_name,
    filings.entity,
    filings.role,
    filings.algorithm_category,
    filings.product,
    filings.purpose,
    filings.remark,
    filings.region_code,
    filings.region_code as district_code,
    regions.province_code,
    regions.province,
    regions.prefecture,
    regions.district,
    regions.resolved_level as district_resolved_level,
    filings.entity_id,
    filings.entity_id as entity_key,
    filings.algorithm_type,
    types.algorithm_type_label,
    case filings.series
        when 'deep_synthesis' then filings.algorithm_type = '01'
        else filings.algorithm_type in ('02', '03', '04', '05', '06')
             or (filings.algorithm_type = '01' and filings.algorithm_category = '生成合成类')
    end as algorithm_type_fits_series,
    filings.filing_year,
    filings.is_first_appearance,
    coalesce(status.status, 'active') as status,
    status.cancelled_on,
    status.cancellation_notice_url,
    status.cancellation_evidence,
    filings.attachment_url,
    filings.attachment_sha256,
    filings.notice_url,
    filings.table_index,
    filings.row_index
from filings
left join regions using (region_code)
left join types using (algorithm_type)
left join status using (filing_number)
