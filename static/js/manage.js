/* Work pages: progressive enhancement only. Without this script every part of every form is shown and works;
   with it, the parts that do not apply to the current choice are hidden (CSP: no inline scripts). */
(function () {
  "use strict";

  function checkedValue(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }

  /* Show elements whose data-<attr> lists the current value of the radio group `name`. */
  function follow(form, name, attr) {
    var parts = form.querySelectorAll("[data-" + attr + "]");
    if (!parts.length || !form.querySelector('input[name="' + name + '"]')) {
      return;
    }
    function update() {
      var value = checkedValue(form, name);
      parts.forEach(function (part) {
        part.hidden = part.getAttribute("data-" + attr).split(" ").indexOf(value) === -1;
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === name) {
        update();
      }
    });
    update();
  }

  function allDay(form) {
    var box = form.querySelector('input[name="all_day"]');
    var timed = form.querySelectorAll("[data-timed]");
    if (!box || !timed.length) {
      return;
    }
    function update() {
      timed.forEach(function (part) { part.hidden = box.checked; });
    }
    box.addEventListener("change", update);
    update();
  }

  /* On a narrow screen the work menu folds behind one button, so the page starts near the top. */
  function foldMenu() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!nav) {
      return;
    }
    toggle.hidden = false;
    nav.classList.add("foldable");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    });
  }

  function init() {
    foldMenu();
    var eventForm = document.getElementById("event-form");
    if (eventForm) {
      follow(eventForm, "repeat", "repeat");
      follow(eventForm, "ends", "ends");
      follow(eventForm, "edit_scope", "scope");
      allDay(eventForm);
    }
    document.querySelectorAll("form.occ-form").forEach(function (form) {
      var radio = form.querySelector('input[type="radio"]');
      if (radio) {
        follow(form, radio.name, "action");
      }
    });
    var preview = document.getElementById("preview");
    if (preview && window.location.hash === "#preview") {
      preview.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
