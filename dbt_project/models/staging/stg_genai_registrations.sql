with source as (
    select * from {{ source('raw', 'genai_registrations') }}
),

renamed as (
    select
        {{ surrogate_key(['attachment_url', 'table_index', 'row_index']) }} as registration_row_id,
        {{ surrogate_key(['attachment_url']) }} as list_id,
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
        attachment_url,
        sha256 as attachment_sha256,
        notice_url,
        table_index,
        row_index,
        page
    from source
)

select * from renamed
