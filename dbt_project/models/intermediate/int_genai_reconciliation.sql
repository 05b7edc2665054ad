-- For every statistics notice, tier and measure: the stated figure beside what the lists
-- give, and how they compare before any reviewed finding is taken into account.
with stated as (
    select notice_url, as_of, period_label, period_start, 'national_filing' as tier,
           national_cumulative as stated_cumulative, national_new as stated_new
    from {{ ref('stg_genai_statistics') }}
    union all
    select notice_url, as_of, period_label, period_start, 'local_registration',
           local_cumulative, local_new
    from {{ ref('stg_genai_statistics') }}
),

coverage as (
    select * from {{ ref('int_genai_list_coverage') }}
),

evidence as (
    select * from {{ ref('int_genai_serial_evidence') }}
),

-- The last list that closes on or before a date: the as-of date, and the day before the period.
closing as (
    select
        tier,
        as_of,
        (select max(list_month) from coverage where covers_through <= stated.as_of) as closing_month,
        (select max(list_month) from coverage where covers_through < stated.period_start) as prior_month
    from stated
),

derived as (
    select
        stated.*,
        closing.closing_month,
        max(evidence.serial) filter (where evidence.list_month <= closing.closing_month) as lists_max_serial,
        count(distinct evidence.serial) filter (where evidence.list_month <= closing.closing_month) as lists_distinct_serials,
        count(evidence.row_id) filter (where evidence.list_month <= closing.closing_month) as lists_rows,
        count(evidence.row_id) filter (where evidence.list_month <= closing.prior_month) as lists_rows_before_period,
        count(evidence.row_id) filter (where evidence.registered_on between stated.period_start and stated.as_of) as registered_in_period,
        count(evidence.row_id) filter (where evidence.list_month <= closing.closing_month and evidence.tier_rule = 'serial_sequence') as rows_tier_by_serial
    from stated
    inner join closing using (tier, as_of)
    left join evidence on evidence.tier = stated.tier
    group by all
),

with_gaps as (
    select
        derived.*,
        count(gaps.serial) filter (where gaps.serial <= derived.stated_cumulative) as missing_up_to_stated,
        count(gaps.serial) filter (where gaps.serial > derived.lists_max_serial
                                     and gaps.serial <= derived.stated_cumulative) as missing_above_lists,
        string_agg(cast(gaps.serial as varchar), ', ' order by gaps.serial)
            filter (where gaps.serial <= derived.stated_cumulative) as missing_serials
    from derived
    left join {{ ref('int_genai_serial_gaps') }} as gaps on gaps.tier = derived.tier
    group by all
),

cumulative as (
    select
        notice_url, as_of, period_label, tier, 'cumulative' as measure,
        stated_cumulative as stated_value,
        lists_max_serial as lists_value,
        lists_max_serial, lists_distinct_serials, lists_rows, registered_in_period,
        closing_month, rows_tier_by_serial, missing_serials,
        case
            when stated_cumulative is null then 'not_stated'
            when stated_cumulative = lists_max_serial and stated_cumulative = lists_rows
                 and lists_rows = lists_distinct_serials then 'match'
            when stated_cumulative = lists_max_serial + missing_above_lists
                 and stated_cumulative = lists_distinct_serials + missing_up_to_stated
                 and lists_rows = lists_distinct_serials then 'serials_in_no_list'
            else 'differs'
        end as comparison
    from with_gaps
),

new as (
    select
        notice_url, as_of, period_label, tier, 'new' as measure,
        stated_new as stated_value,
        lists_rows - lists_rows_before_period as lists_value,
        lists_max_serial, lists_distinct_serials, lists_rows, registered_in_period,
        closing_month, rows_tier_by_serial, cast(null as varchar) as missing_serials,
        case
            when stated_new is null then 'not_stated'
            when stated_new = lists_rows - lists_rows_before_period then 'match'
            when stated_new = registered_in_period then 'registration_dates'
            else 'differs'
        end as comparison
    from derived
)

select * from cumulative
union all
select * from new
