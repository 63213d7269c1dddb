// "Membres du groupe": a search box that narrows the list of people as one types (progressive: without
// JavaScript the box stays hidden and every person is listed).
(function () {
  "use strict";
  var box = document.querySelector("[data-wg-search]");
  if (!box) return;
  var input = box.querySelector("input");
  var status = box.querySelector("[data-wg-status]");
  var people = Array.prototype.slice.call(document.querySelectorAll("[data-wg-person]"));
  var colleges = Array.prototype.slice.call(document.querySelectorAll("[data-wg-college]"));
  var fold = function (text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  var texts = people.map(function (person) { return fold(person.getAttribute("data-wg-text") || ""); });
  box.hidden = false;
  input.addEventListener("input", function () {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    people.forEach(function (person, i) {
      var match = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
      // A checked person stays visible: nobody is removed from the group without being seen.
      person.hidden = !match && !person.querySelector("input").checked;
      if (!person.hidden) shown += 1;
    });
    colleges.forEach(function (college) {
      college.hidden = !college.querySelector("[data-wg-person]:not([hidden])");
    });
    status.textContent = words.length
      ? status.getAttribute("data-template").replace("%(count)s", shown).replace("%(total)s", people.length)
      : "";
  });
})();
