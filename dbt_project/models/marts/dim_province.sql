-- Provinces by GB/T 2260 code, with their names and the pinyin prefixes of gen-AI numbers.
select
    province_code,
    province_name,
    province_short_name,
    province_pinyin,
    province_name_en
from {{ ref('stg_provinces') }}
