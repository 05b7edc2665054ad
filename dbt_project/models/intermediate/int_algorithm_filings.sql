-- Both algorithm-filing series in one shape, with their list's batch and dates,
-- and whether this is the number's first appearance in its series.
with deep_synthesis as (
    select *, 'deep_synthesis' as series from {{ ref('stg_deep_synthesis_filings') }}
),

algorithm_recommendation as (
    select *, 'algorithm_recommendation' as series from {{ ref('stg_algorithm_recommendation_filings') }}
),

filings as (
    select * from deep_synthesis
    union all by name
    select * from algorithm_recommendation
),

lists as (
    select * from {{ ref('stg_lists') }}
),

joined as (
    select
        filings.*,
        lists.batch_no,
        lists.list_label,
        lists.list_month,
        lists.published_on,
        -- The period a list counts in: its publication month where known, else its label's month.
        coalesce(cast(date_trunc('month', lists.published_on) as date), lists.list_month) as period_date
    from filings
    inner join lists using (list_id)
)

select
    *,
    row_number() over (
        partition by series, filing_number
        order by period_date, list_label, table_index, row_index
    ) = 1 as is_first_appearance
from joined
