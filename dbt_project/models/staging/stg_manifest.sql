with source as (
    select * from {{ source('raw', 'manifest') }}
),

renamed as (
    select
        url,
        sha256,
        bytes,
        file_type,
        http_status,
        first_fetched_at,
        last_fetched_at,
        fetched_from
    from source
)

select * from renamed
