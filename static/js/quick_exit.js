/*
 * "Leave this site" (templates/includes/quick_exit.html), after GOV.UK's
 * "Exit this page". Without this script the control is a plain link to the
 * neutral site. With it, pressing the link, or the Shift key three times within
 * five seconds: the page goes blank at once, this site is asked to forget the
 * browser's intake session, and the neutral site replaces this page in the
 * history, so that Back does not come back here.
 */
(function () {
  "use strict";

  var PRESSES = 3;
  var WINDOW_MS = 5000;

  function leave(link) {
    document.body.hidden = true;
    document.title = "\u00a0";
    // Relative, so always this site, whatever host the page was reached on.
    var forget = link.getAttribute("data-quick-exit-forget");
    if (forget) {
      // A beacon is sent even as the page goes away; if the browser will not
      // queue one, a keepalive fetch does the same.
      var queued = false;
      try {
        queued = navigator.sendBeacon(forget);
      } catch (error) {
        queued = false;
      }
      if (!queued && window.fetch) {
        window.fetch(forget, { method: "POST", keepalive: true, credentials: "same-origin" });
      }
    }
    window.location.replace(link.href);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var link = document.querySelector("[data-quick-exit]");
    if (!link) {
      return;
    }
    var status = document.querySelector("[data-quick-exit-status]");
    var presses = 0;
    var timer = null;

    function say(message) {
      if (status) {
        status.textContent = message;
      }
    }

    function reset() {
      presses = 0;
      window.clearTimeout(timer);
      timer = null;
    }

    link.addEventListener("click", function (event) {
      event.preventDefault();
      leave(link);
    });

    document.addEventListener("keydown", function (event) {
      if (event.key !== "Shift") {
        // Shift held for a capital letter is typing, not a way out.
        if (presses) {
          reset();
          say("");
        }
        return;
      }
      if (event.repeat) {
        return;
      }
      presses += 1;
      if (presses >= PRESSES) {
        reset();
        leave(link);
        return;
      }
      if (!timer) {
        timer = window.setTimeout(function () {
          reset();
          say("");
        }, WINDOW_MS);
      }
      // The words are the page's, in its language.
      if (status) {
        say(status.getAttribute(presses === 1 ? "data-two-more" : "data-one-more") || "");
      }
    });

    // A page restored from the back/forward cache after leaving shows again.
    var title = document.title;
    window.addEventListener("pageshow", function () {
      document.body.hidden = false;
      document.title = title;
    });
  });
})();
