with source as (
    select * from {{ source('raw', 'lists') }}
),

renamed as (
    select
        {{ surrogate_key(['attachment_url']) }} as list_id,
        attachment_url,
        notice_url,
        series,
        batch_no,
        list_label,
        cast(strptime(list_label || '-01', '%Y-%m-%d') as date) as list_month,
        published_on,
        link_text as list_title,
        sha256 as attachment_sha256,
        file_type,
        parser_version,
        rows_extracted,
        rows_accepted,
        rows_quarantined,
        loaded_at,
        last_error
    from source
)

select * from renamed
