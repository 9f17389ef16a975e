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
  var INFO = DATA.claimInfo || {}, EXTERNAL = DATA.external || {}, QUESTIONS = DATA.questions || [];
  var TIP_CLAIMS = 3;  // claims shown in an edge tooltip; the details panel shows them all
  // vis draws every edge label on every frame, with no viewport culling: big maps label only the
  // links of the selection (font size 0 = not drawn).
  var LABEL_ALL = DATA.edges.length <= 300, EDGE_FONT = 11;
  function local(id) { return id.slice(Math.max(id.lastIndexOf("/"), id.lastIndexOf("#")) + 1); }
  var BY_LOCAL = new Map(DATA.nodes.map(function (n) { return [local(n.id), n.id]; }));
  var CLAIM_BY_ID = new Map(DATA.claims.map(function (c, i) { return [c.id, i]; }));
  var CLAIM_EDGES = new Map();  // claim index -> edges carrying it, main relations first
  DATA.edges.forEach(function (e) {
    e.claims.forEach(function (ci) {
      if (!CLAIM_EDGES.has(ci)) CLAIM_EDGES.set(ci, []);
      CLAIM_EDGES.get(ci).push(e.id);
    });
  });
  CLAIM_EDGES.forEach(function (ids) { ids.sort(function (a, b) { return isContext(EDGE.get(a)) - isContext(EDGE.get(b)); }); });
  function rel(e) { return DATA.relations[e.rel]; }
  function isContext(e) { return e.rel.indexOf("ctx:") === 0; }

  // What is shown: kinds and relation families (a relation with its hedged and negative forms) ticked,
  // the claim filters, and the view (a node set chosen in the page).
  var FIRST = DATA.first;
  var state = { hiddenKinds: new Set(), hiddenRels: new Set(), section: "", material: "", family: "",
                view: { type: "all" }, selection: null };
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
  function button(text, onClick, cls) {
    var b = el("button", cls || "linkish", text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
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
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function sectionLabel(num) {
    var s = DATA.sections.find(function (x) { return x.id === num; });
    return s ? s.label : num;
  }

  // ------------------------------------------------------------------ tooltip and details
  function kindBadge(kind) {
    var k = KINDS[kind], b = el("span", "kind", k ? k.label : kind);
    b.style.background = k ? k.color : "#777";
    return b;
  }
  function matchList(n) {
    // Identifiers as CURIEs with the external term's label: "exactMatch CHEBI:46883 carboxy group".
    if (!n.matches || !n.matches.length) return null;
    var span = el("span");
    n.matches.forEach(function (m) {
      var line = el("span", "ident");
      line.append(document.createTextNode(m.rel + " "), link(m.iri, m.curie || m.iri));
      if (EXTERNAL[m.iri]) line.append(document.createTextNode(" " + EXTERNAL[m.iri]));
      span.append(line);
    });
    return span;
  }
  function nodeFacts(n) {
    return facts([["name", n.name !== n.label ? n.name : ""], ["also called", n.alt], ["class", n.classes],
                  ["identifiers", matchList(n)], ["claims", String(n.claims)]]);
  }
  function refItem(ri) {
    var r = DATA.refs[ri], li = el("li", null, r.label + (r.doi ? " " : ""));
    if (r.url) li.append(link(r.url, "doi:" + r.doi));
    return li;
  }
  function claimMeta(c) {
    // Stance, whose finding it is, and for a comparison what was compared and how it came out.
    var d = el("div", "meta"), info = INFO[c.id] || {};
    d.append(el("span", "badge stance-" + c.stance, c.stance));
    if (info.att) d.append(el("span", "badge", info.att));
    d.append(document.createTextNode(c.rel + " · §" + sectionLabel(c.sec) + " · claim " + c.id));
    if (info.cmp) {
      d.append(el("div", null, "comparison (" + info.cmp.kind + "): " + info.cmp.outcome +
                  (info.cmp.aspect ? ", as to " + info.cmp.aspect : "")));
    }
    return d;
  }
  function claimBlock(ci, maxQuote, current) {
    var c = DATA.claims[ci], d = el("div", "claim" + (current ? " current" : "") + (c.stance === "negative" ? " negative" : ""));
    d.append(el("blockquote", null, maxQuote ? clip(c.q, maxQuote) : c.q));
    d.append(claimMeta(c));
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
    return NODE.get(e.from).label + " — " + rel(e).label + " → " + NODE.get(e.to).label;
  }

  var tip = document.getElementById("tip");
  function tipFor(item) {
    var d = [];
    if (item.node) {
      var n = NODE.get(item.node);
      d.push(el("div", "tip-title", n.label), kindBadge(n.kind), nodeFacts(n));
    } else {
      var e = EDGE.get(item.edge);
      d.push(el("div", "tip-title", edgeHeading(e)));
      e.claims.slice(0, TIP_CLAIMS).forEach(function (ci) { d.push(claimBlock(ci, 300)); });
      var more = e.claims.length - TIP_CLAIMS;
      if (more > 0) d.push(el("div", "meta", "+ " + plural(more, "more claim") + ": click the edge"));
    }
    return d;
  }
  var tipKey = null;
  function showTip(item, x, y) {
    var key = item ? (item.node || item.edge) : null;
    if (!key) { tip.hidden = true; tipKey = null; return; }
    if (key !== tipKey) { tip.replaceChildren.apply(tip, tipFor(item)); tipKey = key; }
    tip.hidden = false;
    // Beside the pointer, kept inside the window.
    var w = tip.offsetWidth, h = tip.offsetHeight;
    tip.style.left = Math.max(4, x + 16 + w > innerWidth ? x - 12 - w : x + 16) + "px";
    tip.style.top = Math.max(4, y + 16 + h > innerHeight ? y - 12 - h : y + 16) + "px";
  }

  var details = document.getElementById("details"), detailsBody = document.getElementById("details-body");
  function setDetailsOpen(open) {
    if (details.hidden === !open) return;
    details.hidden = !open;
    document.body.classList.toggle("with-details", open);
    network.setSize("100%", "100%");  // the map column changed width: resize the canvas now, not on vis's next poll
    network.redraw();
    if (PHONE.matches && !open) fit();  // the bottom sheet gave its height back; an opening one is followed by fitSelection
  }
  var PHONE = matchMedia("(max-width: 700px)");
  function openDetails(children) {
    detailsBody.replaceChildren.apply(detailsBody, children);
    detailsBody.scrollTop = 0;
    setDetailsOpen(true);
  }
  function nodeButton(id) { return button(NODE.get(id).label, function () { go(nodeHash(id)); }); }
  function nodePanel(id) {
    var n = NODE.get(id), ul = el("ul", "links");
    network.getConnectedEdges(id).map(function (eid) { return EDGE.get(eid); })
      .filter(function (e) { return !edges.get(e.id).hidden; })
      .sort(function (a, b) { return (a.to === id) - (b.to === id) || a.rel.localeCompare(b.rel); })
      .forEach(function (e) {
        // Links read from the node: "has function → adhesion", or "← composed of: P(AN-MA)" for incoming ones.
        var text = e.from === id ? rel(e).label + " → " + NODE.get(e.to).label : "← " + rel(e).label + ": " + NODE.get(e.from).label;
        var li = el("li");
        li.append(button(text + " (" + e.claims.length + ")", function () { go(edgeHash(e)); }));
        ul.append(li);
      });
    var h = el("h2", null, n.label);
    openDetails([h, kindBadge(n.kind), nodeFacts(n), el("h3", null, "Links shown (claims)"), ul]);
  }
  function edgePanel(id, currentClaim) {
    var e = EDGE.get(id), ends = el("div", "meta");
    ends.append(nodeButton(e.from), document.createTextNode(" — " + rel(e).label + " → "), nodeButton(e.to));
    var parts = [el("h2", null, edgeHeading(e)), ends, el("div", "meta", plural(e.claims.length, "claim"))];
    var order = e.claims.slice().sort(function (a, b) { return (b === currentClaim) - (a === currentClaim); });
    order.forEach(function (ci) { parts.push(claimBlock(ci, 0, ci === currentClaim)); });
    openDetails(parts);
  }
  document.getElementById("details-close").addEventListener("click", function () { go(""); });

  // ------------------------------------------------------------------ network
  function labelSize(n) { return Math.round(11 + 3.2 * Math.sqrt(n.claims)); }
  function visNode(n) {
    var k = KINDS[n.kind] || { color: "#777", shape: "dot" };
    return {
      id: n.id, label: n.label, shape: k.shape, size: 7 + 3 * Math.sqrt(n.claims), x: n.x, y: n.y,
      color: { background: k.color, border: "#333", highlight: { background: k.color, border: "#000" } },
      borderWidth: n.kind === "class" ? 2 : 1, opacity: 1, hidden: !kindShown(n.id),
      // Label size grows with the claims, so hubs stay named when zoomed out and the rest appear on zoom.
      font: { size: labelSize(n), color: "#1d1d1f", strokeWidth: 3, strokeColor: "#ffffff" },
    };
  }
  function edgeOpacity(e) { return rel(e).stance === "context" ? 0.55 : 0.7; }
  function visEdges() {
    var seen = new Map();  // parallel edges between one pair get increasing curvature, so none hides another
    return DATA.edges.map(function (e) {
      var pair = e.from < e.to ? e.from + "\u0000" + e.to : e.to + "\u0000" + e.from;
      var k = seen.get(pair) || 0, r = rel(e);
      seen.set(pair, k + 1);
      return {
        id: e.id, from: e.from, to: e.to, rel: e.rel, label: r.label, hidden: !relShown(e),
        color: { color: r.color, highlight: r.color, hover: r.color, opacity: edgeOpacity(e) },
        dashes: r.dashes, width: 1 + Math.min(4, Math.log2(e.claims.length) * 1.5), font: { size: LABEL_ALL ? EDGE_FONT : 0 },
        // A negative claim ends in a bar (⊣), so it reads as the opposite of an arrow.
        arrows: { to: { enabled: true, scaleFactor: 0.5, type: r.stance === "negative" ? "bar" : "arrow" } },
        smooth: k ? { enabled: true, type: k % 2 ? "curvedCW" : "curvedCCW", roundness: 0.15 * Math.ceil(k / 2) } : false,
      };
    });
  }
  function kindShown(id) { return !state.hiddenKinds.has(NODE.get(id).kind); }
  function relShown(e) { return !state.hiddenRels.has(rel(e).base) && kindShown(e.from) && kindShown(e.to); }

  // The first view of a big map: only the kinds and relations it names are ticked.
  if (FIRST) {
    DATA.kinds.forEach(function (k) { if (FIRST.kinds.indexOf(k.key) < 0) state.hiddenKinds.add(k.key); });
    Object.keys(DATA.relations).forEach(function (key) {
      if (FIRST.rels.indexOf(DATA.relations[key].base) < 0) state.hiddenRels.add(DATA.relations[key].base);
    });
  }
  var nodes = new vis.DataSet(DATA.nodes.map(visNode));
  var edges = new vis.DataSet(visEdges());
  T.data = performance.now();
  var options = {
    // Positions come from Python (a seeded layout): no layout and no physics at load.
    layout: { improvedLayout: false, randomSeed: 7 },
    physics: { enabled: false, solver: "forceAtlas2Based",
               forceAtlas2Based: { gravitationalConstant: -60, centralGravity: 0.02, springLength: 120, springConstant: 0.06,
                                   damping: 0.6, avoidOverlap: 0.4 },
               stabilization: { enabled: false } },
    nodes: { scaling: { label: { drawThreshold: 7 } } },  // labels smaller than 7 px on screen are not drawn
    edges: { selectionWidth: 2, font: { size: 10, color: "#333", strokeWidth: 3, strokeColor: "#ffffff", align: "horizontal" } },
    interaction: { hover: false, tooltipDelay: 150, hideEdgesOnDrag: DATA.edges.length > 300, multiselect: false,
                   selectConnectedEdges: false, navigationButtons: false, keyboard: false },
  };
  var container = document.getElementById("map");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  var status = document.getElementById("status");
  T.network = performance.now();

  // ------------------------------------------------------------------ selection (highlight, labels, dimming)
  var selectedLabels = new Map(), dimmedNodes = new Set(), dimmedEdges = new Set(), labelledEdges = new Set();
  function labelEdges(ids) {
    // The selection's links are labelled at a size readable at the current zoom; the others not at all.
    var want = new Set(ids), upd = [], size = Math.max(EDGE_FONT, Math.round(12 / network.getScale()));
    labelledEdges.forEach(function (id) {
      if (!want.has(id)) upd.push({ id: id, font: { size: LABEL_ALL ? EDGE_FONT : 0 } });
    });
    want.forEach(function (id) { upd.push({ id: id, font: { size: size } }); });
    labelledEdges = want;
    edges.update(upd);
  }
  var selLabels = [], hoverEdge = null;
  function relabel() { labelEdges(hoverEdge ? selLabels.concat([hoverEdge]) : selLabels); }
  function highlight(keepNodes, keepEdges, labelled) {
    // Everything but the selection fades; the selection's nodes are labelled large enough to be read
    // at the current zoom. keepNodes null: nothing selected, nothing faded.
    var upd = [], eupd = [], scale = network.getScale();
    DATA.nodes.forEach(function (n) {
      var dim = !!keepNodes && !keepNodes.has(n.id), big = !!keepNodes && keepNodes.has(n.id);
      // The selection's labels 13-18 px on screen; faded ones at most 11 px, so that zoomed in they do not
      // cover the selection's, and none on a phone.
      var size = big ? Math.round(Math.max(Math.min(labelSize(n), 18 / scale), 13 / scale))
               : dim ? (PHONE.matches ? 0 : Math.min(labelSize(n), Math.round(11 / scale))) : labelSize(n);
      if (dim === dimmedNodes.has(n.id) && (selectedLabels.get(n.id) || labelSize(n)) === size) return;
      if (dim) dimmedNodes.add(n.id); else dimmedNodes.delete(n.id);
      if (size !== labelSize(n)) selectedLabels.set(n.id, size); else selectedLabels.delete(n.id);
      upd.push({ id: n.id, opacity: dim ? 0.15 : 1, font: { size: size, color: dim ? "#c8c8c8" : "#1d1d1f" } });
    });
    nodes.update(upd);
    DATA.edges.forEach(function (e) {
      var dim = !!keepEdges && !keepEdges.has(e.id);
      if (dim === dimmedEdges.has(e.id)) return;
      if (dim) dimmedEdges.add(e.id); else dimmedEdges.delete(e.id);
      eupd.push({ id: e.id, color: { opacity: dim ? 0.06 : edgeOpacity(e) } });
    });
    edges.update(eupd);
    // Only the selected edge (and the one under the pointer) is labelled: a node's many link labels pile up.
    selLabels = labelled || [];
    relabel();
  }
  function visibleEdgesOf(id) { return network.getConnectedEdges(id).filter(function (eid) { return !edges.get(eid).hidden; }); }
  function selectNode(id) {
    if (nodes.get(id).hidden) revealAll();  // a selection must land on a visible node
    var mine = visibleEdgesOf(id);
    state.selection = { node: id };
    var keep = new Set(selectionNodes());
    network.setSelection({ nodes: [id], edges: mine }, { unselectAll: true, highlightEdges: false });
    arrange(id, Array.from(keep));
    highlight(keep, new Set(mine), []);
    nodePanel(id);
    fitSelection(Array.from(keep));
  }
  function selectEdge(id, currentClaim) {
    if (edges.get(id).hidden) revealAll();
    var e = EDGE.get(id);
    restore();
    state.selection = { edge: id };
    network.setSelection({ nodes: [], edges: [id] }, { unselectAll: true, highlightEdges: false });
    highlight(new Set([e.from, e.to]), new Set([id]), [id]);
    edgePanel(id, currentClaim);
    fitSelection([e.from, e.to]);
  }
  // On a phone a node's neighbours, spread round the ring, cannot all be named on 390 px: while it is
  // selected they stand in two columns beside it (left and right as on the ring, in the ring's vertical
  // order), and go back when the selection ends.
  var moved = null;
  function restore() {
    if (!moved) return;
    nodes.update(Object.keys(moved).map(function (id) { return { id: id, x: moved[id].x, y: moved[id].y }; }));
    moved = null;
  }
  function arrange(id, keep) {
    restore();
    if (!PHONE.matches || keep.length < 4) return;
    var pos = network.getPositions(keep), c = pos[id], others = keep.filter(function (k) { return k !== id; });
    others.sort(function (a, b) { return pos[a].x - pos[b].x; });
    var half = Math.ceil(others.length / 2), cols = [others.slice(0, half), others.slice(half)], upd = [];
    var byY = function (a, b) { return pos[a].y - pos[b].y; }, row = 90;
    cols.forEach(function (col, side) {
      col.sort(byY).forEach(function (k, i) {
        upd.push({ id: k, x: c.x + (side ? 300 : -300), y: c.y + (i - (col.length - 1) / 2) * row });
      });
    });
    moved = pos;
    nodes.update(upd);
  }
  function clearSelection() {
    restore();
    state.selection = null;
    network.unselectAll();
    highlight(null, null);
    setDetailsOpen(false);
  }
  network.on("animationFinished", function () { api.moving = false; reselect(); });
  network.on("zoom", function () {  // keep the selection's labels readable as the reader zooms
    if (state.selection) reselect();
  });
  function reselect() {
    var s = state.selection;
    if (!s) return;
    var e = s.edge && EDGE.get(s.edge);
    if (s.node) highlight(new Set(selectionNodes()), new Set(visibleEdgesOf(s.node)), []);
    else highlight(new Set([e.from, e.to]), new Set([s.edge]), [s.edge]);
  }
  function selectionNodes() {
    var s = state.selection;
    if (!s) return [];
    if (s.edge) return [EDGE.get(s.edge).from, EDGE.get(s.edge).to];
    var keep = new Set([s.node]);  // the ends of its shown links, not nodes linked only by hidden ones
    visibleEdgesOf(s.node).forEach(function (eid) { var e = EDGE.get(eid); keep.add(e.from); keep.add(e.to); });
    return Array.from(keep);
  }
  var loaded = false;  // no animation while the page opens: it is ready when it is drawn
  api.moving = false;
  function visibleArea() {
    // The part of the map not under the bottom sheet (phones), in map pixels.
    var r = container.getBoundingClientRect(), h = r.height;
    if (PHONE.matches && !details.hidden) h = Math.min(h, details.getBoundingClientRect().top - r.top);
    return { w: r.width, h: Math.max(80, h), full: r.height };
  }
  function fitSelection(ids) {
    // Zoom to the selection so its labels can be read, centred in the visible part of the map.
    var pos = network.getPositions(ids), keys = Object.keys(pos);
    if (!keys.length) return;
    var xs = keys.map(function (k) { return pos[k].x; }), ys = keys.map(function (k) { return pos[k].y; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var a = visibleArea(), padX = Math.min(110, a.w / 4), padY = Math.min(40, a.h / 6);  // room for the labels
    var s = Math.min(1, (a.w - 2 * padX) / Math.max(1, x1 - x0), (a.h - 2 * padY) / Math.max(1, y1 - y0));
    var at = { x: (x0 + x1) / 2, y: (y0 + y1) / 2 + (a.full - a.h) / (2 * s) };
    if (!loaded) { network.moveTo({ position: at, scale: s, animation: false }); reselect(); return; }
    api.moving = true;
    network.moveTo({ position: at, scale: s, animation: { duration: 400, easingFunction: "easeInOutQuad" } });
  }

  // ------------------------------------------------------------------ URL hash: #PAA, #claim-s3.1.1-005, #PAA/hasFunction/adhesion
  function nodeHash(id) { return "#" + encodeURIComponent(local(id)); }
  function edgeHash(e) { return "#" + [local(e.from), e.rel, local(e.to)].map(encodeURIComponent).join("/"); }
  function go(hash) {
    // Every selection goes through the URL, so that Back undoes it and a link can be shared.
    if (location.hash !== hash && !(hash === "" && !location.hash)) {
      history.pushState(null, "", hash || location.pathname + location.search);
    }
    applyHash();
  }
  function applyHash() {
    var h = decodeURIComponent(location.hash.slice(1)), msg = document.getElementById("search-msg");
    msg.textContent = "";
    if (!h) { clearSelection(); return; }
    if (h.indexOf("claim-") === 0 && CLAIM_BY_ID.has(h.slice(6))) {
      var ci = CLAIM_BY_ID.get(h.slice(6));
      selectEdge(CLAIM_EDGES.get(ci)[0], ci);
      return;
    }
    var parts = h.split("/");
    if (parts.length === 3) {
      var e = DATA.edges.find(function (x) { return local(x.from) === parts[0] && x.rel === parts[1] && local(x.to) === parts[2]; });
      if (e) { selectEdge(e.id); return; }
    }
    var id = BY_LOCAL.get(h) || (find(h) || {}).id;
    if (id) { selectNode(id); return; }
    msg.textContent = "Nothing called “" + h + "” is in this map.";
  }
  window.addEventListener("popstate", applyHash);

  network.on("click", function (p) {
    if (p.nodes.length) go(nodeHash(p.nodes[0]));
    else if (p.edges.length) go(edgeHash(EDGE.get(p.edges[0])));
    else if (state.selection) go("");
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") return;
    document.body.classList.remove("drawer-open");
    if (state.selection || !details.hidden) go("");
  });
  // The tooltip: whatever a click at the pointer would select (the same vis lookup), beside the pointer.
  var pending = null;
  container.addEventListener("mousemove", function (ev) {
    if (pending) return;
    pending = requestAnimationFrame(function () {
      pending = null;
      var r = container.getBoundingClientRect(), p = { x: ev.clientX - r.left, y: ev.clientY - r.top };
      var n = network.getNodeAt(p), e = n === undefined ? network.getEdgeAt(p) : undefined;
      showTip(n !== undefined ? { node: n } : e !== undefined ? { edge: e } : null, ev.clientX, ev.clientY);
      hoverLabel(e === undefined ? null : e);
    });
  });
  container.addEventListener("mouseleave", function () {
    if (pending) cancelAnimationFrame(pending);
    pending = null;
    showTip(null);
    hoverLabel(null);
  });
  function hoverLabel(id) { if (id !== hoverEdge) { hoverEdge = id; relabel(); } }
  network.on("dragStart", function () { showTip(null); });

  // ------------------------------------------------------------------ views and filters
  function viewNodes() {
    // The node set of the view (null: every node), and a test its edges must pass.
    var v = state.view;
    if (v.type === "family") {
      return { nodes: null, edge: function (e) {
        var ok = function (id) { var n = NODE.get(id); return n.kind !== "mechanism" || n.fam.indexOf(v.id) >= 0; };
        return e.claims.some(function (ci) { return DATA.claims[ci].fam.indexOf(v.id) >= 0; }) && ok(e.from) && ok(e.to);
      } };
    }
    if (v.type === "neighbourhood") {
      var seen = new Set([v.id]), frontier = [v.id];
      for (var d = 0; d < v.depth; d++) {
        var next = [];
        frontier.forEach(function (id) {
          network.getConnectedEdges(id).forEach(function (eid) {
            var e = EDGE.get(eid), other = e.from === id ? e.to : e.from;
            if (relShown(e) && !seen.has(other)) { seen.add(other); next.push(other); }
          });
        });
        frontier = next;
      }
      return { nodes: seen, edge: null };
    }
    if (v.type === "group") {
      // binder -> group -> function: the group's own links, nothing between the binders and the functions
      return { nodes: null, edge: function (e) {
        return (e.to === v.id && NODE.get(e.from).kind === "binder") || (e.from === v.id && rel(e).base === "servesVia");
      } };
    }
    if (v.type === "question") return { nodes: new Set(v.nodes), edge: null };
    return { nodes: null, edge: null };
  }
  function claimFilterActive() { return !!(state.section || state.material || state.family); }
  function claimPasses(ci) {
    var c = DATA.claims[ci];
    if (state.section && c.sec !== state.section && c.sec.indexOf(state.section + ".") !== 0) return false;
    if (state.material && c.mat.indexOf(state.material) < 0) return false;
    if (state.family && c.fam.indexOf(state.family) < 0) return false;
    return true;
  }
  function apply(relayout) {
    var filtering = claimFilterActive(), view = viewNodes(), touched = new Set(), edgeUpd = [], nodeUpd = [];
    var inView = function (id) { return !view.nodes || view.nodes.has(id); };
    // Narrowed views and claim filters show only nodes that keep a link; the whole map keeps lone nodes.
    var needLink = filtering || state.view.type !== "all";
    DATA.edges.forEach(function (e) {
      var show = relShown(e) && inView(e.from) && inView(e.to) && (!view.edge || view.edge(e)) &&
                 (!filtering || e.claims.some(claimPasses));
      if (show) { touched.add(e.from); touched.add(e.to); }
      if (edges.get(e.id).hidden !== !show) edgeUpd.push({ id: e.id, hidden: !show, physics: show });
    });
    DATA.nodes.forEach(function (n) {
      var show = kindShown(n.id) && inView(n.id) && (!needLink || touched.has(n.id) ||
                 (state.view.id === n.id));
      if (nodes.get(n.id).hidden !== !show) nodeUpd.push({ id: n.id, hidden: !show, physics: show });
    });
    edges.update(edgeUpd);
    nodes.update(nodeUpd);
    if (state.selection) {
      var s = state.selection;
      if ((s.node && nodes.get(s.node).hidden) || (s.edge && edges.get(s.edge).hidden)) go(""); else reselect();
    }
    if (relayout) layoutView(); else fit();
    updateStatus();
  }
  function visibleNodeIds() { return nodes.getIds({ filter: function (n) { return !n.hidden; } }); }
  function fit() {
    network.fit({ nodes: visibleNodeIds(), animation: false });
    if (captions()) fitCaptions();
    reselect();  // the selection's labels are sized for the new zoom
  }
  function fitCaptions() {
    // Fit the nodes and the captions: caption boxes shrink in canvas units as the zoom grows, so iterate.
    var ids = visibleNodeIds(), bb = ids.map(function (id) { return network.getBoundingBox(id); });
    var W = container.clientWidth, H = container.clientHeight, s = network.getScale(), box;
    for (var i = 0; i < 6; i++) {
      box = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
      bb.forEach(function (b) { grow(box, b.left, b.right, b.top, b.bottom); });
      captionBoxes(s).forEach(function (b) { grow(box, b.x0, b.x1, b.y0, b.y1); });
      s = 0.96 * Math.min(W / (box.x1 - box.x0), H / (box.y1 - box.y0));
    }
    network.moveTo({ position: { x: (box.x0 + box.x1) / 2, y: (box.y0 + box.y1) / 2 }, scale: s, animation: false });
  }
  function grow(box, x0, x1, y0, y1) {
    box.x0 = Math.min(box.x0, x0); box.x1 = Math.max(box.x1, x1); box.y0 = Math.min(box.y0, y0); box.y1 = Math.max(box.y1, y1);
  }
  var settling = false;
  function layoutView() {
    // Back to the precomputed positions; a narrowed view then settles briefly on its own, and is fitted.
    nodes.update(DATA.nodes.map(function (n) { return { id: n.id, x: n.x, y: n.y }; }));
    if (state.view.type === "group") { columns(); fit(); return; }
    if (state.view.type === "all" || visibleNodeIds().length < 2) { fit(); return; }
    settling = true;
    document.documentElement.dataset.state = "settling";
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(150);
  }
  function columns() {
    // binder -> group -> function, read left to right: binders, the group, the functions it serves.
    var g = state.view.id, left = [], right = [];
    visibleNodeIds().forEach(function (id) { if (id !== g) (NODE.get(id).kind === "mechanism" ? right : left).push(id); });
    var byLabel = function (a, b) { return NODE.get(a).label.localeCompare(NODE.get(b).label); }, upd = [{ id: g, x: 0, y: 0 }];
    [[left.sort(byLabel), -700], [right.sort(byLabel), 700]].forEach(function (col) {
      col[0].forEach(function (id, i) { upd.push({ id: id, x: col[1], y: (i - (col[0].length - 1) / 2) * 130 }); });
    });
    nodes.update(upd);
  }
  function wrap(text, width) {
    // Two lines at the space nearest the middle when the caption is long.
    if (text.length <= width) return [text];
    var mid = text.length / 2, best = -1;
    for (var i = 0; i < text.length; i++) if (text[i] === " " && (best < 0 || Math.abs(i - mid) < Math.abs(best - mid))) best = i;
    return best < 0 ? [text] : [text.slice(0, best), text.slice(best + 1)];
  }
  // Captions of the ring's segments (mechanism families, groups, materials): canvas text, not HTML,
  // 14 px on screen at any zoom. Narrow maps (phones) have no room for them; a selection hides them.
  var CAPTION_PX = 14, CAPTION_LINE = 17, CAPTION_FONT = "600 " + CAPTION_PX + "px system-ui, sans-serif";
  var measure = document.createElement("canvas").getContext("2d");
  function captions() {
    return state.view.type === "all" && !!DATA.first && !!(DATA.segments || []).length && container.clientWidth >= 600;
  }
  function captionBoxes(scale) {
    // Each caption's box in canvas units at this zoom. One that would overlap an earlier one moves
    // outwards from the ring's centre (0, 0) until it is clear.
    measure.font = CAPTION_FONT;
    var placed = [], gap = 4 / scale;
    DATA.segments.forEach(function (seg) {
      var lines = wrap(seg.label, 18), w = Math.max.apply(null, lines.map(function (t) { return measure.measureText(t).width; })) / scale;
      var h = lines.length * CAPTION_LINE / scale, len = Math.hypot(seg.x, seg.y) || 1, box = null;
      for (var k = 0; k < 80; k++) {
        var x = seg.x + seg.x / len * k * 6 / scale, y = seg.y + seg.y / len * k * 6 / scale;
        var left = seg.align === "left" ? x : seg.align === "right" ? x - w : x - w / 2;
        box = { label: seg.label, lines: lines, align: seg.align, x: x, y: y, x0: left, x1: left + w, y0: y - h / 2, y1: y + h / 2 };
        if (!placed.some(function (b) { return box.x0 < b.x1 + gap && b.x0 < box.x1 + gap && box.y0 < b.y1 + gap && b.y0 < box.y1 + gap; })) break;
      }
      placed.push(box);
    });
    return placed;
  }
  network.on("afterDrawing", function (ctx) {
    if (!captions() || state.selection) return;
    var scale = network.getScale();
    ctx.save();
    ctx.font = "600 " + CAPTION_PX / scale + "px system-ui, sans-serif";
    ctx.fillStyle = "#5f6368";
    ctx.textBaseline = "middle";
    captionBoxes(scale).forEach(function (b) {
      ctx.textAlign = b.align;
      b.lines.forEach(function (text, i) { ctx.fillText(text, b.x, b.y + (i - (b.lines.length - 1) / 2) * CAPTION_LINE / scale); });
    });
    ctx.restore();
  });
  network.on("stabilizationIterationsDone", function () {
    if (!settling) return;
    settling = false;
    network.stopSimulation();
    network.setOptions({ physics: { enabled: false } });
    fit();
    document.documentElement.dataset.state = "ready";
  });
  function visibleCounts() {
    var shownEdges = edges.getIds({ filter: function (e) { return !e.hidden; } }), claims = new Set();
    shownEdges.forEach(function (id) { EDGE.get(id).claims.forEach(function (ci) { claims.add(ci); }); });
    var shownNodes = visibleNodeIds();
    return { nodes: shownNodes.length, edges: shownEdges.length, claims: claims.size,
             binders: shownNodes.filter(function (id) { return NODE.get(id).kind === "binder"; }).length };
  }
  function updateStatus() {
    var v = visibleCounts();
    status.textContent = "Shown: " + plural(v.binders, "binder") + " among " + plural(v.nodes, "node") + ", " +
      plural(v.edges, "link") + " resting on " + plural(v.claims, "claim") + ", of the " + DATA.totalClaims +
      " claims in the graph. " + (v.edges === DATA.edges.length ? "" : state.view.type !== "all"
        ? "Choose “the whole map” to see the rest." : claimFilterActive() ? "Reset the filters to see the rest."
        : "Tick more types below to see the other " + (DATA.edges.length - v.edges) + " links.");
  }
  function fillSelect(sel, items) {
    items.forEach(function (it) {
      var o = el("option", null, it.label);
      o.value = it.id;
      sel.append(o);
    });
  }
  function claimFilter(id, items, key) {
    var sel = document.getElementById(id);
    fillSelect(sel, items);
    sel.addEventListener("change", function () { state[key] = sel.value; apply(false); });
  }
  function legendItem(ul, text, count, swatch, onToggle, checked) {
    var li = el("li"), label = el("label"), box = el("input");
    box.type = "checkbox";
    box.checked = checked;
    box.addEventListener("change", function () { onToggle(box.checked); apply(false); });
    label.append(box, swatch, el("span", null, text), el("span", "count", count));
    li.append(label);
    ul.append(li);
    return box;
  }
  function lineSwatch(r) {
    // The edge's colour and dash pattern, drawn as a CSS gradient.
    var sw = el("span", "swatch line"), d = Array.isArray(r.dashes) ? r.dashes : [1, 0], at = 0, stops = [];
    d.forEach(function (len, i) {
      stops.push((i % 2 ? "transparent " : r.color + " ") + at + "px " + (at + len) + "px");
      at += len;
    });
    sw.style.background = r.dashes ? "repeating-linear-gradient(90deg, " + stops.join(", ") + ")" : r.color;
    return sw;
  }
  function buildLegends() {
    var kindsUl = document.getElementById("legend-kinds"), relsUl = document.getElementById("legend-rels");
    DATA.kinds.forEach(function (k) {
      var n = DATA.nodes.filter(function (x) { return x.kind === k.key; }).length;
      if (!n) return;
      var sw = el("span", "swatch shape-" + k.shape);
      sw.style.background = k.color;
      var box = legendItem(kindsUl, k.label, n, sw, function (on) {
        if (on) state.hiddenKinds.delete(k.key); else state.hiddenKinds.add(k.key);
      }, !state.hiddenKinds.has(k.key));
      box.dataset.kind = k.key;
    });
    var bases = new Map();  // one checkbox per relation, covering its hedged and negative forms
    Object.keys(DATA.relations).forEach(function (key) {
      var r = DATA.relations[key];
      if (!bases.has(r.base) || r.stance === "positive") bases.set(r.base, r);
    });
    Array.from(bases.keys()).sort(function (a, b) {
      return (a.indexOf("ctx:") === 0) - (b.indexOf("ctx:") === 0) || bases.get(a).baseLabel.localeCompare(bases.get(b).baseLabel);
    }).forEach(function (base) {
      var r = bases.get(base), n = DATA.edges.filter(function (e) { return rel(e).base === base; }).length;
      var box = legendItem(relsUl, r.baseLabel, n, lineSwatch(r), function (on) {
        if (on) state.hiddenRels.delete(base); else state.hiddenRels.add(base);
      }, !state.hiddenRels.has(base));
      box.dataset.rel = base;
    });
  }
  function syncBoxes() {
    document.querySelectorAll("#legend-kinds input").forEach(function (b) { b.checked = !state.hiddenKinds.has(b.dataset.kind); });
    document.querySelectorAll("#legend-rels input").forEach(function (b) { b.checked = !state.hiddenRels.has(b.dataset.rel); });
  }
  function defaultTypes(view) {
    // The whole map opens on its first view; a narrowed view shows every kind and every relation but
    // the context ones among its nodes.
    state.hiddenKinds.clear();
    state.hiddenRels.clear();
    if (view.type === "all" && FIRST) {
      DATA.kinds.forEach(function (k) { if (FIRST.kinds.indexOf(k.key) < 0) state.hiddenKinds.add(k.key); });
      Object.keys(DATA.relations).forEach(function (key) {
        if (FIRST.rels.indexOf(DATA.relations[key].base) < 0) state.hiddenRels.add(DATA.relations[key].base);
      });
    } else if (view.type !== "all") {
      Object.keys(DATA.relations).forEach(function (key) { if (key.indexOf("ctx:") === 0) state.hiddenRels.add(key); });
    }
    syncBoxes();
  }
  function reset() {
    state.section = state.material = state.family = "";
    document.querySelectorAll(".filters select").forEach(function (s) { s.value = ""; });
    defaultTypes(state.view);
    apply(false);
  }
  function revealAll() {
    // A search, link or hash naming something hidden: show every type, drop the claim filters, leave the view.
    state.section = state.material = state.family = "";
    document.querySelectorAll(".filters select").forEach(function (s) { s.value = ""; });
    state.hiddenKinds.clear();
    state.hiddenRels.clear();
    if (state.view.type !== "all") { state.view = { type: "all" }; document.getElementById("v-type").value = "all"; showViewRows(); }
    syncBoxes();
    apply(false);
  }
  document.getElementById("reset").addEventListener("click", reset);

  // ------------------------------------------------------------------ the view picker
  var V = {
    type: document.getElementById("v-type"), family: document.getElementById("v-family"),
    binder: document.getElementById("v-binder"), depth: document.getElementById("v-depth"),
    group: document.getElementById("v-group"), question: document.getElementById("v-question"),
    answer: document.getElementById("v-answer"), note: document.getElementById("view-note"),
  };
  function byKind(kind) {
    return DATA.nodes.filter(function (n) { return n.kind === kind; })
      .map(function (n) { return { id: n.id, label: n.label }; })
      .sort(function (a, b) { return a.label.localeCompare(b.label); });
  }
  function fillAnswers() {
    var q = QUESTIONS[+V.question.value];
    V.answer.replaceChildren();
    if (!q) return;
    q.answers.forEach(function (a, i) {
      var o = el("option", null, a.label || "(no parameter)");
      o.value = String(i);
      V.answer.append(o);
    });
    document.getElementById("v-answer-label").textContent = q.param ? q.param : "";
    V.answer.hidden = !q.param;
  }
  function showViewRows() {
    var t = V.type.value;
    document.getElementById("v-family-row").hidden = t !== "family";
    document.getElementById("v-binder-row").hidden = t !== "neighbourhood";
    document.getElementById("v-group-row").hidden = t !== "group";
    document.getElementById("v-question-row").hidden = t !== "question";
  }
  function readView() {
    var t = V.type.value;
    if (t === "family") return { type: t, id: V.family.value };
    if (t === "neighbourhood") return { type: t, id: V.binder.value, depth: +V.depth.value };
    if (t === "group") return { type: t, id: V.group.value };
    if (t === "question") {
      var q = QUESTIONS[+V.question.value], a = q && q.answers[+V.answer.value];
      return a ? { type: t, nodes: a.nodes, title: q.title + (a.label ? ": " + a.label : "") } : { type: "all" };
    }
    return { type: "all" };
  }
  function viewTitle(v) {
    var label = function (id) { return (NODE.get(id) || {}).label || ""; };
    if (v.type === "family") return "Mechanism family: " + (DATA.families.find(function (f) { return f.id === v.id; }) || {}).label;
    if (v.type === "neighbourhood") return label(v.id) + " and its links, depth " + v.depth;
    if (v.type === "group") return "What " + label(v.id) + " does: binder → group → function";
    if (v.type === "question") return v.title;
    return DATA.view;
  }
  function setView(v) {
    state.view = v;
    document.getElementById("view-title").textContent = viewTitle(v);
    V.note.textContent = v.type === "all" ? "" : "Views show every relation among their nodes except context ones.";
    defaultTypes(v);
    if (state.selection) go("");
    apply(true);
  }
  function onViewChange() { showViewRows(); setView(readView()); }
  function buildViews() {
    fillSelect(V.family, DATA.families);
    fillSelect(V.binder, byKind("binder"));
    fillSelect(V.group, byKind("group"));
    QUESTIONS.forEach(function (q, i) {
      var o = el("option", null, q.title);
      o.value = String(i);
      V.question.append(o);
    });
    fillAnswers();
    [["family", DATA.families.length], ["neighbourhood", byKind("binder").length], ["group", byKind("group").length],
     ["question", QUESTIONS.length]].forEach(function (p) {
      if (!p[1]) V.type.querySelector('option[value="' + p[0] + '"]').remove();
    });
    V.question.addEventListener("change", function () { fillAnswers(); onViewChange(); });
    [V.type, V.family, V.binder, V.depth, V.group, V.answer].forEach(function (s) { s.addEventListener("change", onViewChange); });
  }

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
  function search(text) {
    var msg = document.getElementById("search-msg"), n = find(text);
    if (!n) { msg.textContent = "Nothing is called “" + text + "” in this map."; return null; }
    go(nodeHash(n.id));  // selecting zooms to its neighbourhood
    return n.id;
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
  var toggle = document.getElementById("drawer-toggle");
  toggle.addEventListener("click", function () {
    var open = document.body.classList.toggle("drawer-open");
    toggle.setAttribute("aria-expanded", String(open));
  });

  document.getElementById("view-title").textContent = DATA.view;
  claimFilter("f-section", DATA.sections, "section");
  claimFilter("f-material", DATA.materials, "material");
  claimFilter("f-family", DATA.families, "family");
  buildLegends();
  buildViews();
  fillNames();
  Object.assign(api, { network: network, nodes: nodes, edges: edges, apply: apply, reset: reset, search: search,
                       visibleCounts: visibleCounts, setView: setView, go: go, captionBoxes: captionBoxes,
                       captionsShown: function () { return captions() && !state.selection; },
                       showEdge: function (id) { selectEdge(id); }, showNode: function (id) { selectNode(id); } });

  // Open on the URL's selection, else on the view's focus; fit once the panel has its final width.
  fit();
  if (location.hash) applyHash();
  else if (DATA.focus && NODE.has(DATA.focus)) selectNode(DATA.focus);
  if (state.selection) fitSelection(selectionNodes()); else fit();
  loaded = true;
  updateStatus();
  requestAnimationFrame(function () {
    T.ready = performance.now();
    api.readyMs = Math.round(T.ready);
    document.documentElement.dataset.state = "ready";
  });
})();
