/* The grid leader's case page (/cases): the phone's position for a new case, the photos chosen in the raise form and
 * the form sent with them, and a photo sent to its case.
 * No inline script anywhere (the CSP): the position and the report are clientside callbacks
 * (dashboard/cases/page.py), the photo buttons are found by their ids when tapped. */
(function () {
    function span(words, ok) {
        return {
            type: "Span",
            namespace: "dash_html_components",
            props: {children: words, className: ok ? "gg-form-ok" : "gg-form-error"}
        };
    }

    // the photos chosen in the raise form, kept on its picker button until 上报 (a new form starts with none)
    function chosen() {
        const picker = document.getElementById("raise-photo-pick");
        return (picker && picker.gridgovPhotos) || [];
    }

    function showChosen(picker) {
        const files = picker.gridgovPhotos || [];
        const items = files.map(function (file, i) {
            const size = file.size < 1024 * 1024 ? Math.max(1, Math.round(file.size / 1024)) + " KB"
                : (file.size / (1024 * 1024)).toFixed(1) + " MB";
            return {
                type: "Li",
                namespace: "dash_html_components",
                props: {className: "gg-raise-photo", children: [
                    {type: "Span", namespace: "dash_html_components",
                     props: {className: "gg-raise-photo-name", children: file.name + " · " + size}},
                    {type: "Button", namespace: "dash_html_components",
                     props: {className: "gg-button gg-button-plain gg-raise-photo-remove", "data-index": String(i),
                             children: picker.dataset.remove}}
                ]}
            };
        });
        window.dash_clientside.set_props("raise-photos", {children: items});
    }

    function pickPhotos(picker) {
        const input = document.createElement("input");
        input.type = "file";
        input.accept = "image/jpeg,image/png";
        input.multiple = true;
        input.hidden = true;
        input.addEventListener("change", function () {
            const most = Number(picker.dataset.most) || 1;
            picker.gridgovPhotos = (picker.gridgovPhotos || []).concat(Array.from(input.files || [])).slice(0, most);
            showChosen(picker);
            input.remove();
        });
        document.body.appendChild(input);
        input.click();
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        gridgovCases: {
            // the phone's position as the raise form's point, or {error: true} when the phone gives none
            locate: function (clicks) {
                if (!clicks) {
                    return window.dash_clientside.no_update;
                }
                return new Promise(function (resolve) {
                    if (!navigator.geolocation) {
                        resolve({error: true});
                        return;
                    }
                    navigator.geolocation.getCurrentPosition(
                        function (p) { resolve({lon: p.coords.longitude, lat: p.coords.latitude}); },
                        function () { resolve({error: true}); },
                        {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000}
                    );
                });
            },
            // 上报: the fields, the point and the chosen photos in one request; the server stores them all or none
            report: function (clicks, category, address, description, point) {
                const noUpdate = window.dash_clientside.no_update;
                const button = document.getElementById("raise-save");
                if (!clicks || !button) {
                    return [noUpdate, noUpdate];
                }
                const form = new FormData();
                form.append("csrf_token", button.dataset.csrf);
                form.append("category", category || "");
                form.append("address", address || "");
                form.append("description", description || "");
                if (point && typeof point.lon === "number" && typeof point.lat === "number") {
                    form.append("lon", String(point.lon));
                    form.append("lat", String(point.lat));
                }
                chosen().forEach(function (file) { form.append("photo", file, file.name || "photo"); });
                button.disabled = true;
                return fetch(button.dataset.submit, {method: "POST", body: form, credentials: "same-origin"})
                    .then(function (response) {
                        return response.json().catch(function () { return {ok: false, message: response.statusText}; });
                    })
                    .then(function (answer) {
                        if (answer.ok) {
                            return [noUpdate, answer.search];  // the new case's view, saying it was raised
                        }
                        return [span(answer.message || answer.error || "×", false), noUpdate];
                    })
                    .catch(function () { return [span("×", false), noUpdate]; })
                    .finally(function () { button.disabled = false; });
            }
        }
    });

    // the page's message line is Dash's: it is set through Dash, never by changing its DOM behind React's back
    function say(words, ok) {
        window.dash_clientside.set_props("case-message", {children: span(words, ok)});
    }

    function send(button, file) {
        const form = new FormData();
        form.append("csrf_token", button.dataset.csrf);
        form.append("photo", file, file.name || "photo");
        button.disabled = true;
        fetch(button.dataset.upload, {method: "POST", body: form, credentials: "same-origin"})
            .then(function (response) {
                return response.json().catch(function () { return {ok: false, message: response.statusText}; });
            })
            .then(function (answer) {
                say(answer.message || answer.error || "", Boolean(answer.ok));
                if (answer.ok) {
                    // the case is read again: its history shows the photo
                    window.dash_clientside.set_props("cases-version", {data: "photo-" + answer.photo_id});
                }
            })
            .catch(function () { say("×", false); })
            .finally(function () { button.disabled = false; });
    }

    // the raise form's photo button adds to the photos chosen; a chosen photo's 移除 takes it out again
    document.addEventListener("click", function (event) {
        const picker = event.target.closest && event.target.closest("#raise-photo-pick");
        const remove = event.target.closest && event.target.closest(".gg-raise-photo-remove");
        if (picker) {
            event.preventDefault();
            pickPhotos(picker);
        } else if (remove) {
            const holder = document.getElementById("raise-photo-pick");
            if (holder && holder.gridgovPhotos) {
                holder.gridgovPhotos.splice(Number(remove.dataset.index), 1);
                showChosen(holder);
            }
        }
    });

    // the photo button opens the camera or the gallery; the chosen photo is sent at once
    document.addEventListener("click", function (event) {
        const button = event.target.closest && event.target.closest("#case-photo-pick");
        if (!button) {
            return;
        }
        event.preventDefault();
        const input = document.createElement("input");
        input.type = "file";
        input.accept = "image/jpeg,image/png";
        input.hidden = true;
        input.addEventListener("change", function () {
            if (input.files && input.files.length) {
                send(button, input.files[0]);
            }
            input.remove();
        });
        document.body.appendChild(input);
        input.click();
    });
})();
