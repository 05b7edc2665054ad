-- For every statistics notice, tier and measure: the stated figure beside what the lists
-- give, and how they compare before any reviewed finding is taken into account. Rows are
-- counted once per serial (an annual list that re-lists a year does not count twice).
with basis as (
    select * from {{ ref('int_genai_reconciliation_basis') }}
),

evidence as (
    select
        *,
        service_kind || ':' || coalesce(cast(serial as varchar), 'row ' || row_id) as serial_key
    from {{ ref('int_genai_serial_evidence') }}
),

derived as (
    select
        basis.*,
        max(evidence.serial) filter (where evidence.service_kind = 'general'
                                       and evidence.list_month <= basis.closing_month) as lists_max_serial,
        count(distinct evidence.serial) filter (where evidence.service_kind = 'general'
                                                  and evidence.list_month <= basis.closing_month) as lists_distinct_serials,
        count(distinct evidence.serial_key) filter (where evidence.list_month <= basis.closing_month) as lists_rows,
        count(distinct evidence.serial_key) filter (where evidence.list_month <= basis.prior_month) as lists_rows_before_period,
        count(distinct evidence.serial_key) filter (where evidence.registered_on between basis.period_start and basis.as_of) as registered_in_period,
        count(evidence.row_id) filter (where evidence.list_month <= basis.closing_month
                                         and evidence.tier_rule = 'serial_sequence') as rows_tier_by_serial
    from basis
    left join evidence on evidence.tier = basis.tier
    group by all
),

with_gaps as (
    select
        derived.*,
        count(gaps.serial) filter (where gaps.serial <= derived.stated_general_cumulative) as missing_up_to_stated,
        count(gaps.serial) filter (where gaps.serial > derived.lists_max_serial
                                     and gaps.serial <= derived.stated_general_cumulative) as missing_above_lists,
        string_agg(cast(gaps.serial as varchar), ', ' order by gaps.serial)
            filter (where gaps.serial <= derived.stated_general_cumulative) as missing_serials
    from derived
    left join {{ ref('int_genai_serial_gaps') }} as gaps on gaps.tier = derived.tier
    group by all
),

cumulative as (
    select
        notice_url, as_of, period_label, tier, 'cumulative' as measure,
        stated_cumulative as stated_value,
        lists_max_serial + on_device_rows as lists_value,
        lists_max_serial, lists_distinct_serials, on_device_rows, lists_rows, registered_in_period,
        closing_month, rows_tier_by_serial, missing_serials,
        case
            when stated_cumulative is null then 'not_stated'
            when stated_general_cumulative = lists_max_serial
                 and lists_max_serial = lists_distinct_serials
                 and lists_rows = lists_distinct_serials + on_device_rows then 'match'
            when stated_general_cumulative = lists_max_serial + missing_above_lists
                 and stated_general_cumulative = lists_distinct_serials + missing_up_to_stated
                 and lists_rows = lists_distinct_serials + on_device_rows then 'serials_in_no_list'
            else 'differs'
        end as comparison
    from with_gaps
),

new as (
    select
        notice_url, as_of, period_label, tier, 'new' as measure,
        stated_new as stated_value,
        lists_rows - lists_rows_before_period as lists_value,
        lists_max_serial, lists_distinct_serials, on_device_rows, lists_rows, registered_in_period,
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
