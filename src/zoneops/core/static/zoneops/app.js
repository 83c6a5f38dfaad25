// Behaviour kept out of templates so that pages can run under a strict CSP (no inline scripts).

window.zoneops = window.zoneops || {};
// JSON from our own server, tried up to ``tries`` times (default 3) half a second apart: a busy
// server or a dropped connection is not final; a 403 or 404 is.
window.zoneops.getJson = function getJson(url, tries) {
  tries = tries === undefined ? 3 : tries;
  function again(error) {
    if (tries <= 1) { throw error; }
    return new Promise(function (resolve) { setTimeout(resolve, 500); })
      .then(function () { return getJson(url, tries - 1); });
  }
  return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      var error = new Error(url + ": " + response.status);
      if (response.status === 403 || response.status === 404) { throw error; }
      if (!response.ok) { return again(error); }
      return response.json();
    }, again);
};

document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("[data-autosubmit]")) {
    el.form.submit();
  }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest && event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
