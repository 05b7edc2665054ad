-- One row per filer: what it has filed in each series and tier, how much is still active,
-- when it first and last appeared, where, and under which product names.
with entities as (
    select * from {{ ref('dim_entity') }}
),

filings as (
    select entity_key, series, 'filing' as tier, status, first_listed_month as first_month,
           last_listed_month as last_month, first_list_label as first_label,
           last_list_label as last_label, province, coalesce(product, algorithm_name) as product
    from {{ ref('dim_filing') }}
),

registrations as (
    select entity_key, 'genai', tier || case when service_kind = 'on_device' then ':on_device' else '' end,
           'active', first_list_month, first_list_month, list_label, list_label, province, service_name
    from {{ ref('fct_registrations') }}
),

everything as (
    select * from filings
    union all
    select * from registrations
)

select
    entities.entity_key,
    entities.entity_name,
    entities.entity_id,
    entities.is_central_soe,
    count(*) filter (where everything.series = 'deep_synthesis') as deep_synthesis_filings,
    count(*) filter (where everything.series = 'algorithm_recommendation') as algorithm_recommendation_filings,
    count(*) filter (where everything.tier = 'national_filing') as genai_national_filings,
    count(*) filter (where everything.tier = 'national_filing:on_device') as genai_on_device_filings,
    count(*) filter (where everything.tier = 'local_registration') as genai_local_registrations,
    count(everything.series) as total_filings,
    count(*) filter (where everything.status = 'active') as active_filings,
    count(*) filter (where everything.status = 'cancelled') as cancelled_filings,
    arg_min(everything.first_label, [cast(everything.first_month as varchar), everything.first_label]) as first_list_label,
    min(everything.first_month) as first_list_month,
    arg_max(everything.last_label, [cast(everything.last_month as varchar), everything.last_label]) as last_list_label,
    max(everything.last_month) as last_list_month,
    string_agg(distinct everything.province, '、' order by everything.province) as provinces,
    string_agg(distinct everything.product, '、' order by everything.product) as products
from entities
left join everything using (entity_key)
group by all
