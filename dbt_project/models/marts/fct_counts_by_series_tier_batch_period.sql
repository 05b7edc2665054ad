-- Counts by series x tier x list (batch) x period across every series, new and cumulative.
with rows_ as (
    select * from {{ ref('fct_registrations_all_series') }}
),

grouped as (
    select
        series,
        tier,
        list_id,
        batch_no,
        list_label,
        period_month,
        period_quarter,
        period_year,
        count(*) as registrations,
        count(*) filter (where is_new) as new_registrations
    from rows_
    group by all
)

select
    *,
    cast(sum(new_registrations) over (
        partition by series, tier order by period_month, list_label
        rows between unbounded preceding and current row
    ) as bigint) as cumulative_new_registrations
from grouped
