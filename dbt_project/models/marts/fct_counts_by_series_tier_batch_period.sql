-- Counts by series x tier x list (batch) x period across every series, new and cumulative:
-- the one home of per-list counts (by registration month: fct_registration_appearances).
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
        count(distinct registration_number) as distinct_registration_numbers,
        count(*) filter (where is_new) as new_registrations,
        count(*) filter (where is_supplementary) as supplementary_registrations
    from rows_
    group by all
)

select
    *,
    cast(sum(registrations) over so_far as bigint) as cumulative_registrations,
    cast(sum(new_registrations) over so_far as bigint) as cumulative_new_registrations
from grouped
window so_far as (
    partition by series, tier order by period_month, list_label
    rows between unbounded preceding and current row
)
