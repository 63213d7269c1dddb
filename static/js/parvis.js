/* Parvis: progressive enhancement of the header. The site works without this file. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  function setOpen(toggle, nav, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-open", open);
  }

  function init() {
    var toggle = document.querySelector("[data-nav-toggle]");
    var nav = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (toggle && nav) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        setOpen(toggle, nav, toggle.getAttribute("aria-expanded") !== "true");
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true" && toggle.offsetParent !== null) {
          setOpen(toggle, nav, false);
          toggle.focus();
        }
      });
    }

    // Drop-down <details>: close on Escape and on a click or focus outside.
    Array.prototype.forEach.call(document.querySelectorAll("details[data-dropdown]"), function (details) {
      var summary = details.querySelector("summary");
      details.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && details.open) {
          details.open = false;
          summary.focus();
          // One Escape closes one thing: the drop-down, not also the phone menu around it.
          event.stopPropagation();
        }
      });
      document.addEventListener("click", function (event) {
        if (details.open && !details.contains(event.target)) details.open = false;
      });
      document.addEventListener("focusin", function (event) {
        if (details.open && !details.contains(event.target)) details.open = false;
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
