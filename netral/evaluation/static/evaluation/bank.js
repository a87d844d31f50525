// Item form: show only the parts of the chosen type. The form works without this script
// (every part visible; the server ignores the parts of other types).
(function () {
  "use strict";
  var form = document.getElementById("item-form");
  if (!form) { return; }
  var select = form.querySelector("select[name=type]");
  if (!select) { return; }
  function update() {
    var type = select.value;
    form.querySelectorAll(".type-part").forEach(function (part) {
      var types = (part.getAttribute("data-types") || "").split(" ");
      part.hidden = types.indexOf(type) === -1;
    });
    form.querySelectorAll(".col-fraction").forEach(function (cell) {
      cell.hidden = type !== "multiple";
    });
    form.querySelectorAll(".col-correct").forEach(function (cell) {
      cell.hidden = type === "likert";
    });
  }
  select.addEventListener("change", update);
  update();
}());
