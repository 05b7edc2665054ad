-- Every filer name as the lists print it, per series and tier, with the entity id where the
-- series' numbers carry one (digits 7-13 of a 网信算备 number) and the key names are compared by.
with algorithm as (
    select entity_id, entity as name, series, 'filing' as tier, period_date as seen_month,
           list_label, left(region_code, 2) as province_code, false as is_central_soe
    from {{ ref('int_algorithm_filings') }}
),

cancellations as (
    select entity_id, entity as name, 'cancellation' as series, 'filing' as tier, cancelled_month as seen_month,
           list_label, left(region_code, 2) as province_code, false as is_central_soe
    from {{ ref('int_cancellations') }}
    where entity_id is not null
),

genai as (
    select cast(null as varchar) as entity_id, filer as name, 'genai' as series, tier, list_month as seen_month,
           list_label, locality_province_code as province_code, is_central_soe
    from {{ ref('int_genai_registrations') }}
),

names as (
    select * from algorithm
    union all by name select * from cancellations
    union all by name select * from genai
)

select *, {{ entity_name_key('name') }} as name_key
from names
