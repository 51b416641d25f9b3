/* Map functions used by dash-leaflet through dash_extensions.javascript.Namespace("gridgov", "map").
 * Styling runs in the browser; the data, class thresholds, colours and labels arrive in `hideout`,
 * so the Python side keeps every user-facing string in dashboard/web/i18n.py. */
window.gridgov = Object.assign({}, window.gridgov, {
    map: {
        /* Choropleth fill: the class is the last threshold the value reaches. */
        gridStyle: function (feature, context) {
            const h = context.hideout;
            const value = Number(feature.properties[h.property]) || 0;
            let color = h.colors[0];
            for (let i = 0; i < h.thresholds.length; i++) {
                if (value >= h.thresholds[i]) {
                    color = h.colors[i];
                }
            }
            return {
                fillColor: color,
                fillOpacity: 0.8,
                color: "#3d4b5c",
                weight: 1.5,
                className: h.className
            };
        },

        /* Tooltip built from DOM text nodes: names come from clerks' files and are never parsed as HTML. */
        gridTooltip: function (feature, layer, context) {
            const h = context.hideout;
            const p = feature.properties;
            const box = document.createElement("div");
            const title = document.createElement("div");
            title.className = "gg-tooltip-title";
            title.textContent = p.grid_name;
            box.appendChild(title);
            [[h.labels.households, p.households], [h.labels.special_households, p.special_households]].forEach(
                function (pair) {
                    const line = document.createElement("div");
                    line.textContent = pair[0] + "：" + pair[1];
                    box.appendChild(line);
                }
            );
            layer.bindTooltip(box, {sticky: true, direction: "top", className: "gg-tooltip"});
        },

        /* Buildings are small non-interactive dots, so they never steal the grid's hover; they sit in
         * the marker pane so a grid brought to the front on hover never covers them. */
        buildingPoint: function (feature, latlng, context) {
            return L.circleMarker(latlng, {
                pane: "markerPane",
                radius: 4,
                weight: 1.5,
                color: "#1f3b57",
                fillColor: "#ffffff",
                fillOpacity: 1,
                interactive: false,
                className: "building-point"
            });
        }
    }
});
