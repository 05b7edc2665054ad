-- Main-sequence serials of each tier that appear in no list, up to the higher of the largest
-- listed serial and the largest stated total net of on-device services (which have their own
-- sequence).
with evidence as (
    select * from {{ ref('int_genai_serial_evidence') }} where service_kind = 'general'
),

stated_totals as (
    select tier, max(stated_general_cumulative) as stated_max
    from {{ ref('int_genai_reconciliation_basis') }}
    group by 1
),

expected as (
    select tier, unnest(generate_series(1, greatest(max(serial), max(coalesce(stated_max, 0))))) as serial
    from evidence
    left join stated_totals using (tier)
    group by tier
)

select tier, serial
from expected
anti join (select distinct tier, serial from evidence where serial is not null) as seen using (tier, serial)
