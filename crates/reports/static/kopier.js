// "Kopiér": puts one field of the agenda item on the clipboard, as HTML (tables kept) and as plain
// text, and says so in the field's status. Without JavaScript the buttons stay hidden and the text
// is selected by hand.
(function () {
  "use strict";
  function select(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  document.querySelectorAll("button.kopier").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-kopier"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { status.textContent = "Kopieret"; };
      var byHand = function () {
        select(field);
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        status.textContent = ok ? "Kopieret" : "Markeret: tryk Ctrl+C for at kopiere";
      };
      if (window.ClipboardItem && navigator.clipboard && navigator.clipboard.write) {
        var item = new ClipboardItem({
          "text/html": new Blob([field.innerHTML], { type: "text/html" }),
          "text/plain": new Blob([field.innerText], { type: "text/plain" })
        });
        navigator.clipboard.write([item]).then(done, byHand);
      } else {
        byHand();
      }
    });
  });
})();
