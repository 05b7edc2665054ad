-- Each name seen, resolved to one entity. A number's entity id is authoritative; a gen-AI
-- filer (a name only) joins an entity when its compared name is carried by exactly one id.
-- A name carried by several ids is ambiguous: it stays an entity of its own, reported in
-- fct_entity_findings, never merged.
with names as (
    select * from {{ ref('int_entity_names') }}
),

ids_by_name as (
    select
        name_key,
        count(distinct entity_id) as id_count,
        min(entity_id) as only_entity_id,
        string_agg(distinct entity_id, ', ' order by entity_id) as entity_ids
    from names
    where entity_id is not null
    group by 1
)

select
    names.*,
    case
        when names.entity_id is not null then names.entity_id
        when ids_by_name.id_count = 1 then ids_by_name.only_entity_id
        else 'N' || left(md5(names.name_key), 12)
    end as entity_key,
    case
        when names.entity_id is not null then 'entity_id'
        when ids_by_name.id_count = 1 then 'name_match'
        when ids_by_name.id_count > 1 then 'ambiguous'
        else 'name_only'
    end as resolution,
    ids_by_name.entity_ids as candidate_entity_ids
from names
left join ids_by_name using (name_key)
