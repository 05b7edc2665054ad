-- Serials of each tier that appear in no list, up to the higher of the largest listed
-- serial and the largest stated cumulative total.
with evidence as (
    select * from {{ ref('int_genai_serial_evidence') }}
),

stated_totals as (
    select 'national_filing' as tier, max(national_cumulative) as stated_max
    from {{ ref('stg_genai_statistics') }}
    union all
    select 'local_registration', max(local_cumulative) from {{ ref('stg_genai_statistics') }}
),

expected as (
    select tier, unnest(generate_series(1, greatest(max(serial), max(coalesce(stated_max, 0))))) as serial
    from evidence
    inner join stated_totals using (tier)
    group by tier
)

select tier, serial
from expected
anti join (select distinct tier, serial from evidence where serial is not null) as seen using (tier, serial)
