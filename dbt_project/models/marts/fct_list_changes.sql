-- Per list: the filings it brings that are new, changed (and in which columns), re-listed
-- unchanged, and the filings of its series cancelled since the series' previous list (for
-- the latest list: since the previous list, up to now).
with appearances as (
    select * from {{ ref('int_appearance_versions') }}
),

lists as (
    select
        list_id, series, list_label, list_month,
        coalesce(published_on, list_month) as list_date,
        lag(coalesce(published_on, list_month)) over by_series as previous_list_date,
        lead(coalesce(published_on, list_month)) over by_series is null as is_latest
    from {{ ref('stg_lists') }}
    where series != 'cancellation' and last_error is null
    window by_series as (partition by series order by coalesce(published_on, list_month), list_label)
),

listed as (
    select
        appearances.list_id,
        appearances.series,
        appearances.tier,
        appearances.service_kind,
        appearances.record_key as filing_key,
        appearances.number as filing_number,
        appearances.name,
        appearances.filer,
        case
            when appearances.appearance_no = 1 then 'new'
            when appearances.starts_version then 'changed'
            else 'relisted_unchanged'
        end as change_type,
        appearances.changed_columns,
        cast(null as date) as cancelled_on,
        cast(null as varchar) as cancellation_notice_url,
        appearances.row_id as source_row_id
    from appearances
),

cancelled as (
    select
        lists.list_id,
        lists.series,
        'filing',
        cast(null as varchar),
        cancellations.matched_series || ':' || cancellations.filing_number,
        cancellations.filing_number,
        cancellations.algorithm_name,
        cancellations.entity,
        'cancelled',
        cast(null as varchar),
        cancellations.cancelled_on,
        cancellations.notice_url,
        cancellations.cancellation_row_id
    from {{ ref('int_cancellations') }} as cancellations
    inner join lists
        on lists.series = cancellations.matched_series
       and cancellations.cancelled_on > coalesce(lists.previous_list_date, date '1900-01-01')
       and (cancellations.cancelled_on <= lists.list_date or lists.is_latest)
),

changes as (
    select * from listed
    union all
    select * from cancelled
)

select
    {{ surrogate_key(['changes.list_id', 'changes.change_type', 'changes.source_row_id']) }} as list_change_id,
    changes.list_id,
    changes.series,
    lists.list_label,
    changes.tier,
    changes.service_kind,
    changes.change_type,
    changes.filing_key,
    changes.filing_number,
    changes.name,
    changes.filer,
    changes.changed_columns,
    changes.cancelled_on,
    changes.cancellation_notice_url,
    changes.source_row_id
from changes
inner join lists using (list_id)
