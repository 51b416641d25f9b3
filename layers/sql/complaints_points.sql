-- The complaints `c` of the filters as GeoJSON points, with what a grid leader works from:
-- for a grid leader's own grid only (the registry sees to that).
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(
        json_agg(
            json_build_object(
                'type', 'Feature',
                'id', c.ticket_id,
                'geometry', ST_AsGeoJSON(c.geom, 7)::json,
                'properties', json_build_object(
                    'ticket_id', c.ticket_id,
                    'grid_code', c.grid_code,
                    'received_at', to_char(c.received_at AT TIME ZONE %(tz)s, 'YYYY-MM-DD HH24:MI'),
                    'category', c.category,
                    'status', c.status,
                    'in_time', c.in_time,
                    'address', c.address,
                    'content', c.content
                )
            )
            ORDER BY c.received_at, c.ticket_id
        ),
        '[]'::json
    )
)
FROM c
