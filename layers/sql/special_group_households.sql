-- Special-group households of the grids %(grids)s (all when empty) as GeoJSON
-- points: for a grid leader's own grid only (the registry sees to that).
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(
        json_agg(
            json_build_object(
                'type', 'Feature',
                'id', h.household_id,
                'geometry', ST_AsGeoJSON(h.geom, 7)::json,
                'properties', json_build_object(
                    'household_id', h.household_id,
                    'grid_code', h.grid_code,
                    'address', h.address,
                    'head_name', h.head_name,
                    'phone', h.phone,
                    'members', h.members,
                    'groups', array_to_string(h.groups, ',')
                )
            )
            ORDER BY h.household_id
        ),
        '[]'::json
    )
)
FROM households AS h
WHERE cardinality(h.groups) > 0
  AND (cardinality(%(grids)s::text[]) = 0 OR h.grid_code = ANY(%(grids)s::text[]))
