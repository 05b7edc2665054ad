-- One row per algorithm filing per list appearance.
with filings as (
    select * from {{ ref('int_algorithm_filings') }}
),

provinces as (
    select * from {{ ref('stg_provinces') }}
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
    provinces.province_code,
    provinces.province_name as province,
    filings.entity_id,
    filings.algorithm_type,
    filings.filing_year,
    filings.is_first_appearance,
    filings.attachment_url,
    filings.attachment_sha256,
    filings.notice_url,
    filings.table_index,
    filings.row_index
from filings
left join provinces
    on provinces.province_code = left(filings.region_code, 2)
