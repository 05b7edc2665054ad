with source as (
    select * from {{ source('raw', 'cancellations') }}
),

renamed as (
    select
        {{ algorithm_filing_core('cancellation_row_id') }},
        nullif(role_raw, '') as role_raw,
        role,
        nullif(role_note, '') as role_note,
        algorithm_category,
        filed_series,
        cancelled_raw,
        cancelled_month,
        {{ provenance_columns() }}
    from source
)

select * from renamed
