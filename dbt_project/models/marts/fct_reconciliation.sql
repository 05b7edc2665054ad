-- The statistics notices against the lists: for every notice, tier and measure, the stated
-- figure beside what the lists give, and whether any difference has a reviewed, named cause.
with comparisons as (
    select * from {{ ref('int_genai_reconciliation') }}
),

findings as (
    select * from {{ ref('fct_reconciliation_findings') }}
),

gap_findings as (
    select
        comparisons.as_of, comparisons.tier, comparisons.measure,
        bool_and(findings.is_known) as all_known
    from comparisons
    inner join findings
        on findings.cause = 'serial_in_no_list' and findings.tier = comparisons.tier
       and findings.serial <= comparisons.stated_value - comparisons.on_device_rows
    where comparisons.comparison = 'serials_in_no_list'
    group by all
),

figure_findings as (
    select
        comparisons.as_of, comparisons.tier, comparisons.measure,
        findings.is_known, findings.reviewed_note
    from comparisons
    inner join findings
        on findings.cause = 'stated_figure_differs' and findings.tier = comparisons.tier
       and findings.list_label = strftime(comparisons.as_of, '%Y-%m-%d')
       and findings.finding_key like '%:' || comparisons.measure
    where comparisons.comparison = 'differs'
)

select
    {{ surrogate_key(['comparisons.as_of', 'comparisons.tier', 'comparisons.measure']) }} as reconciliation_id,
    comparisons.notice_url,
    comparisons.as_of,
    comparisons.period_label,
    comparisons.tier,
    comparisons.measure,
    comparisons.stated_value,
    comparisons.lists_value,
    comparisons.stated_value - comparisons.lists_value as difference,
    comparisons.lists_max_serial,
    comparisons.lists_distinct_serials,
    comparisons.on_device_rows,
    comparisons.lists_rows,
    comparisons.registered_in_period,
    strftime(comparisons.closing_month, '%Y-%m') as closing_list,
    comparisons.comparison,
    case
        when comparisons.comparison in ('match', 'not_stated') then comparisons.comparison
        when comparisons.comparison = 'registration_dates' then 'explained'
        when comparisons.comparison = 'serials_in_no_list' and gap_findings.all_known then 'explained'
        when comparisons.comparison = 'differs' and figure_findings.is_known then 'explained'
        else 'unexplained'
    end as status,
    concat_ws('; ',
        case when comparisons.missing_serials is not null
             then 'serial ' || comparisons.missing_serials || ' in no list' end,
        case when comparisons.rows_tier_by_serial > 0 and comparisons.measure = 'cumulative'
             then comparisons.rows_tier_by_serial || ' row(s) whose number does not parse, tier from serial' end,
        case when comparisons.comparison = 'registration_dates'
             then 'no list closes the day before the period; the stated figure matches the rows registered in it' end,
        figure_findings.reviewed_note
    ) as causes
from comparisons
left join gap_findings using (as_of, tier, measure)
left join figure_findings using (as_of, tier, measure)
