// Searchable pickers (Tom Select, vendored) for the long selects the server marks with
// data-picker: enterprises, industries (GB/T 4754 code or name), zones and people. The select
// stays in the form (the value posted is the option's, as before); its <label for> is moved to
// the picker's input by Tom Select, so screen readers announce it (GB/T 37668), and the list is
// driven by the keyboard (arrows, Enter, Escape).
(function () {
  function enhance(root) {
    if (!window.TomSelect) { return; }
    root.querySelectorAll("select[data-picker]").forEach(function (select) {
      if (select.tomselect) { return; }
      var none = select.getAttribute("data-picker-none") || "";
      var options = {
        maxOptions: 100,
        allowEmptyOption: true,
        searchField: ["text"],
        placeholder: select.getAttribute("data-picker-placeholder") || "",
        plugins: select.multiple ? ["remove_button"] : [],
        render: {
          no_results: function () {
            var div = document.createElement("div");
            div.className = "no-results";
            div.textContent = none;
            return div;
          }
        }
      };
      new window.TomSelect(select, options);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
}());
