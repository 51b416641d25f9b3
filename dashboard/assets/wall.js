/* The wall screen (/wall) in the browser: how grids are coloured and labelled, their tooltip and pop-up, and the
 * clock with the stale-data indicator. Every word shown arrives from the server (dashboard/web/i18n.py) in the
 * layers' hideouts or in the stores; text is set as DOM text, never parsed as HTML. */
window.gridgov = Object.assign({}, window.gridgov, {
    wall: {
        /* Fill by class (a count or a rate: the last threshold reached) or by category (hot-spot bin, pattern).
         * The shapes come once by URL; each grid's value comes in the hideout, by grid code. */
        style: function (feature, context) {
            const h = context.hideout;
            const value = (h.values || {})[feature.properties.grid_code];
            let color = h.none;
            if (value !== null && value !== undefined) {
                if (h.mode === "categories") {
                    color = h.categories[String(value)] || h.none;
                } else {
                    const number = Number(value);
                    color = h.colors[0];
                    for (let i = 0; i < h.thresholds.length; i++) {
                        if (number >= h.thresholds[i]) {
                            color = h.colors[i];
                        }
                    }
                }
            }
            return {fillColor: color, fillOpacity: 0.85, color: "#dfe7ef", weight: 2, className: h.className};
        },

        /* A tooltip with the grid and its value on the layer; a click opens the grid's figures. */
        feature: function (feature, layer, context) {
            const h = context.hideout;
            const p = feature.properties;
            const tip = document.createElement("div");
            const name = document.createElement("div");
            name.className = "gg-wall-tip-title";
            name.textContent = p.grid_name;
            const value = document.createElement("div");
            value.textContent = (h.tips || {})[p.grid_code] || "";
            tip.appendChild(name);
            tip.appendChild(value);
            layer.bindTooltip(tip, {sticky: true, direction: "top", className: "gg-wall-tooltip"});

            const box = document.createElement("div");
            const title = document.createElement("div");
            title.className = "gg-wall-popup-title";
            title.textContent = p.grid_name;
            box.appendChild(title);
            const table = document.createElement("table");
            const values = ((h.rows || {})[p.grid_code] || "").split("\u001f");  // wall_content.ROW_SEPARATOR
            (h.rowLabels || []).forEach(function (label, i) {
                const tr = document.createElement("tr");
                const th = document.createElement("th");
                th.textContent = label;
                const td = document.createElement("td");
                td.textContent = values[i] === undefined ? "" : values[i];
                tr.appendChild(th);
                tr.appendChild(td);
                table.appendChild(tr);
            });
            box.appendChild(table);
            layer.bindPopup(box, {className: "gg-wall-popup", maxWidth: 420});
        },

        /* Only the grids the hideout names get a label (all of a community; in a city, those needing attention). */
        labelled: function (feature, context) {
            return Object.prototype.hasOwnProperty.call(context.hideout.labels || {}, feature.properties.grid_code);
        },

        /* A grid's name (and value) written on the map, for reading from across the room; it ignores the mouse. */
        label: function (feature, latlng, context) {
            const p = context.hideout.labels[feature.properties.grid_code] || {name: feature.properties.grid_name};
            const box = document.createElement("div");
            box.className = "gg-wall-label-box";
            const name = document.createElement("div");
            name.textContent = p.name;
            box.appendChild(name);
            if (p.value) {
                const value = document.createElement("div");
                value.className = "gg-wall-label-value";
                value.textContent = p.value;
                box.appendChild(value);
            }
            return L.marker(latlng, {
                icon: L.divIcon({className: "gg-wall-label", html: box, iconSize: null}),
                interactive: false,
                keyboard: false
            });
        }
    }
});

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    gridgov_wall: {
        /* Every second: the community's clock, and the stale notice when the last good refresh is too old (timed on
         * this browser's clock from when it arrived) or a refresh since then reported the database unreachable. */
        watch: function (n, ok, fail, config) {
            const state = window.gridgov.wallSeen || {at: null, seen: Date.now()};
            const okAt = ok ? ok.at : null;
            if (okAt !== state.at) {
                state.at = okAt;
                state.seen = Date.now();
            }
            window.gridgov.wallSeen = state;
            const failed = Boolean(fail && okAt !== null && fail.at > okAt);
            const old = Date.now() - state.seen > config.staleAfterMs;
            const stale = Boolean(ok) && (failed || old);
            let clock = "";
            try {
                clock = new Date().toLocaleTimeString(config.locale, {
                    timeZone: config.timezone, hour: "2-digit", minute: "2-digit", hour12: false
                });
            } catch (e) {
                clock = new Date().toLocaleTimeString();
            }
            return [stale ? ok.stale : "", stale ? "gg-wall-stale gg-wall-stale-on" : "gg-wall-stale", clock];
        }
    }
});
