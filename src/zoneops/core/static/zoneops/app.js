// Behaviour kept out of templates so that pages can run under a strict CSP (no inline scripts).
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
