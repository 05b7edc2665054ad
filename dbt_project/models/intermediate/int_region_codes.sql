-- Every region code (digits 1-6 of a 网信算备 number) seen in any list, decoded through the
-- district dataset: the district where the code is current, else its prefecture or province
-- (a retired district keeps the names its prefix still has); unresolved codes stay null.
-- The province comes from the district dataset, else from the province table (which names
-- the two-digit codes); a code whose first digits name no province (40…) has none.
with codes as (
    select distinct region_code from {{ ref('stg_deep_synthesis_filings') }}
    union
    select distinct region_code from {{ ref('stg_algorithm_recommendation_filings') }}
    union
    select distinct region_code from {{ ref('stg_cancellations') }} where region_code is not null
),

districts as (
    select * from {{ ref('stg_districts') }}
),

provinces as (
    select * from {{ ref('stg_provinces') }}
)

select
    codes.region_code,
    case
        when district.district_code is not null then district.district_level
        when prefecture.district_code is not null then 'prefecture'
        when province.district_code is not null then 'province'
    end as resolved_level,
    provinces.province_code,
    coalesce(district.province, prefecture.province, province.province, provinces.province_name) as province,
    coalesce(district.prefecture, prefecture.prefecture) as prefecture,
    district.district,
    coalesce(district.dataset, prefecture.dataset, province.dataset) as district_dataset,
    coalesce(district.dataset_version, prefecture.dataset_version, province.dataset_version) as district_dataset_version
from codes
left join districts as district on district.district_code = codes.region_code
left join districts as prefecture on prefecture.district_code = left(codes.region_code, 4) || '00'
left join districts as province on province.district_code = left(codes.region_code, 2) || '0000'
left join provinces on provinces.province_code = left(codes.region_code, 2)
