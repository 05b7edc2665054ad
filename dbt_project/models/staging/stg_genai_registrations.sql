with source as (
    select * from {{ source('raw', 'genai_registrations') }}
),

renamed as (
    select
        {{ row_keys('registration_row_id') }},
        tier,
        tier_rule,
        service_kind,
        serial,
        serial_raw,
        locality,
        locality_province_code,
        service_name,
        filer,
        registration_number,
        number_prefix,
        number_province_code,
        number_pinyin_name,
        number_date,
        number_sequence,
        number_is_valid,
        registered_on,
        registered_on_raw,
        nullif(registered_on_note, '') as registered_on_note,
        is_supplementary,
        nullif(scenario, '') as scenario,
        nullif(quality_flags, '') as quality_flags,
        {{ provenance_columns() }}
    from source
)

select * from renamed
