with source as (
    select * from {{ source('raw', 'deep_synthesis_filings') }}
),

renamed as (
    select
        {{ surrogate_key(['attachment_url', 'table_index', 'row_index']) }} as filing_row_id,
        {{ surrogate_key(['attachment_url']) }} as list_id,
        try_cast(nullif(serial_raw, '') as integer) as serial,
        serial_raw,
        algorithm_name,
        entity,
        nullif(product, '') as product,
        nullif(purpose, '') as purpose,
        filing_number,
        filing_number_raw,
        region_code,
        entity_id,
        algorithm_type,
        filing_year,
        nullif(remark, '') as remark,
        attachment_url,
        sha256 as attachment_sha256,
        notice_url,
        table_index,
        row_index,
        role,
        cast(null as varchar) as algorithm_category
    from source
)

select * from renamed
