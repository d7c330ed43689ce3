/* report.js - the script of dcsite's HTML report (reports/report_html.c
 * pastes it into every page after Leaflet and the data).
 *
 * Reads the run from <script id="dcs-data">, draws every site on a Leaflet
 * canvas (score-class colours; excluded sites grey and hatched; the top N
 * outlined in red and numbered), builds the legend, the filters (eligible
 * sites; excluded sites by each rule they fail) and the ranking table
 * (eligible sites, sortable, 100 rows a page), and links map and table:
 * a click on a site opens its popup and highlights its row; a click on a
 * row zooms to the site and opens its popup.  Text from the data goes
 * into the page only as text nodes (or through esc() for Leaflet's
 * attribution, which takes HTML).  window.dcsReport exposes a few read-
 * only helpers for tests (tests/e2e/html_check.mjs). */
(function () {
  'use strict';

  var T0 = performance.now();
  var timings = {};
  var D = JSON.parse(document.getElementById('dcs-data').textContent);
  timings.parse_ms = performance.now() - T0;
  var feats = D.sites.features;
  var PAGE = 100;
  var MAX_LABELS = 100;
  var TOP_RGB = '#e31a1c';
  var state = {
    eligible: true,
    rules: D.rules.map(function () { return true; }),
    sortKey: 'rank',
    sortDir: 1,
    page: 0,
    selected: -1
  };

  /* ---------------------------------------------------------- helpers */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function fmt(v) {
    if (v === null || v === undefined) return 'n/a';
    if (typeof v === 'string') return v;
    if (Math.abs(v) >= 1000) return v.toLocaleString('en-US', {maximumFractionDigits: 0});
    return String(Number(v.toPrecision(4)));
  }

  function withUnit(v, unit) {
    var t = fmt(v);
    return unit && v !== null && typeof v !== 'string' ? t + ' ' + unit : t;
  }

  function score4(v) { return v === null ? 'n/a' : v.toFixed(4); }

  function isEligible(p) { return p.rank > 0; }

  function ruleText(hit) {
    var r = D.rules[hit[0]];
    var s = r.name;
    if (r.op === 'coverage') return s + ': outside the layer\u2019s coverage';
    s += ': ' + withUnit(hit[1], r.unit);
    if (r.op === 'max') s += ' (max ' + fmt(r.limit) + ')';
    else if (r.op === 'min') s += ' (min ' + fmt(r.limit) + ')';
    else if (r.op === 'in') s += ' (one of ' + r.set.join(', ') + ')';
    else if (r.op === 'not_in') s += ' (none of ' + r.set.join(', ') + ')';
    return s;
  }

  /* ------------------------------------------------------------ style */

  function hatchPattern() {
    var c = document.createElement('canvas');
    c.width = c.height = 8;
    var g = c.getContext('2d');
    g.fillStyle = D.classes.excluded;
    g.fillRect(0, 0, 8, 8);
    g.strokeStyle = '#737373';
    g.lineWidth = 1.2;
    g.beginPath();
    g.moveTo(0, 8); g.lineTo(8, 0);
    g.moveTo(-2, 2); g.lineTo(2, -2);
    g.moveTo(6, 10); g.lineTo(10, 6);
    g.stroke();
    return g.createPattern(c, 'repeat');
  }
  var HATCH = hatchPattern();

  function colourOf(p) {
    if (!isEligible(p)) return D.classes.excluded;
    return p['class'] >= 0 ? D.classes.colours[p['class']] : D.classes.eligible;
  }

  function styleOf(p, selected) {
    var top = isEligible(p) && p.rank <= D.top_n;
    if (!isEligible(p))
      return {color: selected ? '#000' : '#969696', weight: selected ? 3 : 0.8,
              dashArray: selected ? null : '3 3', fillColor: HATCH, fillOpacity: 0.75};
    return {color: selected ? '#000' : top ? TOP_RGB : '#ffffff', weight: selected ? 4 : top ? 3 : 0.6,
            dashArray: null, fillColor: colourOf(p), fillOpacity: 0.85};
  }

  /* -------------------------------------------------------------- map */

  var map = L.map('map', {preferCanvas: true, zoomSnap: 0.25});
  var renderer = L.canvas({padding: 0.5});

  /* A site's polygon answers a click only inside its rings: Leaflet also
   * counts points near the outline (half its width), so a click inside a
   * small site beside a top site (thick outline, drawn later) would pick
   * the top site. */
  var SitePolygon = L.Polygon.extend({
    _containsPoint: function (p) {
      if (!this._pxBounds || !this._pxBounds.contains(p)) return false;
      var inside = false;
      this._parts.forEach(function (ring) {
        for (var a = 0, b = ring.length - 1; a < ring.length; b = a++) {
          var u = ring[a], v = ring[b];
          if ((u.y > p.y) !== (v.y > p.y) && p.x < u.x + (v.x - u.x) * (p.y - u.y) / (v.y - u.y))
            inside = !inside;
        }
      });
      return inside;
    }
  });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  L.control.scale({imperial: false}).addTo(map);
  if (D.basemap && navigator.onLine) {
    L.tileLayer(D.basemap, {maxZoom: 19, crossOrigin: false,
      attribution: D.basemap_attribution ? esc(D.basemap_attribution) : ''}).addTo(map);
  }

  /* GeoJSON [lon, lat] rings to Leaflet latlngs, growing the extent */
  var ext = [Infinity, Infinity, -Infinity, -Infinity];
  function ring(r) {
    var out = new Array(r.length);
    for (var j = 0; j < r.length; j++) {
      var x = r[j][0], y = r[j][1];
      if (x < ext[0]) ext[0] = x;
      if (y < ext[1]) ext[1] = y;
      if (x > ext[2]) ext[2] = x;
      if (y > ext[3]) ext[3] = y;
      out[j] = L.latLng(y, x);
    }
    return out;
  }

  /* one layer per site, all in one group that handles the clicks */
  var layers = new Array(feats.length);
  var byId = Object.create(null);
  var sites = L.featureGroup();
  feats.forEach(function (f, k) {
    var p = f.properties, g = f.geometry, lyr, opt = styleOf(p, false);
    byId[p.id] = k;
    opt.renderer = renderer;
    if (g && g.type === 'Polygon') {
      lyr = new SitePolygon(g.coordinates.map(ring), opt);
    } else if (g && g.type === 'MultiPolygon') {
      lyr = new SitePolygon(g.coordinates.map(function (poly) { return poly.map(ring); }), opt);
    } else {
      var c = g && g.type === 'Point' ? g.coordinates : p.at;
      ring([c]);
      opt.radius = 6;
      lyr = L.circleMarker([c[1], c[0]], opt);
    }
    lyr.dcsK = k;
    layers[k] = lyr;
  });
  sites.on('click', function (e) { select(e.layer.dcsK, false); });
  sites.addTo(map);
  timings.layers_ms = performance.now() - T0;
  if (ext[0] <= ext[2]) map.fitBounds([[ext[1], ext[0]], [ext[3], ext[2]]], {padding: [12, 12]});
  else map.setView([0, 0], 2);

  /* The top N, numbered: labels as markers that let clicks through,
   * placed again at every zoom, in rank order, each at the first of eight
   * spots around its site's point that covers no label placed before and
   * no top site's point (else the first spot). */
  var labels = L.layerGroup().addTo(map);
  var tops = [];
  feats.forEach(function (f) {
    var p = f.properties;
    if (!isEligible(p) || p.rank > D.top_n || p.rank > MAX_LABELS) return;
    var m = L.marker([p.at[1], p.at[0]], {interactive: false, keyboard: false,
                                          zIndexOffset: 1000 - p.rank});
    tops.push({rank: p.rank, ll: m.getLatLng(), marker: m});
    labels.addLayer(m);
  });
  tops.sort(function (a, b) { return a.rank - b.rank; });

  function overlaps(a, b) {
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }

  function placeLabels() {
    var taken = tops.map(function (t) {
      var q = map.latLngToLayerPoint(t.ll);
      return [q.x - 4, q.y - 4, q.x + 4, q.y + 4];
    });
    tops.forEach(function (t) {
      var q = map.latLngToLayerPoint(t.ll);
      var w = 8 * String(t.rank).length + 12, h = 20, g = 7;
      var spots = [[g, -h - g], [-w - g, -h - g], [g, g], [-w - g, g],
                   [-w / 2, -h - 2 * g], [-w / 2, 2 * g], [2 * g, -h / 2], [-w - 2 * g, -h / 2]];
      var pick = spots[0];
      for (var j = 0; j < spots.length; j++) {
        var box = [q.x + spots[j][0], q.y + spots[j][1], q.x + spots[j][0] + w, q.y + spots[j][1] + h];
        if (!taken.some(function (b) { return overlaps(box, b); })) { pick = spots[j]; break; }
      }
      taken.push([q.x + pick[0], q.y + pick[1], q.x + pick[0] + w, q.y + pick[1] + h]);
      t.marker.setIcon(L.divIcon({className: 'dcs-rank', html: String(t.rank), iconSize: null,
                                  iconAnchor: [-pick[0], -pick[1]]}));
    });
  }
  placeLabels();
  map.on('zoomend', placeLabels);

  /* ------------------------------------------------------------ popup */

  function popupContent(k) {
    var p = feats[k].properties;
    var box = el('div', 'dcs-popup');
    var h = el('div', 'pp-head');
    if (isEligible(p)) {
      h.appendChild(el('span', 'pp-rank', 'Rank ' + p.rank));
      h.appendChild(document.createTextNode(' \u00b7 '));
    } else {
      h.appendChild(el('span', 'pp-rank pp-excluded', 'Excluded'));
      h.appendChild(document.createTextNode(' \u00b7 '));
    }
    h.appendChild(el('span', 'pp-id', p.id));
    box.appendChild(h);
    var s = el('div', 'pp-scoreline', 'Score ');
    s.appendChild(el('span', 'pp-score', score4(p.score)));
    box.appendChild(s);
    if (D.criteria.length) {
      var t = el('table', 'pp-crit');
      var hr = el('tr');
      ['Criterion', 'Metric', 'Value', 'Weight', 'Contribution'].forEach(function (x) {
        hr.appendChild(el('th', null, x));
      });
      t.appendChild(hr);
      D.criteria.forEach(function (c, j) {
        var v = p.values[j];
        var tr = el('tr');
        tr.appendChild(el('td', null, c.name));
        tr.appendChild(el('td', null, withUnit(p.metrics[j], c.unit)));
        tr.appendChild(el('td', null, v === null ? 'n/a' : v.toFixed(3)));
        tr.appendChild(el('td', null, c.weight.toFixed(3)));
        tr.appendChild(el('td', null, (v === null ? 0 : c.weight * v).toFixed(4)));
        t.appendChild(tr);
      });
      box.appendChild(t);
    }
    function list(title, hits, cls) {
      if (!hits.length) return;
      box.appendChild(el('div', 'pp-title', title));
      var ul = el('ul', cls);
      hits.forEach(function (hit) { ul.appendChild(el('li', null, ruleText(hit))); });
      box.appendChild(ul);
    }
    list('Fails', p.failed, 'pp-failed');
    list('Nearly fails (within ' + Math.round(D.nearly * 100) + ' % of the limit)', p.nearly,
         'pp-nearly');
    if (p.gaps) box.appendChild(el('div', 'pp-gaps', 'Not covered by: ' + p.gaps));
    return box;
  }

  var popup = L.popup({maxWidth: 460, autoPanPadding: [20, 20]});
  map.on('popupclose', function () { highlight(-1); });

  function highlight(k) {
    if (state.selected >= 0) layers[state.selected].setStyle(styleOf(feats[state.selected].properties, false));
    state.selected = k;
    if (k >= 0) {
      layers[k].setStyle(styleOf(feats[k].properties, true));
      if (map.hasLayer(layers[k])) layers[k].bringToFront();
    }
    markRow();
  }

  function select(k, fromTable) {
    var p = feats[k].properties;
    var open = function () {
      popup.setLatLng([p.at[1], p.at[0]]).setContent(popupContent(k)).openOn(map);
      highlight(k);
      showRow(k);
    };
    if (fromTable) {
      var b = layers[k].getBounds ? layers[k].getBounds() : L.latLngBounds([[p.at[1], p.at[0]]]);
      map.once('moveend', open);
      map.fitBounds(b, {maxZoom: 15, padding: [60, 60], animate: false});
    } else {
      open();
    }
  }

  /* ---------------------------------------------------------- filters */

  function visible(p) {
    if (isEligible(p)) return state.eligible;
    for (var j = 0; j < p.failed.length; j++) if (state.rules[p.failed[j][0]]) return true;
    return false;
  }

  var shownEl = el('p', 'dcs-shown');
  function applyFilters() {
    var n = 0;
    feats.forEach(function (f, k) {
      var on = visible(f.properties);
      if (on) n++;
      if (on && !sites.hasLayer(layers[k])) sites.addLayer(layers[k]);
      else if (!on && sites.hasLayer(layers[k])) sites.removeLayer(layers[k]);
    });
    if (state.eligible) labels.addTo(map); else labels.remove();
    shownEl.textContent = n + ' of ' + feats.length + ' sites shown';
    shownEl.setAttribute('data-shown', String(n));
    return n;
  }

  function checkbox(label, count, checked, onChange, id) {
    var lab = el('label', 'dcs-check');
    var box = el('input');
    box.type = 'checkbox';
    box.checked = checked;
    if (id) box.id = id;
    box.addEventListener('change', function () { onChange(box.checked); applyFilters(); });
    lab.appendChild(box);
    lab.appendChild(document.createTextNode(' ' + label + ' '));
    lab.appendChild(el('span', 'dcs-count', '(' + count + ')'));
    return lab;
  }

  function buildFilters() {
    var f = document.getElementById('filters');
    f.appendChild(el('h2', null, 'Show'));
    f.appendChild(checkbox('Eligible sites', D.counts.eligible, true,
                           function (on) { state.eligible = on; }, 'filter-eligible'));
    var used = D.rules.filter(function (r) { return r.sites > 0; });
    if (used.length) {
      f.appendChild(el('div', 'dcs-sub', 'Excluded sites, by a rule they fail:'));
      D.rules.forEach(function (r, j) {
        if (r.sites > 0)
          f.appendChild(checkbox(r.name, r.sites, true, function (on) { state.rules[j] = on; },
                                 'filter-rule-' + j));
      });
    }
    f.appendChild(shownEl);
  }

  /* ----------------------------------------------------------- legend */

  function buildLegend() {
    var g = document.getElementById('legend');
    g.appendChild(el('h2', null, 'Legend'));
    var c = D.classes;
    if (c.colours.length) {
      g.appendChild(el('div', 'dcs-sub', 'Score (quantile classes of the eligible sites)'));
      c.colours.forEach(function (col, k) {
        var row = el('div', 'dcs-key');
        var sw = el('span', 'dcs-swatch');
        sw.style.background = col;
        row.appendChild(sw);
        row.appendChild(document.createTextNode(c.breaks[k].toFixed(3) + ' \u2013 ' + c.breaks[k + 1].toFixed(3)));
        g.appendChild(row);
      });
    } else {
      var r0 = el('div', 'dcs-key');
      var s0 = el('span', 'dcs-swatch');
      s0.style.background = c.eligible;
      r0.appendChild(s0);
      r0.appendChild(document.createTextNode('eligible'));
      g.appendChild(r0);
    }
    var r1 = el('div', 'dcs-key');
    r1.appendChild(el('span', 'dcs-swatch dcs-hatch'));
    r1.appendChild(document.createTextNode('excluded (' + D.counts.excluded + ')'));
    g.appendChild(r1);
    var r2 = el('div', 'dcs-key');
    r2.appendChild(el('span', 'dcs-swatch dcs-top'));
    r2.appendChild(document.createTextNode('top ' + D.top_n + ', numbered by rank'));
    g.appendChild(r2);
    g.appendChild(el('p', 'dcs-note', D.counts.candidates + ' candidate sites, ' + D.counts.eligible +
      ' eligible. Outlines simplified at ' + D.simplify_m + ' m; coordinates to ' + D.decimals +
      ' decimals. Working CRS: ' + (D.crs || 'n/a') + '.'));
  }

  /* ------------------------------------------------------------ table */

  var rows = [];
  feats.forEach(function (f, k) { if (isEligible(f.properties)) rows.push(k); });
  var columns = [
    {key: 'rank', title: 'Rank', get: function (p) { return p.rank; }},
    {key: 'id', title: 'Site', get: function (p) { return p.id; }},
    {key: 'score', title: 'Score', get: function (p) { return p.score; }}
  ];
  D.criteria.forEach(function (c, j) {
    columns.push({key: 'c' + j, title: c.name, crit: true,
                  get: function (p) { return p.values[j]; }});
  });

  function sortRows() {
    var col = columns.filter(function (c) { return c.key === state.sortKey; })[0];
    var dir = state.sortDir;
    rows.sort(function (a, b) {
      var x = col.get(feats[a].properties), y = col.get(feats[b].properties);
      if (x === null && y === null) return feats[a].properties.rank - feats[b].properties.rank;
      if (x === null) return 1;
      if (y === null) return -1;
      var c = typeof x === 'string' ? x.localeCompare(y) : x - y;
      return c ? c * dir : feats[a].properties.rank - feats[b].properties.rank;
    });
  }

  function buildHead() {
    var thead = document.querySelector('#ranking thead');
    thead.textContent = '';
    var tr = el('tr');
    columns.forEach(function (c) {
      var th = el('th', c.crit ? 'crit' : null, c.title);
      th.setAttribute('data-key', c.key);
      th.title = 'Sort by ' + c.title;
      if (c.key === state.sortKey) {
        th.className += state.sortDir > 0 ? ' asc' : ' desc';
        th.setAttribute('aria-sort', state.sortDir > 0 ? 'ascending' : 'descending');
      }
      th.addEventListener('click', function () {
        if (state.sortKey === c.key) state.sortDir = -state.sortDir;
        else { state.sortKey = c.key; state.sortDir = c.key === 'rank' || c.key === 'id' ? 1 : -1; }
        sortRows();
        state.page = 0;
        buildHead();
        renderRows();
      });
      tr.appendChild(th);
    });
    thead.appendChild(tr);
  }

  function renderRows() {
    var tbody = document.querySelector('#ranking tbody');
    tbody.textContent = '';
    var from = state.page * PAGE, to = Math.min(rows.length, from + PAGE);
    for (var r = from; r < to; r++) {
      var k = rows[r], p = feats[k].properties;
      var tr = el('tr');
      tr.setAttribute('data-k', String(k));
      columns.forEach(function (c) {
        var v = c.get(p);
        var txt = c.key === 'score' ? score4(v) : c.crit ? (v === null ? 'n/a' : v.toFixed(3)) : v;
        tr.appendChild(el('td', c.key === 'id' ? 'id' : 'num', txt));
      });
      tr.addEventListener('click', (function (kk) { return function () { select(kk, true); }; })(k));
      tbody.appendChild(tr);
    }
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    var pager = document.getElementById('pager');
    pager.textContent = '';
    var prev = el('button', null, '\u2190 previous');
    prev.disabled = state.page === 0;
    prev.addEventListener('click', function () { state.page--; renderRows(); });
    var next = el('button', null, 'next \u2192');
    next.disabled = state.page >= pages - 1;
    next.addEventListener('click', function () { state.page++; renderRows(); });
    pager.appendChild(prev);
    pager.appendChild(el('span', null, ' rows ' + (rows.length ? from + 1 : 0) + '\u2013' + to +
                         ' of ' + rows.length + ' '));
    pager.appendChild(next);
    markRow();
  }

  function markRow() {
    var trs = document.querySelectorAll('#ranking tbody tr');
    for (var j = 0; j < trs.length; j++)
      trs[j].classList.toggle('selected', Number(trs[j].getAttribute('data-k')) === state.selected);
  }

  function showRow(k) {
    var pos = rows.indexOf(k);
    if (pos < 0) return;
    var page = Math.floor(pos / PAGE);
    if (page !== state.page) { state.page = page; renderRows(); }
    markRow();
    var tr = document.querySelector('#ranking tbody tr[data-k="' + k + '"]');
    if (tr) tr.scrollIntoView({block: 'nearest'});
  }

  /* ------------------------------------------------------------- go */

  buildLegend();
  buildFilters();
  document.getElementById('table-note').textContent =
    'Eligible sites, best first; click a heading to sort, a row to find the site on the map.';
  sortRows();
  buildHead();
  renderRows();
  applyFilters();
  timings.added_ms = performance.now() - T0;
  requestAnimationFrame(function () {
    requestAnimationFrame(function () { timings.drawn_ms = performance.now() - T0; });
  });

  window.dcsReport = {
    timings: timings,
    data: D,
    map: map,
    shown: function () {
      var n = 0;
      layers.forEach(function (l) { if (map.hasLayer(l)) n++; });
      return n;
    },
    pixelOf: function (id) {
      var p = feats[byId[id]].properties;
      var pt = map.latLngToContainerPoint([p.at[1], p.at[0]]);
      var r = map.getContainer().getBoundingClientRect();
      return {x: r.left + pt.x, y: r.top + pt.y};
    },
    selected: function () { return state.selected >= 0 ? feats[state.selected].properties.id : null; }
  };
  document.body.setAttribute('data-ready', '1');
})();
