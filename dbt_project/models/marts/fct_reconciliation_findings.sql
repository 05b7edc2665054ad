-- Every place where the lists do not add up on their own, named by its cause and traced to
-- its list and row: gaps and repeats in the gen-AI serials, unparseable numbers, inner header
-- rows, quarantined rows, stated figures that differ, cancelled numbers that no list carries,
-- and region codes the district dataset cannot resolve. is_known says whether a reviewer has
-- explained it (seeds/known_reconciliation_findings.csv).
with evidence as (
    select * from {{ ref('int_genai_serial_evidence') }}
),

serial_in_no_list as (
    select
        'serial_in_no_list' as cause, cast(null as varchar) as list_label, tier,
        'general' as service_kind, serial, cast(serial as varchar) as subject,
        cast(null as varchar) as attachment_url, cast(null as integer) as table_index,
        cast(null as integer) as row_index,
        tier || ' serial ' || serial || ' appears in no list' as detail
    from {{ ref('int_genai_serial_gaps') }}
),

-- a serial printed twice in one list, or with different numbers in different lists; an
-- annual list that re-lists the same registration is not a finding
repeated_serials as (
    select tier, service_kind, serial
    from evidence
    where serial is not null
    group by all
    having count(*) > count(distinct list_id)
        or count(distinct coalesce(registration_number, '')) > 1
),

serial_repeated as (
    select
        'serial_repeated' as cause, evidence.list_label, evidence.tier, evidence.service_kind,
        evidence.serial, evidence.serial || ' row ' || evidence.row_index as subject,
        evidence.attachment_url, evidence.table_index, evidence.row_index,
        evidence.tier || ' serial ' || evidence.serial || ' is printed '
            || count(*) over (partition by evidence.tier, evidence.service_kind, evidence.serial)
            || ' times with different numbers or twice in one list' as detail
    from evidence
    inner join repeated_serials using (tier, service_kind, serial)
),

unparseable_number as (
    select
        'registration_number_unparseable' as cause, list_label, tier, service_kind, serial,
        cast(serial as varchar) as subject, attachment_url, table_index, row_index,
        'number ' || coalesce('"' || registration_number || '"', '(empty)')
            || ' does not parse; tier from ' || tier_rule as detail
    from evidence
    where not coalesce(number_is_valid, false)
),

inner_header as (
    select
        'inner_header_row' as cause, lists.list_label, cast(null as varchar) as tier,
        cast(null as varchar) as service_kind, cast(null as integer) as serial,
        'row ' || skipped.row_index as subject,
        skipped.attachment_url, skipped.table_index, skipped.row_index,
        'a second header row inside the table (' || cast(skipped.cells as varchar) || '), not counted' as detail
    from {{ ref('stg_skipped_rows') }} as skipped
    inner join {{ ref('stg_lists') }} as lists using (list_id)
    where skipped.reason = 'inner_header_row'
),

quarantined as (
    select
        'row_quarantined' as cause, list_label, tier, service_kind, serial, 'row ' || row_index as subject,
        attachment_url, table_index, row_index,
        'row failed validation; counted from quarantine' as detail
    from evidence
    where row_status = 'quarantined'
),

stated_figure_differs as (
    select
        'stated_figure_differs' as cause, strftime(as_of, '%Y-%m-%d') as list_label, tier,
        cast(null as varchar) as service_kind, cast(null as integer) as serial, measure as subject,
        notice_url as attachment_url, cast(null as integer) as table_index, cast(null as integer) as row_index,
        'the notice states ' || measure || ' ' || stated_value || ' as of ' || strftime(as_of, '%Y-%m-%d')
            || '; the lists give ' || lists_value || ' (' || lists_rows || ' rows through the '
            || coalesce(strftime(closing_month, '%Y-%m'), '(none)') || ' list, ' || registered_in_period
            || ' registered in the period)' as detail
    from {{ ref('int_genai_reconciliation') }}
    where comparison = 'differs'
),

cancellation_unmatched as (
    select
        'cancellation_unmatched' as cause, list_label, cast(null as varchar) as tier,
        cast(null as varchar) as service_kind, cast(null as integer) as serial, filing_number as subject,
        attachment_url, table_index, row_index,
        'the notice of ' || strftime(cancelled_on, '%Y-%m-%d') || ' cancels ' || filing_number_raw
            || ' (' || algorithm_name || ', ' || entity || '), which no deep-synthesis or '
            || 'algorithm-recommendation list carries' as detail
    from {{ ref('int_cancellations') }}
    where not is_matched
),

district_unresolved as (
    select
        'district_unresolved' as cause, cast(null as varchar) as list_label, cast(null as varchar) as tier,
        cast(null as varchar) as service_kind, cast(null as integer) as serial, region_code as subject,
        cast(null as varchar) as attachment_url, cast(null as integer) as table_index,
        cast(null as integer) as row_index,
        'region code ' || region_code || ' is not a district in ' || coalesce(district_dataset, 'the district dataset')
            || coalesce(' ' || district_dataset_version, '')
            || case resolved_level
                   when 'prefecture' then '; resolved to its prefecture ' || prefecture
                   when 'province' then '; resolved to its province ' || province
                   else '; not even its province resolves'
               end as detail
    from {{ ref('int_region_codes') }}
    where resolved_level is distinct from 'district'
),

findings as (
    select * from serial_in_no_list
    union all by name select * from stated_figure_differs
    union all by name select * from serial_repeated
    union all by name select * from unparseable_number
    union all by name select * from inner_header
    union all by name select * from quarantined
    union all by name select * from cancellation_unmatched
    union all by name select * from district_unresolved
),

named as (
    select
        cause || ':' || coalesce(list_label, '*') || ':'
            || coalesce(tier || case when service_kind = 'on_device' then '/on_device' else '' end, '*')
            || ':' || coalesce(subject, '?') as base_key,
        *
    from findings
),

-- keys stay unique whatever the input: a second finding with the same key gets #2, #3, ...
keyed as (
    select
        base_key || case when n > 1 then '#' || n else '' end as finding_key,
        * exclude (n)
    from (
        select *, row_number() over (partition by base_key order by attachment_url, row_index, detail) as n
        from named
    )
)

select
    keyed.finding_key,
    keyed.cause,
    keyed.list_label,
    keyed.tier,
    keyed.service_kind,
    keyed.serial,
    keyed.detail,
    known.finding_key is not null as is_known,
    known.reviewed_note,
    keyed.attachment_url,
    keyed.table_index,
    keyed.row_index
from keyed
left join {{ ref('known_reconciliation_findings') }} as known using (finding_key)
