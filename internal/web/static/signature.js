// Signature pad: draws with the finger, stylus or mouse on the canvas and
// puts the drawing, as a PNG data URL, in the form's hidden field on submit.
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  if (!canvas) { return; }
  var ctx = canvas.getContext("2d");
  var target = document.getElementById(canvas.dataset.target);
  var drawn = false, last = null;
  ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
  function point(e) {
    var r = canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
  }
  canvas.addEventListener("pointerdown", function (e) { canvas.setPointerCapture(e.pointerId); last = point(e); e.preventDefault(); });
  canvas.addEventListener("pointermove", function (e) {
    if (!last) { return; }
    var p = point(e);
    ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
    last = p; drawn = true; e.preventDefault();
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) { canvas.addEventListener(t, function () { last = null; }); });
  var clear = document.querySelector("[data-clear='signature-pad']");
  if (clear) { clear.addEventListener("click", function () { ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; target.value = ""; }); }
  canvas.closest("form").addEventListener("submit", function () { target.value = drawn ? canvas.toDataURL("image/png") : ""; });
})();
