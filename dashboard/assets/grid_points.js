/* Point layers of the grid leader's page (/grid), used by dash-leaflet through
 * dash_extensions.javascript.Namespace("gridgovGrid", "points").
 * Each layer's hideout carries its kind, CSS class and the words of its tooltip (from dashboard/web/i18n.py);
 * tooltips are built from DOM text nodes: names and addresses come from clerks' files and are never HTML. */
window.gridgovGrid = Object.assign({}, window.gridgovGrid, {
    points: (function () {
        /* households the widest, complaints the smallest: points of one building share one spot */
        const STYLES = {
            household: {color: "#8c1010", fill: "#f4a39a", radius: 10},
            hazard: {color: "#7a4a00", fill: "#f0a020", radius: 7},
            complaint: {color: "#0b3d75", fill: "#3b82c4", radius: 4.5}
        };

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
                return [p.category || p.ticket_id, label(h.statuses, p.status), p.received_at, p.address];
            }
            return [p.type || p.hazard_id, label(h.severities, p.severity) + " · " + label(h.statuses, p.status),
                    p.deadline ? h.deadline + p.deadline : "", p.address];
        }

        return {
            /* One point of a layer: a dot in the layer's colour, with its tooltip. */
            point: function (feature, latlng, context) {
                const h = context.hideout;
                const c = STYLES[h.kind];
                const dot = L.circleMarker(latlng, {
                    pane: h.pane,
                    radius: c.radius,
                    weight: 2,
                    color: c.color,
                    fillColor: c.fill,
                    fillOpacity: 0.9,
                    className: h.className
                });
                dot.bindTooltip(tooltip(lines(h.kind, feature.properties, h)), {direction: "top", className: "gg-tooltip"});
                return dot;
            },

            /* A cluster of points: a round badge with the count, in the layer's colour. */
            cluster: function (feature, latlng) {
                const context = arguments[arguments.length - 1];
                const h = context.hideout;
                const count = feature.properties.point_count;
                const span = document.createElement("span");
                span.textContent = String(count);
                const icon = L.divIcon({
                    html: span.outerHTML,
                    className: "gg-cluster gg-cluster-" + h.kind,
                    iconSize: L.point(30, 30)
                });
                const marker = L.marker(latlng, {icon: icon, pane: h.pane});
                marker.bindTooltip(h.cluster.replace("{n}", String(count)), {direction: "top", className: "gg-tooltip"});
                return marker;
            }
        };
    })()
});
