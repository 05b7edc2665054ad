-- Gen-AI rows with their list, the registration they belong to and whether a central SOE filed.
with registrations as (
    select * from {{ ref('stg_genai_registrations') }}
),

lists as (
    select * from {{ ref('stg_lists') }}
)

select
    registrations.*,
    -- a registration is its tier, service kind and serial: on-device services number from 1
    registrations.tier || ':' || registrations.service_kind || ':' || registrations.serial as registration_key,
    -- central SOEs file through the SASAC (属地 国资委, numbers ZhongYangQiYe-…)
    registrations.locality_province_code = '00'
        or lower(coalesce(registrations.number_prefix, '')) = 'zhongyangqiye' as is_central_soe,
    lists.list_label,
    lists.list_month,
    lists.published_on as list_published_on
from registrations
inner join lists using (list_id)
