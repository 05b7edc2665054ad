-- Gen-AI registrations by tier x list (batch) x registration month, new and cumulative.
-- "registrations" counts the rows of the list; "new" only a registration's first appearance
-- (by tier, service kind and serial: on-device services number from 1 in their own sequence),
-- so a summary list that re-lists a year adds rows but nothing new.
with appearances as (
    select * from {{ ref('int_genai_registrations') }}
),

versions as (
    select * from {{ ref('int_appearance_versions') }} where series = 'genai'
),

registrations as (
    select
        appearances.tier,
        appearances.list_id,
        appearances.list_label,
        appearances.list_month,
        {{ period_keys('appearances.registered_on', 'registered') }},
        appearances.is_supplementary,
        versions.appearance_no = 1 as is_first_appearance
    from appearances
    inner join versions on versions.row_id = appearances.registration_row_id
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
        count(*) filter (where is_first_appearance) as new_registrations,
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
