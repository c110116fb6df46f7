// Copy the text of the field named by a button's data-copy attribute to the clipboard.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) { return; }
  var field = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("data-status"));
  var done = function () { if (status) { status.textContent = button.getAttribute("data-done"); } };
  field.focus();
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () {
      if (document.execCommand("copy")) { done(); }
    });
  } else if (document.execCommand("copy")) {
    done();
  }
});
