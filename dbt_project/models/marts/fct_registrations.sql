-- One row per gen-AI registration: national filings (备案, general and on-device) and local
-- registrations (登记), keyed by tier, service kind and serial. A registration re-listed by a
-- later list (an annual summary) is counted once: its attributes and provenance come from its
-- latest appearance, its list and period keys from the list that first published it. Every
-- appearance is in fct_registration_appearances.
with appearances as (
    select
        *,
        min(list_month) over by_registration as first_list_month,
        arg_min(list_label, list_month) over by_registration as first_list_label,
        arg_min(list_id, list_month) over by_registration as first_list_id,
        count(*) over by_registration as list_appearances
    from {{ ref('int_genai_registrations') }}
    window by_registration as (partition by registration_key)
),

current_rows as (
    select * from appearances
    qualify row_number() over (
        partition by registration_key
        order by list_month desc, list_label desc, table_index, row_index
    ) = 1
),

provinces as (
    select * from {{ ref('stg_provinces') }}
),

entities as (
    select distinct name, entity_key, resolution from {{ ref('int_entity_members') }} where series = 'genai'
)

select
    registrations.registration_key,
    registrations.registration_row_id,
    registrations.first_list_id as list_id,
    registrations.tier,
    registrations.service_kind,
    registrations.serial,
    registrations.serial_raw,
    registrations.locality_province_code as province_code,
    locality.province_name as province,
    registrations.locality,
    registrations.service_name,
    registrations.filer,
    entities.entity_key,
    entities.resolution as entity_resolution,
    registrations.is_central_soe,
    registrations.registration_number,
    registrations.number_prefix,
    registrations.number_province_code,
    number_province.province_name as number_province,
    registrations.number_pinyin_name,
    registrations.number_date,
    registrations.number_sequence,
    registrations.number_is_valid,
    registrations.number_province_code is not distinct from registrations.locality_province_code
        or registrations.number_province_code is null as prefix_matches_locality,
    registrations.registered_on,
    registrations.registered_on_raw,
    registrations.registered_on_note,
    registrations.is_supplementary,
    {{ period_keys('registrations.registered_on', 'registered') }},
    registrations.first_list_label as list_label,
    {{ period_keys('registrations.first_list_month', 'list') }},
    registrations.first_list_month,
    registrations.list_label as current_list_label,
    registrations.list_appearances,
    registrations.tier_rule,
    registrations.quality_flags,
    registrations.scenario,
    registrations.attachment_url,
    registrations.attachment_sha256,
    registrations.notice_url,
    registrations.table_index,
    registrations.row_index,
    registrations.page
from current_rows as registrations
left join provinces as locality
    on locality.province_code = registrations.locality_province_code
left join provinces as number_province
    on number_province.province_code = registrations.number_province_code
left join entities on entities.name = registrations.filer
