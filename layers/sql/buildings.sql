-- Building points of the gazetteer in the grids %(codes)s (none: every grid) as one GeoJSON FeatureCollection.
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(
        json_agg(
            json_build_object(
                'type', 'Feature',
                'id', b.building_id,
                'geometry', ST_AsGeoJSON(b.geom, 7)::json,
                'properties', json_build_object(
                    'building_id', b.building_id,
                    'address', b.address,
                    'grid_code', b.grid_code
                )
            )
            ORDER BY b.building_id
        ),
        '[]'::json
    )
)
FROM buildings AS b
WHERE cardinality(%(codes)s::text[]) = 0 OR b.grid_code = ANY (%(codes)s::text[])
