-- One row per gen-AI registration: national filings (备案) and local registrations (登记).
with registrations as (
    select * from {{ ref('int_genai_registrations') }}
),

provinces as (
    select * from {{ ref('stg_provinces') }}
)

select
    registrations.registration_row_id,
    registrations.list_id,
    registrations.tier,
    registrations.serial,
    registrations.serial_raw,
    registrations.locality_province_code as province_code,
    locality.province_name as province,
    registrations.locality,
    registrations.service_name,
    registrations.filer,
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
    registrations.list_label,
    {{ period_keys('registrations.list_month', 'list') }},
    registrations.tier_rule,
    registrations.quality_flags,
    registrations.scenario,
    registrations.attachment_url,
    registrations.attachment_sha256,
    registrations.notice_url,
    registrations.table_index,
    registrations.row_index,
    registrations.page
from registrations
left join provinces as locality
    on locality.province_code = registrations.locality_province_code
left join provinces as number_province
    on number_province.province_code = registrations.number_province_code
