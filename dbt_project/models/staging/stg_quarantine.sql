with source as (
    select * from {{ source('raw', 'quarantine') }}
),

renamed as (
    select
        {{ row_keys('quarantined_row_id') }},
        series,
        failed_checks,
        reason,
        record,
        {{ provenance_columns() }}
    from source
)

select * from renamed
