-- Per series (and gen-AI tier) and month: filings that appeared for the first time, filings
-- cancelled, and the cumulative filed, cancelled and still active.
with filings as (
    select
        series,
        'filing' as tier,
        first_listed_month as filed_month,
        case when status = 'cancelled' then cast(date_trunc('month', cancelled_on) as date) end as cancelled_month
    from {{ ref('dim_filing') }}
    union all
    select 'genai', tier, first_list_month, cast(null as date)
    from {{ ref('fct_registrations') }}
),

months as (
    select period_month, period_label, period_quarter, period_year from {{ ref('dim_period') }}
),

spine as (
    select * from (select distinct series, tier from filings) cross join months
),

filed as (
    select series, tier, filed_month as period_month, count(*) as filed
    from filings group by all
),

cancelled as (
    select series, tier, cancelled_month as period_month, count(*) as cancelled
    from filings where cancelled_month is not null group by all
),

monthly as (
    select
        spine.*,
        coalesce(filed.filed, 0) as filed,
        coalesce(cancelled.cancelled, 0) as cancelled
    from spine
    left join filed using (series, tier, period_month)
    left join cancelled using (series, tier, period_month)
)

select
    {{ surrogate_key(['series', 'tier', 'period_month']) }} as series_period_id,
    series,
    tier,
    period_month,
    period_label,
    period_quarter,
    period_year,
    cast(filed as bigint) as filed,
    cast(cancelled as bigint) as cancelled,
    cast(sum(filed) over so_far as bigint) as cumulative_filed,
    cast(sum(cancelled) over so_far as bigint) as cumulative_cancelled,
    cast(sum(filed - cancelled) over so_far as bigint) as active
from monthly
window so_far as (partition by series, tier order by period_month rows between unbounded preceding and current row)
