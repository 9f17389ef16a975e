/* bindergraph map: draws the JSON in #bg-data with vis-network.
 * Every string from the data reaches the DOM through textContent or text nodes, never as HTML,
 * so a label or quote containing markup is shown as text. */
(function () {
  "use strict";
  var T = { start: performance.now() };  // when each stage ended, in ms since navigation start
  var DATA = JSON.parse(document.getElementById("bg-data").textContent);
  var KINDS = {};
  DATA.kinds.forEach(function (k) { KINDS[k.key] = k; });
  var NODE = new Map(DATA.nodes.map(function (n) { return [n.id, n]; }));
  var EDGE = new Map(DATA.edges.map(function (e) { return [e.id, e]; }));
  var TIP_CLAIMS = 3;  // claims shown in an edge tooltip; the details panel shows them all
  // vis draws every edge label on every frame, with no viewport culling: 1500 labels make a zoomed-in
  // frame take a second. Big maps label only the links of the selection (font size 0 = not drawn).
  var LABEL_ALL = DATA.edges.length <= 300, EDGE_FONT = 10;
  var state = { hiddenKinds: new Set(), hiddenRels: new Set(), section: "", material: "", family: "" };
  // For tests and for scripting the map from the browser console; filled in once the network exists.
  var api = window.bindergraph = { data: DATA, readyMs: null, timings: T };

  // ------------------------------------------------------------------ DOM helpers (text only)
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function link(url, text) {
    // Only web links: a javascript: or data: URL in the data becomes plain text.
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) return el("span", null, text);
    var a = el("a", null, text);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }
  function facts(pairs) {
    var dl = el("dl", "facts");
    pairs.forEach(function (p) {
      if (p[1] === null || p[1] === undefined || p[1] === "" || (Array.isArray(p[1]) && !p[1].length)) return;
      dl.append(el("dt", null, p[0]));
      var dd = el("dd");
      if (p[1] instanceof Node) dd.append(p[1]); else dd.textContent = Array.isArray(p[1]) ? p[1].join("; ") : String(p[1]);
      dl.append(dd);
    });
    return dl;
  }
  function clip(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }
  function sectionLabel(num) {
    var s = DATA.sections.find(function (x) { return x.id === num; });
    return s ? s.label : num;
  }

  // ------------------------------------------------------------------ tooltips and details
  function kindBadge(kind) {
    var k = KINDS[kind], b = el("span", "kind", k ? k.label : kind);
    b.style.background = k ? k.color : "#777";
    return b;
  }
  function matchList(n) {
    if (!n.matches || !n.matches.length) return null;
    var span = el("span");
    n.matches.forEach(function (m, i) {
      if (i) span.append(document.createTextNode(", "));
      span.append(document.createTextNode(m.rel + " "), link(m.iri, m.iri));
    });
    return span;
  }
  function nodeFacts(n) {
    return facts([["name", n.name !== n.label ? n.name : ""], ["also called", n.alt], ["class", n.classes],
                  ["identifiers", matchList(n)], ["claims", String(n.claims)]]);
  }
  function nodeTitle(n) {
    var d = el("div");
    d.append(el("div", "tip-title", n.label), kindBadge(n.kind), nodeFacts(n));
    return d;
  }
  function refItem(ri) {
    var r = DATA.refs[ri], li = el("li", null, r.label + (r.doi ? " " : ""));
    if (r.url) li.append(link(r.url, "doi:" + r.doi));
    return li;
  }
  function claimBlock(ci, maxQuote) {
    var c = DATA.claims[ci], d = el("div", "claim");
    d.append(el("blockquote", null, maxQuote ? clip(c.q, maxQuote) : c.q));
    d.append(el("div", "meta", c.rel + " · §" + sectionLabel(c.sec) + " · claim " + c.id));
    if (c.refs.length) {
      var ul = el("ul", "refs");
      c.refs.forEach(function (ri) { ul.append(refItem(ri)); });
      d.append(ul);
    } else {
      d.append(el("div", "meta", "the sentence cites no reference"));
    }
    return d;
  }
  function edgeHeading(e) {
    return NODE.get(e.from).label + " — " + DATA.relations[e.rel].label + " → " + NODE.get(e.to).label;
  }
  function edgeTitle(e) {
    var d = el("div");
    d.append(el("div", "tip-title", edgeHeading(e)));
    e.claims.slice(0, TIP_CLAIMS).forEach(function (ci) { d.append(claimBlock(ci, 400)); });
    var more = e.claims.length - TIP_CLAIMS;
    if (more > 0) d.append(el("div", "meta", "+ " + more + " more claim" + (more > 1 ? "s" : "") + ": click the edge"));
    return d;
  }

  var details = document.getElementById("details"), detailsBody = document.getElementById("details-body");
  function setDetailsOpen(open) {
    if (details.hidden === !open) return;
    details.hidden = !open;
    document.body.classList.toggle("with-details", open);
    network.setSize("100%", "100%");  // the map column changed width: resize the canvas now, not on vis's next poll
    network.redraw();
  }
  function openDetails(children) {
    detailsBody.replaceChildren.apply(detailsBody, children);
    setDetailsOpen(true);
  }
  function showNode(id) {
    var n = NODE.get(id);
    if (!n) return;
    var ul = el("ul", "links");
    network.getConnectedEdges(id).map(function (eid) { return EDGE.get(eid); })
      .filter(function (e) { return !edges.get(e.id).hidden; })
      .sort(function (a, b) { return (a.to === id) - (b.to === id) || a.rel.localeCompare(b.rel); })
      .forEach(function (e) {
        // Links read from the node: "has function → adhesion", or "← composed of: P(AN-MA)" for incoming ones.
        var rel = DATA.relations[e.rel].label, text = e.from === id ? rel + " → " + NODE.get(e.to).label
          : "← " + rel + ": " + NODE.get(e.from).label;
        var b = el("button", null, text + " (" + e.claims.length + ")");
        b.type = "button";
        b.addEventListener("click", function () {
          network.selectEdges([e.id]);
          labelEdges([e.id]);
          highlight(null);
          showEdge(e.id);
        });
        var li = el("li");
        li.append(b);
        ul.append(li);
      });
    openDetails([el("h2", null, n.label), kindBadge(n.kind), nodeFacts(n), el("h3", null, "Links shown"), ul]);
  }
  function showEdge(id) {
    var e = EDGE.get(id);
    if (!e) return;
    var parts = [el("h2", null, edgeHeading(e)), el("div", "meta", e.claims.length + " claim(s)")];
    e.claims.forEach(function (ci) { parts.push(claimBlock(ci, 0)); });
    openDetails(parts);
  }
  document.getElementById("details-close").addEventListener("click", function () { setDetailsOpen(false); });

  // ------------------------------------------------------------------ network
  function nodeSize(n) { return 7 + 3 * Math.sqrt(n.claims); }
  function visNode(n) {
    var k = KINDS[n.kind] || { color: "#777", shape: "dot" };
    return {
      id: n.id, label: n.label, title: nodeTitle(n), shape: k.shape, size: nodeSize(n), kind: n.kind,
      color: { background: k.color, border: "#333", highlight: { background: k.color, border: "#000" } },
      borderWidth: n.kind === "class" ? 2 : 1,
      // Label size grows with the node, so hubs stay named when zoomed out and the rest appear on zoom.
      font: { size: Math.round(12 + 3.2 * Math.sqrt(n.claims)), color: "#1d1d1f", strokeWidth: 3, strokeColor: "#ffffff" },
    };
  }
  function edgeOpacity(e) { return DATA.relations[e.rel].dashes ? 0.45 : 0.7; }
  function visEdges() {
    var seen = new Map();  // parallel edges between one pair get increasing curvature, so none hides another
    return DATA.edges.map(function (e) {
      var pair = e.from < e.to ? e.from + "\u0000" + e.to : e.to + "\u0000" + e.from;
      var k = seen.get(pair) || 0, r = DATA.relations[e.rel];
      seen.set(pair, k + 1);
      return {
        id: e.id, from: e.from, to: e.to, rel: e.rel, label: r.label, title: edgeTitle(e),
        color: { color: r.color, highlight: r.color, hover: r.color, opacity: edgeOpacity(e) },
        dashes: r.dashes, width: 1 + Math.min(4, Math.log2(e.claims.length) * 1.5), font: { size: LABEL_ALL ? EDGE_FONT : 0 },
        smooth: k ? { enabled: true, type: k % 2 ? "curvedCW" : "curvedCCW", roundness: 0.15 * Math.ceil(k / 2) } : false,
      };
    });
  }

  var nodes = new vis.DataSet(DATA.nodes.map(visNode));
  var edges = new vis.DataSet(visEdges());
  T.data = performance.now();
  var big = DATA.nodes.length > 150;
  // Fewer layout iterations as the map grows, so that it is still within about two seconds.
  var iterations = DATA.nodes.length > 600 ? 120 : big ? 180 : 300;
  var options = {
    layout: { improvedLayout: false, randomSeed: 7 },  // improvedLayout is slow above ~100 nodes
    nodes: { scaling: { label: { drawThreshold: 9 } } },  // labels smaller than 8 px on screen are not drawn
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.45 } }, selectionWidth: 2, hoverWidth: 1.5,
      font: { size: 10, color: "#444", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" },
      scaling: { label: { drawThreshold: 8 } },  // edge labels only once zoomed in
    },
    physics: {
      solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -70, centralGravity: 0.012, springLength: big ? 110 : 150,
                          springConstant: 0.06, damping: 0.55, avoidOverlap: 0.35 },
      maxVelocity: 80, minVelocity: 1.5, timestep: 0.45,
      stabilization: { enabled: true, iterations: iterations, updateInterval: 25, fit: true },
    },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, multiselect: false, navigationButtons: false },
  };
  var container = document.getElementById("map");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  var status = document.getElementById("status");
  T.network = performance.now();
  network.once("startStabilizing", function () { T.stabilizing = performance.now(); });

  network.on("stabilizationProgress", function (p) {
    status.textContent = "Laying out the graph… " + Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", function () {
    // Stop the simulation for good: a still page stays responsive with ~1500 edges.
    network.stopSimulation();
    network.setOptions({ physics: { enabled: false } });
    // A focused view opens on its node's details; open them before fitting so the fit uses the final width.
    if (DATA.focus && NODE.has(DATA.focus)) {
      network.selectNodes([DATA.focus], true);
      labelEdges(network.getSelectedEdges());
      highlight(DATA.focus);
      showNode(DATA.focus);
    }
    network.fit({ animation: false });
    T.ready = performance.now();
    api.readyMs = Math.round(T.ready);
    updateStatus();
    document.documentElement.dataset.state = "ready";
  });
  var labelled = new Set();
  function labelEdges(ids) {
    if (LABEL_ALL) return;
    var want = new Set(ids), upd = [];
    labelled.forEach(function (id) { if (!want.has(id)) upd.push({ id: id, font: { size: 0 } }); });
    want.forEach(function (id) { if (!labelled.has(id)) upd.push({ id: id, font: { size: EDGE_FONT } }); });
    labelled = want;
    edges.update(upd);
  }
  var dimmed = new Set(), dimmedEdges = new Set();
  function highlight(id) {
    // In a big map, fade everything but the selected node and its neighbours so they stand out.
    if (!big) return;
    var keep = new Set(id ? network.getConnectedNodes(id).concat([id]) : []), upd = [];
    DATA.nodes.forEach(function (n) {
      var dim = !!id && !keep.has(n.id);
      if (dim === dimmed.has(n.id)) return;
      if (dim) dimmed.add(n.id); else dimmed.delete(n.id);
      upd.push({ id: n.id, opacity: dim ? 0.15 : 1, font: { color: dim ? "#cccccc" : "#1d1d1f" } });
    });
    nodes.update(upd);
    var mine = new Set(id ? network.getConnectedEdges(id) : []), eupd = [];
    DATA.edges.forEach(function (e) {
      var dim = !!id && !mine.has(e.id);
      if (dim === dimmedEdges.has(e.id)) return;
      if (dim) dimmedEdges.add(e.id); else dimmedEdges.delete(e.id);
      eupd.push({ id: e.id, color: { opacity: dim ? 0.07 : edgeOpacity(e) } });
    });
    edges.update(eupd);
  }
  network.on("select", function (p) { labelEdges(p.edges); highlight(p.nodes.length ? p.nodes[0] : null); });
  network.on("click", function (p) {
    if (p.nodes.length) showNode(p.nodes[0]);
    else if (p.edges.length) showEdge(p.edges[0]);
    else setDetailsOpen(false);
  });

  // ------------------------------------------------------------------ filters
  function claimFilterActive() { return !!(state.section || state.material || state.family); }
  function claimPasses(ci) {
    var c = DATA.claims[ci];
    if (state.section && c.sec !== state.section && c.sec.indexOf(state.section + ".") !== 0) return false;
    if (state.material && c.mat.indexOf(state.material) < 0) return false;
    if (state.family && c.fam.indexOf(state.family) < 0) return false;
    return true;
  }
  function apply() {
    var filtering = claimFilterActive(), touched = new Set(), edgeUpd = [], nodeUpd = [];
    var kindShown = function (id) { return !state.hiddenKinds.has(NODE.get(id).kind); };
    DATA.edges.forEach(function (e) {
      var show = !state.hiddenRels.has(e.rel) && kindShown(e.from) && kindShown(e.to) &&
                 (!filtering || e.claims.some(claimPasses));
      if (show) { touched.add(e.from); touched.add(e.to); }
      if (edges.get(e.id).hidden !== !show) edgeUpd.push({ id: e.id, hidden: !show });
    });
    DATA.nodes.forEach(function (n) {
      // Under a claim filter a node stays only if a claim it takes part in passes.
      var show = kindShown(n.id) && (!filtering || touched.has(n.id));
      if (nodes.get(n.id).hidden !== !show) nodeUpd.push({ id: n.id, hidden: !show });
    });
    edges.update(edgeUpd);
    nodes.update(nodeUpd);
    updateStatus();
  }
  function visibleCounts() {
    return {
      nodes: nodes.get({ filter: function (n) { return !n.hidden; } }).length,
      edges: edges.get({ filter: function (e) { return !e.hidden; } }).length,
    };
  }
  function updateStatus() {
    var v = visibleCounts();
    status.textContent = "Showing " + v.nodes + " of " + DATA.nodes.length + " nodes, " + v.edges + " of " +
      DATA.edges.length + " edges (" + DATA.claims.length + " claims).";
  }
  function fillSelect(id, items, key) {
    var sel = document.getElementById(id);
    items.forEach(function (it) {
      var o = el("option", null, it.label);
      o.value = it.id;
      sel.append(o);
    });
    sel.addEventListener("change", function () { state[key] = sel.value; apply(); });
  }
  function legendItem(ul, text, count, colour, dashed, onToggle) {
    var li = el("li"), label = el("label"), box = el("input"), sw = el("span", "swatch" + (dashed === null ? "" : " line"));
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", function () { onToggle(box.checked); apply(); });
    sw.style.background = colour;
    sw.style.color = colour;
    if (dashed) sw.classList.add("dashed");
    label.append(box, sw, el("span", null, text), el("span", "count", count));
    li.append(label);
    ul.append(li);
    return box;
  }
  function buildLegends() {
    var kindsUl = document.getElementById("legend-kinds"), relsUl = document.getElementById("legend-rels");
    DATA.kinds.forEach(function (k) {
      var n = DATA.nodes.filter(function (x) { return x.kind === k.key; }).length;
      if (!n) return;
      var box = legendItem(kindsUl, k.label, n, k.color, null, function (on) {
        if (on) state.hiddenKinds.delete(k.key); else state.hiddenKinds.add(k.key);
      });
      box.dataset.kind = k.key;
    });
    Object.keys(DATA.relations).sort(function (a, b) {
      return (a.indexOf("ctx:") === 0) - (b.indexOf("ctx:") === 0) || a.localeCompare(b);
    }).forEach(function (key) {
      var r = DATA.relations[key], n = DATA.edges.filter(function (e) { return e.rel === key; }).length;
      var box = legendItem(relsUl, r.label, n, r.color, r.dashes, function (on) {
        if (on) state.hiddenRels.delete(key); else state.hiddenRels.add(key);
      });
      box.dataset.rel = key;
    });
  }
  function reset() {
    state.hiddenKinds.clear(); state.hiddenRels.clear();
    state.section = state.material = state.family = "";
    document.querySelectorAll("#side select").forEach(function (s) { s.value = ""; });
    document.querySelectorAll(".legend input").forEach(function (b) { b.checked = true; });
    apply();
  }
  document.getElementById("reset").addEventListener("click", reset);

  // ------------------------------------------------------------------ search
  function names(n) { return [n.label, n.name].concat(n.alt || []); }
  function find(text) {
    var q = text.trim().toLowerCase();
    if (!q) return null;
    var tests = [
      function (s) { return s === q; },
      function (s) { return s.indexOf(q) === 0; },
      function (s) { return s.indexOf(q) >= 0; },
    ];
    for (var i = 0; i < tests.length; i++) {
      var hit = DATA.nodes.filter(function (n) { return names(n).some(function (s) { return tests[i](s.toLowerCase()); }); });
      // Prefer the node with the most claims when several match equally well.
      if (hit.length) return hit.sort(function (a, b) { return b.claims - a.claims; })[0];
    }
    return null;
  }
  function focusNode(id) {
    if (nodes.get(id).hidden) reset();  // a search must land on a visible node
    network.selectNodes([id], true);
    labelEdges(network.getSelectedEdges());
    highlight(id);
    network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    showNode(id);
  }
  function search(text) {
    var msg = document.getElementById("search-msg"), n = find(text);
    msg.textContent = n ? "" : "Nothing is called “" + text + "” in this map.";
    if (n) focusNode(n.id);
    return n ? n.id : null;
  }
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    search(document.getElementById("search").value);
  });
  function fillNames() {
    var list = document.getElementById("names"), seen = new Set();
    DATA.nodes.forEach(function (n) {
      names(n).forEach(function (s) {
        if (seen.has(s)) return;
        seen.add(s);
        var o = el("option");
        o.value = s;
        list.append(o);
      });
    });
  }

  document.getElementById("view-title").textContent = DATA.view;
  fillSelect("f-section", DATA.sections, "section");
  fillSelect("f-material", DATA.materials, "material");
  fillSelect("f-family", DATA.families, "family");
  buildLegends();
  fillNames();
  Object.assign(api, { network: network, nodes: nodes, edges: edges, apply: apply, reset: reset, search: search,
                       visibleCounts: visibleCounts, showEdge: showEdge, showNode: showNode });
})();
