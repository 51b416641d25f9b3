/* The grid leader's case page (/cases): the phone's position for a new case, and a photo sent to its case.
 * No inline script anywhere (the CSP): the position is a clientside callback (dashboard/cases/page.py), the photo
 * button is found by its id when tapped. */
(function () {
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
            }
        }
    });

    // the page's message line is Dash's: it is set through Dash, never by changing its DOM behind React's back
    function say(words, ok) {
        const span = {
            type: "Span",
            namespace: "dash_html_components",
            props: {children: words, className: ok ? "gg-form-ok" : "gg-form-error"}
        };
        window.dash_clientside.set_props("case-message", {children: span});
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
