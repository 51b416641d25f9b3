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

        /* The ranked grids (the ranking panel's) get a thick outline of their own, over every grid's edge. */
        ranked: function (feature, context) {
            return Object.prototype.hasOwnProperty.call(context.hideout.ranks || {}, feature.properties.grid_code);
        },

        rankStyle: function () {
            return {fill: false, color: "#ffffff", weight: 6, opacity: 1, className: "gg-wall-ranked"};
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
            box.dataset.priority = String(p.rank || 1000);  // the ranked grids' labels are kept first
            const name = document.createElement("div");
            name.className = "gg-wall-label-name";
            if (p.rank) {  // its place in the ranking, as the panel numbers it
                const rank = document.createElement("span");
                rank.className = "gg-wall-label-rank";
                rank.textContent = String(p.rank);
                name.appendChild(rank);
            }
            const text = document.createElement("span");
            text.className = "gg-wall-label-text";
            text.textContent = p.name;
            name.appendChild(text);
            box.appendChild(name);
            if (p.value) {
                const value = document.createElement("div");
                value.className = "gg-wall-label-value";
                value.textContent = p.value;
                box.appendChild(value);
            }
            const marker = L.marker(latlng, {
                icon: L.divIcon({className: "gg-wall-label", html: box, iconSize: null}),
                interactive: false,
                keyboard: false
            });
            marker.on("add", function () {
                window.gridgov.wall.untangle(marker._map);
            });
            return marker;
        },

        /* Labels large enough to read across a room may not fit side by side: once the labels are on the map (and
         * after every zoom or resize), a label that would cover one kept before it is hidden, the ranked grids'
         * first, so no two labels are written over each other. A ranked grid's label keeps at least its place (its
         * name is beside the same number in the ranking); any other grid still names itself on hover. */
        untangle: function (map) {
            if (!map || map._ggUntangle) {
                return;
            }
            map._ggUntangle = window.setTimeout(function () {
                map._ggUntangle = null;
                if (!map._ggUntangleBound) {
                    map._ggUntangleBound = true;
                    map.on("zoomend resize", function () {
                        window.gridgov.wall.untangle(map);
                    });
                }
                const boxes = Array.from(map.getContainer().querySelectorAll(".gg-wall-label-box"));
                boxes.sort(function (a, b) {
                    return Number(a.dataset.priority) - Number(b.dataset.priority);
                });
                boxes.forEach(function (box) {
                    box.style.visibility = "";
                    box.style.top = "";
                    box.classList.remove("gg-wall-label-compact");
                });
                const kept = [];
                const covers = function (r) {
                    return kept.some(function (k) {
                        return r.left < k.right && k.left < r.right && r.top < k.bottom && k.top < r.bottom;
                    });
                };
                boxes.forEach(function (box) {
                    const ranked = box.dataset.priority !== "1000";
                    if (ranked && covers(box.getBoundingClientRect())) {
                        box.classList.add("gg-wall-label-compact");  // the rank alone, moved up or down if need be
                        const step = box.getBoundingClientRect().height;
                        for (const shift of [0, -1, 1, -2, 2]) {
                            box.style.top = String(shift * step) + "px";
                            if (!covers(box.getBoundingClientRect())) {
                                break;
                            }
                        }
                    }
                    const r = box.getBoundingClientRect();
                    if (covers(r)) {
                        box.style.visibility = "hidden";
                    } else {
                        kept.push(r);
                    }
                });
            }, 0);
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
