-- Every cancelled number per notice, with the notice's date and the listed filing it cancels.
-- A number is matched to its earliest listing, preferring the series its type digits name.
with cancellations as (
    select * from {{ ref('stg_cancellations') }}
),

lists as (
    select * from {{ ref('stg_lists') }}
),

notices as (
    select * from {{ ref('stg_notices') }}
),

listings as (
    select
        filing_number,
        series,
        min(period_date) as first_listed_month,
        arg_min(list_label, [cast(period_date as varchar), list_label]) as first_list_label,
        count(*) as list_appearances
    from {{ ref('int_algorithm_filings') }}
    group by all
),

matched as (
    select
        cancellations.cancellation_row_id,
        listings.series as matched_series,
        listings.first_list_label,
        listings.first_listed_month,
        listings.list_appearances
    from cancellations
    inner join listings using (filing_number)
    qualify row_number() over (
        partition by cancellations.cancellation_row_id
        order by (listings.series = cancellations.filed_series) desc, listings.first_listed_month
    ) = 1
)

select
    cancellations.*,
    notices.notice_title,
    coalesce(notices.published_on, lists.published_on, cancellations.cancelled_month) as cancelled_on,
    lists.list_label,
    matched.matched_series,
    matched.first_list_label as matched_first_list_label,
    matched.first_listed_month as matched_first_listed_month,
    coalesce(matched.list_appearances, 0) as matched_list_appearances,
    matched.matched_series is not null as is_matched
from cancellations
inner join lists using (list_id)
left join notices on notices.notice_url = cancellations.notice_url
left join matched using (cancellation_row_id)
