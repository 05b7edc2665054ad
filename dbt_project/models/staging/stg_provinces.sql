with source as (
    select * from {{ source('raw', 'provinces') }}
),

renamed as (
    select
        code as province_code,
        name as province_name,
        short_name as province_short_name,
        pinyin as province_pinyin,
        name_en as province_name_en
    from source
)

select * from renamed
