with source as (
    select * from {{ source('raw', 'algorithm_recommendation_filings') }}
),

renamed as (
    select
        {{ algorithm_filing_columns() }},
        cast(null as varchar) as role,
        algorithm_category
    from source
)

select * from renamed
