-- One row per cancelled filing number per cancellation (注销) notice, with the filing it
-- cancels where a list carries it.
with cancellations as (
    select * from {{ ref('int_cancellations') }}
),

regions as (
    select * from {{ ref('int_region_codes') }}
)

select
    cancellations.cancellation_row_id,
    cancellations.list_id,
    cancellations.notice_url,
    cancellations.notice_title,
    cancellations.cancelled_on,
    cancellations.cancelled_month,
    cancellations.cancelled_raw,
    cancellations.filing_number,
    cancellations.filing_number_raw,
    cancellations.serial,
    cancellations.algorithm_name,
    cancellations.entity,
    cancellations.entity_id as entity_key,
    cancellations.role,
    cancellations.role_raw,
    cancellations.role_note,
    cancellations.algorithm_category,
    cancellations.product,
    cancellations.purpose,
    cancellations.filed_series,
    cancellations.matched_series,
    cancellations.matched_first_list_label,
    cancellations.matched_list_appearances,
    cancellations.is_matched,
    cancellations.region_code as district_code,
    regions.province,
    regions.prefecture,
    regions.district,
    cancellations.attachment_url,
    cancellations.attachment_sha256,
    cancellations.table_index,
    cancellations.row_index,
    cancellations.page
from cancellations
left join regions using (region_code)
