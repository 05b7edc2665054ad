-- One row per published list: deep-synthesis batches and algorithm-recommendation updates.
with lists as (
    select * from {{ ref('stg_lists') }}
),

notices as (
    select * from {{ ref('stg_notices') }}
)

select
    lists.list_id,
    lists.series,
    lists.batch_no,
    lists.list_label,
    lists.list_month,
    lists.published_on,
    {{ period_keys('coalesce(cast(date_trunc(\'month\', lists.published_on) as date), lists.list_month)', 'period') }},
    lists.list_title,
    notices.notice_title,
    lists.notice_url,
    lists.attachment_url,
    lists.attachment_sha256,
    lists.file_type,
    lists.rows_extracted,
    lists.rows_accepted,
    lists.rows_quarantined,
    lists.loaded_at,
    lists.last_error
from lists
left join notices using (notice_url)
