-- Every gen-AI row that carries a serial, accepted or quarantined: reconciliation counts
-- both, so a row that failed validation is never mistaken for a missing serial.
with accepted as (
    select
        registration_row_id as row_id, list_id, tier, service_kind, serial, registered_on, number_is_valid,
        tier_rule, registration_number, attachment_url, table_index, row_index, 'accepted' as row_status
    from {{ ref('stg_genai_registrations') }}
),

quarantined as (
    select
        quarantined_row_id as row_id, list_id,
        record ->> 'tier' as tier,
        coalesce(record ->> 'service_kind', 'general') as service_kind,
        try_cast(record ->> 'serial_raw' as integer) as serial,
        try_cast(left(record ->> 'registered_on', 10) as date) as registered_on,
        try_cast(record ->> 'number_is_valid' as boolean) as number_is_valid,
        record ->> 'tier_rule' as tier_rule,
        record ->> 'registration_number' as registration_number,
        attachment_url, table_index, row_index, 'quarantined' as row_status
    from {{ ref('stg_quarantine') }}
    where series = 'genai'
),

evidence as (
    select * from accepted
    union all by name
    select * from quarantined
)

select evidence.*, lists.list_label, lists.list_month
from evidence
inner join {{ ref('stg_lists') }} as lists using (list_id)
