// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // On load, what a person must read first gets focus, so it is announced and scrolled into view: the error
  // summary ("There is a problem") first, else the result of what they just did (an element marked
  // data-result, such as a verification report, or the messages block).
  function focusNews() {
    var news = document.querySelector("main .error-summary") ||
      document.querySelector("main [data-result], main .messages");
    if (!news) return;
    if (!news.hasAttribute("tabindex")) news.setAttribute("tabindex", "-1");
    news.focus();
  }

  // A link in an error summary puts focus in the field it names (a plain fragment link only scrolls),
  // with the field's label or legend in view above it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var group = field.closest("fieldset, .field");
    var label = group && group.querySelector("legend, label");
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });

  // After htmx swaps in a result, move focus to what changed (an error summary first, else the status
  // message), so keyboard and screen-reader users are not left on a button that no longer exists.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.querySelector) return;
    var news = target.querySelector(".error-summary, [role=status]");
    if (news) {
      if (!news.hasAttribute("tabindex")) news.setAttribute("tabindex", "-1");
      news.focus();
    }
  });

  // A result shown first (data-result-first: a verification's report, what an award issued, what a confirmation
  // will do) takes focus on arrival, unless there is a problem to read first; the page works without it.
  function focusResultFirst(root) {
    if (!root || !root.querySelector || document.querySelector("main .error-summary")) return;
    var result = root.querySelector("[data-result-first]");
    if (!result) return;
    if (!result.hasAttribute("tabindex")) result.setAttribute("tabindex", "-1");
    result.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusResultFirst(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusResultFirst(event.detail && event.detail.target); });

  // <input data-slug-from="id_name">: suggest a web-address name from the name as it is typed, the way the server
  // makes one when it is left empty (Django's slugify), until the person types their own.
  function suggestSlugs(root) {
    root.querySelectorAll("input[data-slug-from]").forEach(function (slug) {
      var source = document.getElementById(slug.dataset.slugFrom);
      if (!source || slug.dataset.slugWired) return;
      slug.dataset.slugWired = "1";
      var suggested = slug.value === "";
      slug.addEventListener("input", function () { suggested = slug.value === ""; });
      source.addEventListener("input", function () {
        if (!suggested) return;
        slug.value = source.value.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase()
          .replace(/[^\w\s-]/g, "").replace(/[-\s]+/g, "-").replace(/^[-_]+|[-_]+$/g, "").slice(0, 80);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { suggestSlugs(document); });
  document.addEventListener("htmx:load", function (event) { suggestSlugs(event.detail.elt || document); });

  // <time class="local-time" datetime=start data-end=end data-zone=cohort zone>: when the browser's zone is
  // another one, add the time there. The server already shows it for people who set a zone on their profile.
  function localTimes(root) {
    var own;
    try {
      own = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    root.querySelectorAll("time.local-time").forEach(function (el) {
      if (!own || own === el.dataset.zone || el.dataset.shown) return;
      var start = new Date(el.getAttribute("datetime"));
      var end = el.dataset.end ? new Date(el.dataset.end) : null;
      if (isNaN(start)) return;
      var day = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" });
      var hour = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
      var text = day.format(start) + ", " + hour.format(start);
      if (end && !isNaN(end)) text += " to " + hour.format(end);
      var note = document.createElement("span");
      note.className = "meta";
      note.textContent = "Your time: " + text;
      el.dataset.shown = "1";
      el.after(document.createElement("br"), note);
    });
  }

  // An empty time-zone choice on a form is filled in with the browser's own zone, for the person to confirm.
  // A zone box (<input list>) offers places by name; each option lists the zone's names, old ones included
  // (some browsers still report Asia/Calcutta), so the browser's zone is found whatever it calls it.
  function guessZone(root) {
    var own;
    try {
      own = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!own) return;
    root.querySelectorAll("select[data-guess-zone]").forEach(function (select) {
      if (select.value) return;
      if (select.querySelector('option[value="' + own.replace(/"/g, "") + '"]')) select.value = own;
    });
    root.querySelectorAll("input[data-guess-zone][list]").forEach(function (input) {
      if (input.value || !input.list) return;
      var options = input.list.options;
      for (var i = 0; i < options.length; i++) {
        if ((" " + options[i].dataset.zones + " ").indexOf(" " + own + " ") !== -1) {
          input.value = options[i].value;
          return;
        }
      }
    });
  }

  function enhance(root) {
    localTimes(root);
    guessZone(root);
  }
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    focusNews();
  });
  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt || document); });
})();
