-- Gen-AI rows with their list, canonical provinces and period keys.
with registrations as (
    select * from {{ ref('stg_genai_registrations') }}
),

lists as (
    select * from {{ ref('stg_lists') }}
)

select
    registrations.*,
    lists.list_label,
    lists.list_month,
    lists.published_on as list_published_on
from registrations
inner join lists using (list_id)
