// html_check.mjs - drive Debian's chromium (headless, through puppeteer-core
// from npm, no browser download) over one dcsite HTML report and print what
// it saw as one JSON object on stdout; tests/e2e/test_html.py and
// tests/bench/html_bench.sh judge it.
//
//   node html_check.mjs '{"html": PATH, "shot": PNG, "offline": bool,
//                         "top_id": ID, "rule": INDEX, "row": N, "probe_ids": [ID, ...],
//                         "open_only": bool}'
//
// Environment: DCS_NODE_MODULES (where npm ci put puppeteer-core, e.g.
// build/npm/node_modules), CHROMIUM (default /usr/bin/chromium).
//
// Every request that is not file: or data: is recorded and aborted, so the
// page never reaches the network; with "offline" the browser is also put
// in offline mode (navigator.onLine false).  Steps: open the page and time
// it until the report's script has drawn every site; count the sites on
// the map; click the top site where it lies on the screen and read the
// popup and the highlighted table row; screenshot; click each of
// PROBE_IDS and read the rules its popup says it fails and nearly fails; keep only the excluded
// sites failing rule INDEX and count those shown; show all again; click
// table row N and read the zoom, the map's centre and the popup; sort
// the table by its first criterion, both ways, and read that column.
import { createRequire } from 'node:module';
import path from 'node:path';

const args = JSON.parse(process.argv[2]);
const require = createRequire(path.resolve(process.env.DCS_NODE_MODULES || 'build/npm/node_modules') + '/');
const puppeteer = require('puppeteer-core');

const out = { requests: [], page_errors: [], console_errors: [] };
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions',
         '--disable-background-networking', '--disable-component-update',
         '--disable-default-apps', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  if (args.offline) await page.setOfflineMode(true);
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const u = r.url();
    if (u.startsWith('file:') || u.startsWith('data:')) {
      r.continue();
    } else {
      out.requests.push(u);
      r.abort();
    }
  });
  page.on('pageerror', (e) => out.page_errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') out.console_errors.push(m.text()); });

  const t0 = Date.now();
  await page.goto('file://' + path.resolve(args.html), { waitUntil: 'load', timeout: 300000 });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 300000 });
  // one more frame so the canvas has drawn
  await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res))));
  out.open_ms = Date.now() - t0;
  out.timings = await page.evaluate(() => dcsReport.timings);
  out.features = await page.evaluate(() => dcsReport.data.sites.features.length);
  out.drawn = await page.evaluate(() => dcsReport.shown());
  out.shown_text = await page.$eval('.dcs-shown', (e) => e.textContent);
  out.online = await page.evaluate(() => navigator.onLine);
  if (args.open_only) {
    if (args.shot) await page.screenshot({ path: args.shot });
    throw null; // to finally
  }

  // the top site: a real click where it lies on the screen
  const at = await page.evaluate((id) => dcsReport.pixelOf(id), args.top_id);
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector('.leaflet-popup-content .pp-id', { timeout: 10000 });
  out.popup = await page.$eval('.leaflet-popup-content', (e) => ({
    rank: e.querySelector('.pp-rank').textContent,
    id: e.querySelector('.pp-id').textContent,
    score: e.querySelector('.pp-score').textContent,
    criteria: e.querySelectorAll('.pp-crit tr').length - 1,
    nearly: [...e.querySelectorAll('.pp-nearly li')].map((x) => x.textContent),
    text: e.textContent,
  }));
  out.selected_row = await page.evaluate(() => {
    const tr = document.querySelector('#ranking tbody tr.selected');
    return tr ? tr.querySelector('td.id').textContent : null;
  });
  await new Promise((res) => setTimeout(res, 400)); // the popup's fade-in and auto-pan
  if (args.shot) await page.screenshot({ path: args.shot });
  await page.click('.leaflet-popup-close-button');

  // probes: each site's popup, the rules it fails and nearly fails
  out.probes = {};
  for (const id of args.probe_ids || []) {
    // bring it into view (the first popup's auto-pan may have moved it out)
    await page.evaluate((x) => {
      const f = dcsReport.data.sites.features.find((g) => g.properties.id === x);
      dcsReport.map.panTo([f.properties.at[1], f.properties.at[0]], { animate: false });
    }, id);
    await new Promise((res) => setTimeout(res, 100));
    const at2 = await page.evaluate((x) => dcsReport.pixelOf(x), id);
    await page.mouse.click(at2.x, at2.y);
    await page.waitForFunction((x) => {
      const e = document.querySelector('.leaflet-popup-content .pp-id');
      return e && e.textContent === x;
    }, { timeout: 10000 }, id);
    out.probes[id] = await page.$eval('.leaflet-popup-content', (e) => ({
      rank: e.querySelector('.pp-rank').textContent,
      failed: [...e.querySelectorAll('.pp-failed li')].map((x) => x.textContent),
      nearly: [...e.querySelectorAll('.pp-nearly li')].map((x) => x.textContent),
    }));
    await new Promise((res) => setTimeout(res, 400)); // let the popup's auto-pan end
    await page.click('.leaflet-popup-close-button');
  }

  // filter: only the excluded sites failing one rule
  const boxes = await page.$$eval('#filters input[type=checkbox]', (l) => l.map((b) => b.id));
  for (const id of boxes) {
    if (id !== 'filter-rule-' + args.rule) await page.click('#' + id);
  }
  out.filter_boxes = boxes;
  out.filtered_drawn = await page.evaluate(() => dcsReport.shown());
  out.filtered_text = await page.$eval('.dcs-shown', (e) => e.getAttribute('data-shown'));
  for (const id of boxes) {
    if (id !== 'filter-rule-' + args.rule) await page.click('#' + id);
  }
  out.restored_drawn = await page.evaluate(() => dcsReport.shown());

  // a table row: the map zooms to its site and opens its popup
  out.zoom_before = await page.evaluate(() => dcsReport.map.getZoom());
  const sel = '#ranking tbody tr:nth-child(' + args.row + ')';
  out.row_id = await page.$eval(sel + ' td.id', (e) => e.textContent);
  await page.click(sel);
  await page.waitForFunction((id) => {
    const e = document.querySelector('.leaflet-popup-content .pp-id');
    return e && e.textContent === id;
  }, { timeout: 10000 }, out.row_id);
  out.zoom_after = await page.evaluate(() => dcsReport.map.getZoom());
  out.row_view = await page.evaluate((id) => {
    const f = dcsReport.data.sites.features.find((x) => x.properties.id === id);
    const b = dcsReport.map.getBounds();
    return { inside: b.contains([f.properties.at[1], f.properties.at[0]]),
             span_deg: b.getNorth() - b.getSouth() };
  }, out.row_id);
  out.row_popup_rank = await page.$eval('.leaflet-popup-content .pp-rank', (e) => e.textContent);
  out.row_selected = await page.evaluate(() => dcsReport.selected());

  // sorting: the first criterion's column, twice (largest first, then smallest)
  const column = () => page.$$eval('#ranking tbody tr', (rows) =>
    rows.map((r) => r.children[3].textContent));
  await page.click('#ranking th[data-key="c0"]');
  out.sorted_desc = await column();
  await page.click('#ranking th[data-key="c0"]');
  out.sorted_asc = await column();
  out.sort_heading = await page.$eval('#ranking th[data-key="c0"]', (e) => e.className);
} catch (e) {
  if (e !== null) out.error = String(e && e.stack || e);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
