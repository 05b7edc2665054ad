-- Every place where the gen-AI lists do not add up on their own, named by its cause and
-- traced to its list and row. is_known says whether a reviewer has explained it.
with evidence as (
    select * from {{ ref('int_genai_serial_evidence') }}
),

serial_in_no_list as (
    select
        'serial_in_no_list' as cause, cast(null as varchar) as list_label, tier, serial,
        cast(null as varchar) as attachment_url, cast(null as integer) as table_index,
        cast(null as integer) as row_index,
        tier || ' serial ' || serial || ' appears in no list' as detail
    from {{ ref('int_genai_serial_gaps') }}
),

serial_repeated as (
    select
        'serial_repeated', list_label, tier, serial, attachment_url, table_index, row_index,
        tier || ' serial ' || serial || ' is printed ' || count(*) over (partition by tier, serial) || ' times'
    from evidence
    where serial is not null
    qualify count(*) over (partition by tier, serial) > 1
),

unparseable_number as (
    select
        'registration_number_unparseable', list_label, tier, serial, attachment_url, table_index,
        row_index,
        'number ' || coalesce('"' || registration_number || '"', '(empty)')
            || ' does not parse; tier from ' || tier_rule
    from evidence
    where not coalesce(number_is_valid, false)
),

inner_header as (
    select
        'inner_header_row', lists.list_label, cast(null as varchar), cast(null as integer),
        skipped.attachment_url, skipped.table_index, skipped.row_index,
        'a second header row inside the table (' || cast(skipped.cells as varchar) || '), not counted'
    from {{ ref('stg_skipped_rows') }} as skipped
    inner join {{ ref('stg_lists') }} as lists using (list_id)
    where skipped.reason = 'inner_header_row'
),

quarantined as (
    select
        'row_quarantined', list_label, tier, serial, attachment_url, table_index, row_index,
        'row failed validation; counted from quarantine'
    from evidence
    where row_status = 'quarantined'
),

stated_figure_differs as (
    select
        'stated_figure_differs', strftime(as_of, '%Y-%m-%d'), tier, cast(null as integer),
        notice_url, cast(null as integer), cast(null as integer),
        'the notice states ' || measure || ' ' || stated_value || ' as of ' || strftime(as_of, '%Y-%m-%d')
            || '; the lists give ' || lists_value || ' (' || lists_rows || ' rows through the '
            || strftime(closing_month, '%Y-%m') || ' list, ' || registered_in_period
            || ' registered in the period)'
    from {{ ref('int_genai_reconciliation') }}
    where comparison = 'differs'
),

findings as (
    select * from serial_in_no_list
    union all select * from stated_figure_differs
    union all select * from serial_repeated
    union all select * from unparseable_number
    union all select * from inner_header
    union all select * from quarantined
),

keyed as (
    select
        cause || ':' || coalesce(list_label, '*') || ':' || coalesce(tier, '*') || ':'
            || coalesce(cast(serial as varchar), 'row ' || cast(row_index as varchar),
                        regexp_extract(detail, 'states (\w+)', 1)) as finding_key,
        *
    from findings
)

select
    keyed.finding_key,
    keyed.cause,
    keyed.list_label,
    keyed.tier,
    keyed.serial,
    keyed.detail,
    known.finding_key is not null as is_known,
    known.reviewed_note,
    keyed.attachment_url,
    keyed.table_index,
    keyed.row_index
from keyed
left join {{ ref('known_reconciliation_findings') }} as known using (finding_key)
