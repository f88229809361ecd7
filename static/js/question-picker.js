// The question navigation of the questionnaire (templates/reviews/questionnaire/question.html) is a
// <details> picker. On a wide screen it stands open beside the question (its summary hidden by
// questionnaire.css); on a narrow one it sits above the question, closed to one line, so that it
// never pushes the question a screen down nor covers it. The server renders it open, so that
// without this script every screen still has the navigation.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 50rem)");

  function fit() {
    document.querySelectorAll("details.q-picker").forEach(function (picker) {
      picker.open = !narrow.matches;
    });
  }

  fit();
  narrow.addEventListener("change", fit);
})();
