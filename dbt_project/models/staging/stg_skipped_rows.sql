with source as (
    select * from {{ source('raw', 'skipped_rows') }}
),

renamed as (
    select
        {{ surrogate_key(['attachment_url', 'table_index', 'row_index']) }} as skipped_row_id,
        {{ surrogate_key(['attachment_url']) }} as list_id,
        reason,
        cells,
        attachment_url,
        sha256 as attachment_sha256,
        notice_url,
        table_index,
        row_index,
        page
    from source
)

select * from renamed
