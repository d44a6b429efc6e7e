// The "Copy" buttons beside each draft: copy the draft's text (or subject) to the clipboard.
// Plain script, no library, no network: the site must work opened from the file system.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) return;
  var text = source.textContent;
  var label = button.textContent;
  function copied() {
    button.textContent = "Copied";
    setTimeout(function () { button.textContent = label; }, 1500);
  }
  // Where the clipboard API is not allowed (some browsers on file:// pages), select the text and copy that.
  function bySelection() {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try {
      if (document.execCommand("copy")) copied();
    } catch (error) {
      // The text stays selected, so the reader can copy it with the keyboard.
    }
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(copied, bySelection);
  } else {
    bySelection();
  }
});
