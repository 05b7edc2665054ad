-- Every appearance of a gen-AI registration in a list: an annual summary that re-lists a
-- year shows up here, not as a second registration.
with appearances as (
    select * from {{ ref('int_genai_registrations') }}
),

versions as (
    select * from {{ ref('int_appearance_versions') }} where series = 'genai'
)

select
    appearances.registration_row_id,
    appearances.registration_key,
    appearances.list_id,
    appearances.list_label,
    appearances.list_month,
    appearances.tier,
    appearances.service_kind,
    appearances.serial,
    appearances.registration_number,
    appearances.service_name,
    appearances.filer,
    appearances.registered_on,
    appearances.is_supplementary,
    versions.appearance_no,
    versions.appearance_no = 1 as is_first_appearance,
    versions.changed_columns,
    appearances.attachment_url,
    appearances.attachment_sha256,
    appearances.table_index,
    appearances.row_index,
    appearances.page
from appearances
inner join versions on versions.row_id = appearances.registration_row_id
