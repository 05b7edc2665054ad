{{ config(meta={"dagster": {"ref": {"name": "dim_batch"}}}) }}
-- Every list: rows in the marts + rows in quarantine = rows extracted from the file.
with stored as (
    select list_id, count(*) as n from {{ ref('fct_filings') }} group by 1
    union all
    select list_id, count(*) from {{ ref('fct_registration_appearances') }} group by 1
    union all
    select list_id, count(*) from {{ ref('fct_cancellations') }} group by 1
),

quarantined as (
    select list_id, count(*) as n from {{ ref('stg_quarantine') }} group by 1
)

select b.list_id, b.list_label, b.rows_extracted, coalesce(s.n, 0) as stored, coalesce(q.n, 0) as quarantined
from {{ ref('dim_batch') }} b
left join stored s using (list_id)
left join quarantined q using (list_id)
where b.last_error is null
  and b.rows_extracted != coalesce(s.n, 0) + coalesce(q.n, 0)
