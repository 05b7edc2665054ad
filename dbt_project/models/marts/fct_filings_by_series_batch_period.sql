-- Counts by series x list (batch) x period: rows, new filing numbers, and running totals.
with filings as (
    select * from {{ ref('fct_filings') }}
),

per_list as (
    select
        series,
        list_id,
        batch_no,
        list_label,
        period_month,
        period_quarter,
        period_year,
        count(*) as filings,
        count(distinct filing_number) as distinct_filing_numbers,
        count(*) filter (where is_first_appearance) as new_filing_numbers
    from filings
    group by all
)

select
    *,
    cast(sum(filings) over series_so_far as bigint) as cumulative_filings,
    cast(sum(new_filing_numbers) over series_so_far as bigint) as cumulative_distinct_filing_numbers
from per_list
window series_so_far as (
    partition by series order by period_month, list_label
    rows between unbounded preceding and current row
)
