with source as (
    select * from {{ source('raw', 'skipped_rows') }}
),

renamed as (
    select
        {{ row_keys('skipped_row_id') }},
        reason,
        cells,
        {{ provenance_columns() }}
    from source
)

select * from renamed
