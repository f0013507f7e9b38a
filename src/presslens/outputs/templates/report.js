// presslens report: evidence cards on hover and keyboard focus. The page works without this script
// (highlights and layer toggles are CSS; every finding is listed under the article): it only adds the
// floating card. Cards are cloned from the server-rendered list, so no markup is ever built from strings.
(function () {
  "use strict";
  var text = document.querySelector(".article-text");
  var tip = document.getElementById("tip");
  if (!text || !tip) return;
  var current = null;
  var hideTimer = 0;

  function layerShown(id) {
    var box = document.getElementById("show-" + id.split("-")[0]);
    return !box || box.checked;
  }

  function idsOf(segment) {
    return (segment.getAttribute("data-f") || "").split(" ").filter(function (id) {
      return id && layerShown(id) && document.getElementById("card-" + id);
    });
  }

  function mark(ids, on) {
    ids.forEach(function (id) {
      document.querySelectorAll('[data-f~="' + id + '"]').forEach(function (el) {
        el.classList.toggle("is-active", on);
      });
      document.querySelectorAll('[data-cue~="' + id + '"]').forEach(function (el) {
        el.classList.toggle("is-cue", on);
      });
    });
  }

  function place(segment) {
    var rects = segment.getClientRects();
    var rect = rects.length ? rects[0] : segment.getBoundingClientRect();
    var margin = 8;
    var width = tip.offsetWidth;
    var left = Math.min(Math.max(margin, rect.left), document.documentElement.clientWidth - width - margin);
    var below = rect.bottom + margin;
    var top = below + tip.offsetHeight > window.innerHeight && rect.top > tip.offsetHeight + margin
      ? rect.top - tip.offsetHeight - margin
      : below;
    tip.style.left = Math.round(left + window.scrollX) + "px";
    tip.style.top = Math.round(top + window.scrollY) + "px";
  }

  function show(segment) {
    window.clearTimeout(hideTimer);
    var ids = idsOf(segment);
    if (!ids.length) { hide(); return; }
    if (current && current.segment === segment) return;
    if (current) mark(current.ids, false);
    tip.replaceChildren.apply(tip, ids.map(function (id) {
      var card = document.getElementById("card-" + id).cloneNode(true);
      card.removeAttribute("id");
      card.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
      return card;
    }));
    tip.hidden = false;
    place(segment);
    mark(ids, true);
    current = { segment: segment, ids: ids };
  }

  function hide() {
    window.clearTimeout(hideTimer);
    if (current) mark(current.ids, false);
    current = null;
    tip.hidden = true;
  }

  function hideSoon() {
    window.clearTimeout(hideTimer);
    hideTimer = window.setTimeout(hide, 180);
  }

  function segmentOf(node) {
    return node && node.closest ? node.closest(".seg[data-f]") : null;
  }

  text.addEventListener("mouseover", function (event) {
    var segment = segmentOf(event.target);
    if (segment) show(segment);
  });
  text.addEventListener("mouseout", function (event) {
    if (!segmentOf(event.relatedTarget) && !tip.contains(event.relatedTarget)) hideSoon();
  });
  tip.addEventListener("mouseenter", function () { window.clearTimeout(hideTimer); });
  tip.addEventListener("mouseleave", hideSoon);
  text.addEventListener("focusin", function (event) {
    var segment = segmentOf(event.target);
    if (segment) show(segment);
  });
  text.addEventListener("focusout", function (event) {
    if (!segmentOf(event.relatedTarget)) hide();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && current) hide();
  });
  document.addEventListener("change", function (event) {
    if (event.target && event.target.matches && event.target.matches(".legend input")) hide();
  });
  window.addEventListener("resize", function () {
    if (current) place(current.segment);
  });
})();
