-- Every grid with its household and special-group household counts, as one
-- GeoJSON FeatureCollection. Grids without households are kept (counts 0).
WITH counts AS (
    SELECT grid_code,
           count(*)                                     AS households,
           count(*) FILTER (WHERE cardinality(groups) > 0) AS special_households
    FROM households
    GROUP BY grid_code
)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(
        json_agg(
            json_build_object(
                'type', 'Feature',
                'id', g.grid_code,
                'geometry', ST_AsGeoJSON(g.geom, 7)::json,
                'properties', json_build_object(
                    'grid_code', g.grid_code,
                    'grid_name', g.grid_name,
                    'community_name', g.community_name,
                    'households', coalesce(c.households, 0),
                    'special_households', coalesce(c.special_households, 0)
                )
            )
            ORDER BY g.grid_code
        ),
        '[]'::json
    )
)
FROM grids AS g
LEFT JOIN counts AS c USING (grid_code)
