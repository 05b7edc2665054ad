-- For every statistics notice and tier: the stated figures, the list that closes the as-of
-- date and the one that closes the day before the period, and the on-device services listed
-- by then. On-device services are national filings with a sequence of their own, so the
-- stated national total is the main serials plus them.
with statistics as (
    select * from {{ ref('stg_genai_statistics') }}
),

stated as (
    select notice_url, as_of, period_label, period_start, 'national_filing' as tier,
           national_cumulative as stated_cumulative, national_new as stated_new
    from statistics
    union all by name
    select notice_url, as_of, period_label, period_start, 'local_registration' as tier,
           local_cumulative as stated_cumulative, local_new as stated_new
    from statistics
),

coverage as (
    select * from {{ ref('int_genai_list_coverage') }}
),

closing as (
    select
        stated.*,
        (select max(list_month) from coverage where covers_through <= stated.as_of) as closing_month,
        (select max(list_month) from coverage where covers_through < stated.period_start) as prior_month
    from stated
),

on_device as (
    select
        closing.notice_url,
        closing.tier,
        count(distinct evidence.serial) filter (where evidence.list_month <= closing.closing_month) as on_device_rows
    from closing
    inner join {{ ref('int_genai_serial_evidence') }} as evidence
        on evidence.tier = closing.tier and evidence.service_kind = 'on_device'
    group by all
)

select
    closing.*,
    coalesce(on_device.on_device_rows, 0) as on_device_rows,
    closing.stated_cumulative - coalesce(on_device.on_device_rows, 0) as stated_general_cumulative
from closing
left join on_device using (notice_url, tier)
