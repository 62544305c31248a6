// The planning grid's drag-and-drop: a booked act dropped on a quarter of
// an hour opens its move form with that time and column filled in. The move
// itself goes through the form and the same checks as any booking; the
// keyboard reaches the same form through each card's move link.
(function () {
  "use strict";
  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest("[data-move]");
    if (!card) return;
    e.dataTransfer.setData("text/plain", card.getAttribute("data-move"));
    e.dataTransfer.effectAllowed = "move";
    document.body.classList.add("dragging");
  });
  document.addEventListener("dragend", function () {
    document.body.classList.remove("dragging");
  });
  document.addEventListener("dragover", function (e) {
    if (e.target.closest && e.target.closest(".drop")) e.preventDefault();
  });
  document.addEventListener("drop", function (e) {
    var cell = e.target.closest && e.target.closest(".drop");
    var move = e.dataTransfer.getData("text/plain");
    if (!cell || !move || move.indexOf("/staff/appointments/") !== 0) return;
    e.preventDefault();
    var url = new URL(move, window.location.href);
    url.searchParams.set("date", cell.getAttribute("data-date"));
    url.searchParams.set("time", cell.getAttribute("data-time"));
    var field = cell.getAttribute("data-field");
    if (field) url.searchParams.set(field, cell.getAttribute("data-value"));
    window.location.assign(url.toString());
  });
})();
