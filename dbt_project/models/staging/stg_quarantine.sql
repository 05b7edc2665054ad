with source as (
    select * from {{ source('raw', 'quarantine') }}
),

renamed as (
    select
        {{ surrogate_key(['attachment_url', 'table_index', 'row_index']) }} as quarantined_row_id,
        {{ surrogate_key(['attachment_url']) }} as list_id,
        series,
        failed_checks,
        reason,
        record,
        attachment_url,
        sha256 as attachment_sha256,
        notice_url,
        table_index,
        row_index,
        page
    from source
)

select * from renamed
