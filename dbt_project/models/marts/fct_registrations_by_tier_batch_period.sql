-- Gen-AI registrations by tier x list (batch) x registration month, new and cumulative.
-- Every row of a list is new to the register (序号 continue from list to list); "new" here
-- counts the serials seen for the first time, so a re-listed row would not count twice.
with registrations as (
    select *,
        row_number() over (partition by tier, serial order by list_month, row_index) = 1 as is_first_listing
    from {{ ref('fct_registrations') }}
),

grouped as (
    select
        tier,
        list_id,
        list_label,
        list_month,
        registered_month,
        registered_quarter,
        registered_year,
        count(*) as registrations,
        count(*) filter (where is_first_listing) as new_registrations,
        count(*) filter (where is_supplementary) as supplementary_registrations
    from registrations
    group by all
)

select
    *,
    cast(sum(new_registrations) over (
        partition by tier order by list_month, registered_month
        rows between unbounded preceding and current row
    ) as bigint) as cumulative_registrations
from grouped
