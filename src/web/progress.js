// Progress of a job without reloading the page: every element with
// data-job="<id>" is refreshed from /api/v1/jobs/<id>; when the job is
// over the page reloads to show what it did. Same-origin, no inline code
// (the Content-Security-Policy allows scripts from this site only).
(function () {
  "use strict";
  function show(box, job) {
    var bar = box.querySelector("progress");
    if (bar) { bar.value = job.percent; }
    var text = box.querySelector("[data-job-text]");
    if (text) {
      var words = job.status_text + " · " + job.done.toLocaleString("vi-VN") + " / " + job.total.toLocaleString("vi-VN");
      if (job.eta_seconds !== null && job.eta_seconds !== undefined) {
        words += " · " + (box.getAttribute("data-eta") || "").replace("{seconds}", job.eta_seconds);
      }
      text.textContent = words;
    }
  }
  function poll(box) {
    var id = box.getAttribute("data-job");
    fetch("/api/v1/jobs/" + encodeURIComponent(id), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        show(box, job);
        if (job.status === "done" || job.status === "failed" || job.status === "cancelled") {
          window.location.reload();
        } else {
          window.setTimeout(function () { poll(box); }, 700);
        }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 2000); });
  }
  document.querySelectorAll("[data-job]").forEach(poll);
})();
