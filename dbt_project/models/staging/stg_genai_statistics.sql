with source as (
    select * from {{ source('raw', 'genai_statistics') }}
),

renamed as (
    select
        notice_url,
        notice_title,
        published_on,
        page_sha256,
        as_of,
        period_label,
        -- The period a notice's 新增 figures cover: from 2026年3月至4月 or 2024年 to the as-of date.
        make_date(
            cast(regexp_extract(period_label, '(\d{4})\s*年', 1) as integer),
            coalesce(try_cast(nullif(regexp_extract(period_label, '年\s*(\d{1,2})\s*月', 1), '') as integer), 1),
            1
        ) as period_start,
        national_cumulative,
        local_cumulative,
        national_new,
        local_new
    from source
)

select * from renamed
