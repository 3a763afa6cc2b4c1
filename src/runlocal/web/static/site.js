// runlocal: progressive enhancement only. Every page works without this file.
(function () {
  "use strict";
  // Copy buttons on launch commands.
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("button.copy") : null;
    if (!b || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(b.getAttribute("data-copy") || "").then(function () {
      var t = b.textContent; b.textContent = "Copied"; setTimeout(function () { b.textContent = t; }, 1500);
    });
  });

  // "My machine": what the browser can tell, matched against the catalog's hardware ids.
  var picker = document.getElementById("machine-select");
  var input = document.getElementById("wir-hardware");
  if (picker && input) {
    picker.addEventListener("change", function () { if (picker.value) { input.value = picker.value; } });
  }
  var button = document.getElementById("detect-machine");
  var out = document.getElementById("machine-guess");
  if (!button || !out || !picker) { return; }
  var ids = Array.prototype.map.call(picker.options, function (o) { return o.value; }).filter(Boolean);

  function el(tag, text) { var e = document.createElement(tag); if (text) { e.textContent = text; } return e; }
  function suggest(words) {
    // Rank catalog ids by how many of the words they contain (ids are lowercase with dashes).
    var scored = ids.map(function (id) {
      var s = 0; words.forEach(function (w) { if (w && id.indexOf(w) >= 0) { s += w.length; } }); return [s, id];
    }).filter(function (p) { return p[0] > 0; });
    scored.sort(function (a, b) { return b[0] - a[0] || a[1].length - b[1].length; });
    return scored.slice(0, 6).map(function (p) { return p[1]; });
  }
  function show(lines, ids) {
    out.textContent = "";
    lines.forEach(function (l) { out.appendChild(el("p", l)); });
    if (ids.length) {
      var ul = el("ul"); ul.className = "chips";
      ids.forEach(function (id) {
        var li = el("li"); var a = el("a", id); a.href = "#"; a.className = "machine-pick";
        a.addEventListener("click", function (e) { e.preventDefault(); if (input) { input.value = id; } picker.value = id; });
        li.appendChild(a); ul.appendChild(li);
      });
      out.appendChild(ul);
      out.appendChild(el("p", "Pick the one you have (the browser cannot see VRAM, so check the memory size)."));
    }
  }
  button.addEventListener("click", function () {
    var lines = [];
    var words = [];
    var mem = navigator.deviceMemory; // capped at 8 by browsers, so only a lower bound
    var cores = navigator.hardwareConcurrency;
    var platform = (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "";
    if (cores) { lines.push("CPU threads: " + cores + "."); }
    if (mem) { lines.push("System memory: about " + mem + " GB (browsers round this figure and cap it)."); }
    if (platform) { lines.push("Platform: " + platform + "."); }
    var done = function () {
      var found = suggest(words);
      if (!found.length) { lines.push("No catalog match from what the browser shows: pick your hardware below."); }
      show(lines, found);
    };
    if (!navigator.gpu || !navigator.gpu.requestAdapter) {
      lines.push("This browser does not expose WebGPU, so it cannot name the GPU.");
      if (/mac/i.test(platform)) { words.push("apple"); }
      done();
      return;
    }
    navigator.gpu.requestAdapter().then(function (adapter) {
      if (!adapter) { lines.push("WebGPU is present but gave no adapter (no GPU, or it is blocked)."); done(); return; }
      var info = adapter.info || {};
      var desc = [info.vendor, info.architecture, info.description, info.device].filter(Boolean).join(" ");
      lines.push("GPU (from WebGPU): " + (desc || "not named by this browser") + ".");
      desc.toLowerCase().split(/[^a-z0-9]+/).forEach(function (w) { if (w.length > 1) { words.push(w); } });
      var m = desc.toLowerCase().match(/(rtx|gtx|rx|arc)\s*-?(\d{3,4})/);
      if (m) { words.push(m[1] + "-" + m[2]); }
      if (/apple/i.test(desc)) { words.push("apple"); }
      done();
    }).catch(function () { lines.push("WebGPU could not be queried."); done(); });
  });
})();
