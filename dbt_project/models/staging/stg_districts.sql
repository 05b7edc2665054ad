with source as (
    select * from {{ source('raw', 'districts') }}
),

renamed as (
    select
        district_code,
        province_code,
        province,
        prefecture_code,
        prefecture,
        district,
        level as district_level,
        dataset,
        dataset_version
    from source
)

select * from renamed
