/* When the session ends while a page is open (it expired, the user signed out in another tab, the account was
 * removed or its password changed), the server answers the page's callbacks and data requests with 401. Then the
 * browser goes to the sign-in page, which brings it back to this page afterwards, instead of leaving a page that
 * no longer updates. */
(function () {
    const original = window.fetch;
    if (!original || original.gridgovWatched) {
        return;
    }
    const watched = function (input, init) {
        return original.apply(this, arguments).then(function (response) {
            const url = typeof input === "string" ? input : (input && input.url) || "";
            const path = new URL(url, window.location.href).pathname;
            if (response.status === 401 && (path.startsWith("/_dash-") || path.startsWith("/data/"))) {
                window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
                return new Promise(function () {});  // the page is being left: nothing on it handles this answer
            }
            return response;
        });
    };
    watched.gridgovWatched = true;
    window.fetch = watched;
})();
