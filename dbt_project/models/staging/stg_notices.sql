with source as (
    select * from {{ source('raw', 'notices') }}
),

renamed as (
    select
        notice_url,
        title as notice_title,
        published_on,
        series,
        batch_no,
        page_sha256,
        attachment_count,
        body_text
    from source
)

select * from renamed
