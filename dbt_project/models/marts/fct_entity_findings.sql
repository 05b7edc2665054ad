-- Where filer names and entity ids do not line up one to one. Ambiguous names are never
-- merged; they are listed here for a reviewer.
with members as (
    select * from {{ ref('int_entity_members') }}
),

ambiguous as (
    select
        'ambiguous_name' as kind,
        name_key,
        string_agg(distinct name, '；' order by name) as names,
        any_value(candidate_entity_ids) as entity_keys,
        'gen-AI filer name matches the names of several entity ids ('
            || any_value(candidate_entity_ids) || '); kept as an entity of its own' as detail
    from members
    where resolution = 'ambiguous'
    group by name_key
),

name_on_several_ids as (
    select
        'name_on_several_ids',
        name_key,
        string_agg(distinct name, '；' order by name),
        string_agg(distinct entity_id, ', ' order by entity_id),
        'one compared name is filed under ' || count(distinct entity_id) || ' entity ids'
    from members
    where entity_id is not null
    group by name_key
    having count(distinct entity_id) > 1
),

several_names as (
    select
        'several_names',
        min(name_key),
        string_agg(distinct name, '；' order by name),
        entity_id,
        'entity id ' || entity_id || ' is filed under ' || count(distinct name_key)
            || ' names (a rename, or a variant spelling); the latest is shown'
    from members
    where entity_id is not null
    group by entity_id
    having count(distinct name_key) > 1
),

findings as (
    select * from ambiguous
    union all select * from name_on_several_ids
    union all select * from several_names
)

select
    kind || ':' || entity_keys || ':' || name_key as finding_key,
    kind,
    name_key,
    names,
    entity_keys,
    detail
from findings
