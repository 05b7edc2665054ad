-- What each gen-AI list covers: its rows run up to its latest registration date. The
-- list that "closes" an as-of date is the last one whose rows all fall on or before it.
select
    list_id,
    list_label,
    list_month,
    max(registered_on) as covers_through,
    count(*) as rows_in_list
from {{ ref('int_genai_serial_evidence') }}
group by all
