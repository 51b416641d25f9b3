/* The points of the grid leader's page (/grid), used by dash-leaflet through
 * dash_extensions.javascript.Namespace("gridgovGrid", "points"), and the clientside callback that merges them.
 * The households, complaints and hazards arrive in three stores; mergePoints makes them one clustered layer, so
 * the points of one building make one cluster whatever their kind, and a tap spreads them out (spiderfy).
 * The layer's hideout carries the CSS class of each kind and the words of the tooltips (gridgov/catalogue.py);
 * tooltips are built from DOM text nodes: names and addresses come from clerks' files and are never HTML. */
/* The three stores' points as one FeatureCollection, each tagged with its kind and a unique id
 * (dash-leaflet keeps clusters' and spread points' layers apart by properties.id). Households first:
 * later points are drawn on top, so the smaller marks stay visible over the wider ones. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    gridgovGrid: Object.assign({}, (window.dash_clientside || {}).gridgovGrid, {
        mergePoints: function (households, hazards, complaints) {
            return window.gridgovGrid.merge(households, hazards, complaints);
        }
    })
});

window.gridgovGrid = Object.assign({}, window.gridgovGrid, {
    merge: function (households, hazards, complaints) {
        const features = [];
        [["household", households], ["hazard", hazards], ["complaint", complaints]].forEach(function (pair) {
            const kind = pair[0];
            ((pair[1] && pair[1].features) || []).forEach(function (f, i) {
                const id = f.id !== undefined && f.id !== null ? f.id : i;
                features.push({
                    type: "Feature",
                    geometry: f.geometry,
                    properties: Object.assign({}, f.properties, {kind: kind, id: kind + ":" + id, cluster: false})
                });
            });
        });
        return {type: "FeatureCollection", features: features};
    },

    points: (function () {
        /* households the widest, complaints the smallest (the legend's swatches, assets/grid.css, match) */
        const STYLES = {
            household: {color: "#8c1010", fill: "#f4a39a", radius: 10},
            hazard: {color: "#7a4a00", fill: "#f0a020", radius: 7},
            complaint: {color: "#0b3d75", fill: "#3b82c4", radius: 4.5}
        };
        const KINDS = ["household", "hazard", "complaint"];

        function tooltip(lines) {
            const box = document.createElement("div");
            lines.filter(function (line) { return line; }).forEach(function (line, i) {
                const div = document.createElement("div");
                if (i === 0) {
                    div.className = "gg-tooltip-title";
                }
                div.textContent = line;
                box.appendChild(div);
            });
            return box;
        }

        function label(map, key) {
            return (map && key in map) ? map[key] : (key || "");
        }

        function lines(kind, p, h) {
            if (kind === "household") {
                const groups = (p.groups || "").split(",").filter(Boolean).map(function (g) {
                    return label(h.groups, g);
                });
                return [[p.household_id, p.head_name].filter(Boolean).join(" "), p.address, groups.join(h.separator)];
            }
            if (kind === "complaint") {
                return [p.category || p.ticket_id, label(h.complaintStatuses, p.status), p.received_at, p.address];
            }
            return [p.type || p.hazard_id, label(h.severities, p.severity) + " · " + label(h.hazardStatuses, p.status),
                    p.deadline ? h.deadline + p.deadline : "", p.address];
        }

        return {
            /* One point: a dot in its kind's colour and size, with its tooltip. */
            point: function (feature, latlng, context) {
                const h = context.hideout;
                const kind = feature.properties.kind;
                const c = STYLES[kind];
                const dot = L.circleMarker(latlng, {
                    radius: c.radius,
                    weight: 2,
                    color: c.color,
                    fillColor: c.fill,
                    fillOpacity: 0.9,
                    className: h.className[kind]
                });
                dot.bindTooltip(tooltip(lines(kind, feature.properties, h)), {direction: "top", className: "gg-tooltip"});
                return dot;
            },

            /* A cluster: a round badge with the count and a dot per kind it holds; its tooltip counts each kind.
             * dash-leaflet passes the supercluster index before the context: the leaves are read from it. */
            cluster: function (feature, latlng) {
                const context = arguments[arguments.length - 1];
                const index = arguments.length > 3 ? arguments[2] : null;
                const h = context.hideout;
                const count = feature.properties.point_count;
                const of = {};
                if (index && index.getLeaves) {
                    index.getLeaves(feature.properties.cluster_id, Infinity).forEach(function (leaf) {
                        of[leaf.properties.kind] = (of[leaf.properties.kind] || 0) + 1;
                    });
                }
                const badge = document.createElement("div");
                const number = document.createElement("span");
                number.className = "gg-cluster-count";
                number.textContent = String(count);
                badge.appendChild(number);
                const dots = document.createElement("span");
                dots.className = "gg-cluster-kinds";
                KINDS.filter(function (k) { return of[k]; }).forEach(function (k) {
                    const dot = document.createElement("span");
                    dot.className = "gg-cluster-dot gg-swatch-" + k;
                    dots.appendChild(dot);
                });
                badge.appendChild(dots);
                const kinds = KINDS.filter(function (k) { return of[k]; });
                const icon = L.divIcon({
                    html: badge,
                    className: "gg-cluster" + (kinds.length === 1 ? " gg-cluster-" + kinds[0] : ""),
                    iconSize: L.point(44, 44)
                });
                const marker = L.marker(latlng, {icon: icon});
                const words = kinds.map(function (k) { return h.cluster[k].replace("{n}", String(of[k])); });
                marker.bindTooltip(words.join(h.separator) || String(count), {direction: "top", className: "gg-tooltip"});
                return marker;
            }
        };
    })()
});
