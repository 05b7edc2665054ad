with source as (
    select * from {{ source('raw', 'deep_synthesis_filings') }}
),

renamed as (
    select
        {{ algorithm_filing_columns() }},
        role,
        cast(null as varchar) as algorithm_category
    from source
)

select * from renamed
