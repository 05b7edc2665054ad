with source as (
    select * from {{ source('raw', 'cancellations') }}
),

renamed as (
    select
        {{ row_keys('cancellation_row_id') }},
        try_cast(nullif(serial_raw, '') as integer) as serial,
        serial_raw,
        algorithm_name,
        nullif(role_raw, '') as role_raw,
        role,
        nullif(role_note, '') as role_note,
        algorithm_category,
        entity,
        nullif(product, '') as product,
        nullif(purpose, '') as purpose,
        filing_number,
        filing_number_raw,
        region_code,
        entity_id,
        algorithm_type,
        filing_year,
        filed_series,
        cancelled_raw,
        cancelled_month,
        {{ provenance_columns() }}
    from source
)

select * from renamed
