-- One row per filer across every series and tier. An entity id keeps every name it was
-- filed under (a rename) and shows the latest.
with members as (
    select * from {{ ref('int_entity_members') }}
)

select
    entity_key,
    max(entity_id) as entity_id,
    arg_max(name, [cast(seen_month as varchar), name]) as entity_name,
    string_agg(distinct name, '；' order by name) as names,
    count(distinct name) as name_count,
    bool_or(is_central_soe) as is_central_soe,
    string_agg(distinct series, ', ' order by series) as series,
    min(seen_month) as first_seen_month,
    max(seen_month) as last_seen_month,
    -- how the entity was put together: by number (entity_id), by a matching name, or a name only
    string_agg(distinct resolution, ', ' order by resolution) as resolution
from members
group by entity_key
