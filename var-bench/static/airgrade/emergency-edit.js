// "Add a line" on the emergency-list form: clone the last row with fresh field names (no inline script: CSP).
document.getElementById("add-line").addEventListener("click", function () {
  var body = document.querySelector("#lines tbody");
  var count = document.getElementById("line_count");
  var row = body.rows[body.rows.length - 1].cloneNode(true);
  var index = parseInt(count.value, 10);
  row.querySelectorAll("input, select").forEach(function (el) {
    el.name = el.name.replace(/^line-\d+-/, "line-" + index + "-");
    if (el.type === "checkbox") { el.checked = false; } else if (el.tagName === "INPUT") { el.value = el.name.endsWith("capacity_unit") ? "t/d" : ""; }
  });
  body.appendChild(row);
  count.value = index + 1;
});
