{#- A model renamed or removed leaves its table or view behind in a warehouse built before,
    where publishing and the exports would carry it on: after a build, drop every relation in
    a schema of the project's models that no model or seed of the project builds. Schemas that
    hold sources (raw) are never touched. -#}
{% macro drop_relations_gone_from_the_project() %}
    {% if execute and flags.WHICH in ('build', 'run') %}
        {% set built = [] %}
        {% set model_schemas = [] %}
        {% for node in graph.nodes.values() if node.resource_type in ('model', 'seed') %}
            {% do built.append((node.schema ~ '.' ~ (node.alias or node.name)) | lower) %}
            {% if node.resource_type == 'model' and node.schema | lower not in model_schemas %}
                {% do model_schemas.append(node.schema | lower) %}
            {% endif %}
        {% endfor %}
        {% set source_schemas = graph.sources.values() | map(attribute='schema') | map('lower') | list %}
        {% set schemas = model_schemas | reject('in', source_schemas) | list %}
        {% if schemas %}
            {% set found = run_query(
                "select table_schema, table_name, table_type from information_schema.tables"
                ~ " where table_catalog = '" ~ target.database ~ "'"
                ~ " and lower(table_schema) in ('" ~ schemas | join("', '") ~ "')") %}
            {% for row in found.rows if (row[0] ~ '.' ~ row[1]) | lower not in built %}
                {% set kind = 'view' if row[2] == 'VIEW' else 'table' %}
                {{ log('dropping ' ~ kind ~ ' ' ~ row[0] ~ '.' ~ row[1] ~ ': no model builds it', info=True) }}
                {% do run_query('drop ' ~ kind ~ ' if exists "' ~ row[0] ~ '"."' ~ row[1] ~ '"') %}
            {% endfor %}
        {% endif %}
    {% endif %}
{% endmacro %}
