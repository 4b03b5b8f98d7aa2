// Drag and drop onto the upload form: the dropped file goes into the form's file input, and
// the form is sent as it is without JavaScript (the same POST, the same CSRF token).
(function () {
  "use strict";
  var form = document.querySelector("form.upload");
  if (!form || !window.DataTransfer) { return; }
  var input = form.querySelector("input[type=file]");
  var hint = form.querySelector(".drop");
  if (hint) { hint.hidden = false; }
  ["dragenter", "dragover"].forEach(function (name) {
    form.addEventListener(name, function (event) {
      event.preventDefault();
      form.classList.add("dragging");
    });
  });
  form.addEventListener("dragleave", function () { form.classList.remove("dragging"); });
  form.addEventListener("drop", function (event) {
    event.preventDefault();
    form.classList.remove("dragging");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
    }
  });
})();
