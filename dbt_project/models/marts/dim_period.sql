-- A month spine covering every list, with quarter and year keys for roll-ups.
with bounds as (
    select min(list_month) as first_month, max(coalesce(published_on, list_month)) as last_day
    from {{ ref('stg_lists') }}
),

months as (
    select cast(unnest(generate_series(
        cast(date_trunc('year', first_month) as date),
        cast(date_trunc('month', last_day) as date),
        interval 1 month)) as date) as month_start
    from bounds
)

select
    month_start as period_month,
    strftime(month_start, '%Y-%m') as period_label,
    strftime(month_start, '%Y') || '-Q' || cast(quarter(month_start) as varchar) as period_quarter,
    cast(year(month_start) as integer) as period_year,
    cast(month(month_start) as integer) as month_of_year
from months
