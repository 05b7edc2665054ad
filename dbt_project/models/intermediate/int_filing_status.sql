-- Per filing number: cancelled or not, when, and on what evidence — a cancellation notice
-- and/or a 备注 of 已注销 in an algorithm list.
with by_notice as (
    select
        filing_number,
        min(cancelled_on) as notice_cancelled_on,
        arg_min(notice_url, [cast(cancelled_on as varchar), notice_url]) as cancellation_notice_url
    from {{ ref('int_cancellations') }}
    group by 1
),

by_remark as (
    select filing_number, min(period_date) as remark_seen_month
    from {{ ref('int_algorithm_filings') }}
    where remark like '%已注销%'
    group by 1
),

combined as (
    select
        coalesce(by_notice.filing_number, by_remark.filing_number) as filing_number,
        by_notice.notice_cancelled_on,
        by_notice.cancellation_notice_url,
        by_remark.remark_seen_month
    from by_notice
    full outer join by_remark on by_remark.filing_number = by_notice.filing_number
)

select
    filing_number,
    'cancelled' as status,
    -- a notice gives the date; a remark alone only the month of the list that says so
    coalesce(notice_cancelled_on, remark_seen_month) as cancelled_on,
    cancellation_notice_url,
    case
        when notice_cancelled_on is not null and remark_seen_month is not null then 'notice_and_remark'
        when notice_cancelled_on is not null then 'notice'
        else 'remark'
    end as cancellation_evidence
from combined
