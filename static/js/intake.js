/*
 * The request form and the partner page, enhanced. Everything works without
 * this script: every section shows, and the server ignores answers that do not
 * apply. With it, sections that do not apply are hidden, "yes" to the crisis
 * question brings the help up at once, the error summary takes focus, and the
 * partner link can be copied with one press.
 */
(function () {
  "use strict";

  function checkedValue(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }

  // Sections marked data-show-for-<what>="a b" show only while the radio group
  // <name> has one of those values; data-hide-for-<what>="a" does the opposite
  // (and hides while nothing is chosen).
  function toggleSections(form, name, showAttr, hideAttr) {
    var value = checkedValue(form, name);
    form.querySelectorAll("[" + showAttr + "]").forEach(function (section) {
      var values = section.getAttribute(showAttr).split(" ");
      section.hidden = values.indexOf(value) === -1;
    });
    if (hideAttr) {
      form.querySelectorAll("[" + hideAttr + "]").forEach(function (section) {
        var values = section.getAttribute(hideAttr).split(" ");
        section.hidden = value === "" || values.indexOf(value) !== -1;
      });
    }
  }

  function enhanceForm(form, rules) {
    function update() {
      rules.forEach(function (rule) {
        toggleSections(form, rule[0], rule[1], rule[2]);
      });
    }
    form.addEventListener("change", update);
    update();
  }

  // A second press while the first is on its way would only be stored once,
  // but its answer could replace the page that shows the partner link.
  function sendOnce(form) {
    var sending = false;
    form.addEventListener("submit", function (event) {
      if (sending) {
        event.preventDefault();
        return;
      }
      sending = true;
      form.querySelectorAll('button[type="submit"]').forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
      });
    });
    // Coming back with the Back button shows the page from the cache: allow sending again.
    window.addEventListener("pageshow", function () {
      sending = false;
      form.querySelectorAll('button[type="submit"]').forEach(function (button) {
        button.removeAttribute("aria-disabled");
      });
    });
  }

  // "Yes" to the crisis question puts the help into the live region below the
  // question at once, above the rest of the form; "no" takes it out again.
  function enhanceCrisisQuestion(form) {
    var live = form.querySelector("[data-crisis-live]");
    var template = form.querySelector("template[data-crisis-template]");
    if (!live || !template) {
      return;
    }
    function update(isFirstLook) {
      var isYes = checkedValue(form, "in_crisis") === "yes";
      // A form sent with "yes" and shown again has the help above its errors already.
      if (isYes && isFirstLook && document.querySelector("[data-crisis-first]")) {
        return;
      }
      if (isYes && !live.firstElementChild) {
        live.appendChild(template.content.cloneNode(true));
      } else if (!isYes && live.firstElementChild) {
        live.replaceChildren();
      }
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "in_crisis") {
        update(false);
      }
    });
    update(true);
  }

  // The crisis help when it stands above the errors, otherwise the error
  // summary: whoever follows focus meets the help first.
  function focusErrorSummary() {
    var first = document.querySelector("[data-crisis-first], [data-error-summary]");
    if (first) {
      first.focus();
    }
  }

  function enhanceCopyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy-target"));
      var status = document.querySelector("[data-copy-status]");
      if (!input) {
        return;
      }
      // The words come from the page, in its language (data-copied-message,
      // data-selected-message on the status element).
      function say(name) {
        if (status) {
          status.textContent = name ? status.getAttribute("data-" + name + "-message") || "" : "";
        }
      }
      function selectText() {
        input.focus();
        input.select();
        input.setSelectionRange(0, input.value.length);
      }
      function fallback() {
        selectText();
        var copied = false;
        try {
          copied = document.execCommand("copy");
        } catch (error) {
          copied = false;
        }
        say(copied ? "copied" : "selected");
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        say(null);
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(function () {
            say("copied");
          }, fallback);
        } else {
          fallback();
        }
      });
      input.addEventListener("focus", selectText);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var requestForm = document.querySelector("[data-intake-form]");
    if (requestForm) {
      enhanceForm(requestForm, [
        ["journey", "data-show-for-journey", null],
        ["partner_readiness", "data-show-for-readiness", "data-hide-for-readiness"],
        ["is_adult", "data-show-for-age", null],
        ["session_format", "data-show-for-format", null],
      ]);
      enhanceCrisisQuestion(requestForm);
      sendOnce(requestForm);
    }
    var partnerForm = document.querySelector("[data-partner-form]");
    if (partnerForm) {
      enhanceForm(partnerForm, [["answer", "data-show-for-answer", null]]);
      enhanceCrisisQuestion(partnerForm);
      sendOnce(partnerForm);
    }
    focusErrorSummary();
    enhanceCopyButtons();
  });
})();
