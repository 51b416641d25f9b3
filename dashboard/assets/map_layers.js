/* Per-grid and point layers of any page (dashboard/maps/map_layers.py), styled in the browser.
 * What to draw arrives in `hideout` (dashboard/maps/layer_style.py): the legend kind, the property, the
 * colours and every word shown, so all user-facing strings stay in dashboard/web/i18n.py. Text from the data
 * (grid names, facility names) is only ever set as textContent, never parsed as HTML.
 * Dash loads the assets in name order: this file runs after gridgov_map.js and adds to window.gridgov.map. */
(function () {
    function isMissing(v) {
        return v === null || v === undefined || v === "" || (typeof v === "number" && isNaN(v));
    }

    function rgb(colour) {
        return [1, 3, 5].map(function (i) { return parseInt(colour.substr(i, 2), 16); });
    }

    function mix(a, b, t) {
        const x = rgb(a), y = rgb(b);
        return "#" + x.map(function (v, i) {
            return Math.round(v + (y[i] - v) * t).toString(16).padStart(2, "0");
        }).join("");
    }

    /* count: the last class whose lower bound the value reaches; rate: along the 0-100 colour bar;
     * bin and category: the colour listed for the value. */
    function colourOf(h, v) {
        if (isMissing(v)) {
            return h.missingColor;
        }
        if (h.kind === "count") {
            let colour = h.colors[0];
            for (let i = 0; i < h.thresholds.length; i++) {
                if (Number(v) >= h.thresholds[i]) {
                    colour = h.colors[i];
                }
            }
            return colour;
        }
        if (h.kind === "rate") {
            const t = h.thresholds, x = Math.max(t[0], Math.min(t[t.length - 1], Number(v)));
            for (let i = 1; i < t.length; i++) {
                if (x <= t[i]) {
                    return mix(h.colors[i - 1], h.colors[i], (x - t[i - 1]) / (t[i] - t[i - 1]));
                }
            }
            return h.colors[h.colors.length - 1];
        }
        const i = h.values.indexOf(String(v));
        return i >= 0 ? h.colors[i] : h.missingColor;
    }

    function shown(h, name, v) {
        if (isMissing(v)) {
            return h.labels.missing;
        }
        if (name === h.property && h.values.length) {
            const i = h.values.indexOf(String(v));
            if (i >= 0) {
                return h.valueLabels[i];
            }
        }
        if (typeof v === "number" && !Number.isInteger(v)) {
            return String(Math.round(v * 1000) / 1000);
        }
        return String(v);
    }

    function line(parent, tag, className, content) {
        const el = document.createElement(tag);
        if (className) {
            el.className = className;
        }
        el.textContent = content;
        parent.appendChild(el);
        return el;
    }

    function gridTitle(p) {
        return p.grid_name ? (p.grid_code ? p.grid_name + "（" + p.grid_code + "）" : p.grid_name) : (p.grid_code || "");
    }

    const functions = {
        layerStyle: function (feature, context) {
            const h = context.hideout;
            return {
                fillColor: colourOf(h, (feature.properties || {})[h.property]),
                fillOpacity: 0.75,
                color: "#3d4b5c",
                weight: 1.5,
                className: h.className
            };
        },

        /* Hover: the grid and the value the colour stands for. Click: every number of the grid. */
        layerFeature: function (feature, layer, context) {
            const h = context.hideout;
            const p = feature.properties || {};
            const tip = document.createElement("div");
            line(tip, "div", "gg-tooltip-title", gridTitle(p));
            line(tip, "div", "", h.title + "：" + shown(h, h.property, p[h.property]));
            layer.bindTooltip(tip, {sticky: true, direction: "top", className: "gg-tooltip"});

            const box = document.createElement("div");
            line(box, "div", "gg-popup-title", gridTitle(p));
            const table = document.createElement("table");
            table.className = "gg-popup-table";
            h.columns.forEach(function (pair) {
                const row = document.createElement("tr");
                line(row, "th", "", pair[1]);
                line(row, "td", "", shown(h, pair[0], p[pair[0]]));
                table.appendChild(row);
            });
            box.appendChild(table);
            layer.bindPopup(box, {className: "gg-popup", maxHeight: 360, maxWidth: 360});
        },

        /* A detail point (a facility, a hazard, …): a small dot, named by the properties hideout.tooltip lists. */
        detailPoint: function (feature, latlng, context) {
            const h = context.hideout || {};
            const p = feature.properties || {};
            const marker = L.circleMarker(latlng, {
                radius: 6,
                weight: 1.5,
                color: "#1f3b57",
                fillColor: h.color || "#3182bd",
                fillOpacity: 0.9,
                className: h.className
            });
            const words = (h.tooltip || []).map(function (k) { return p[k]; }).filter(function (v) { return !isMissing(v); });
            if (words.length) {
                const tip = document.createElement("div");
                tip.textContent = words.join(" · ");
                marker.bindTooltip(tip, {direction: "top", className: "gg-tooltip"});
            }
            return marker;
        }
    };

    window.gridgov = window.gridgov || {};
    window.gridgov.map = Object.assign(window.gridgov.map || {}, functions);
})();
