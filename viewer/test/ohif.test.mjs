// What a radiologist sees of HipOA's SR in a real PACS viewer: the prebuilt OHIF viewer (npm @ohif/app, its dist/
// served as it is, only app-config.js pointed at the PACS) opening a study in the local Orthanc that holds the film
// and HipOA's SR, in Debian's chromium driven by puppeteer-core. Started by infra/local OhifSrLabelsTest, which files
// the film and the SR and passes:
//   OHIF_DIST        the unpacked @ohif/app dist/ folder
//   DICOMWEB_ROOT    Orthanc's DICOMweb root (proxied under this server's origin: Orthanc sends no CORS headers)
//   STUDY_UID        the study to open
//   EXPECT           JSON {"right": ["text", ...], "left": [...]}: what each hip's label on the film must say
//   OUT_DIR          the screenshot goes here; CHROMIUM: the browser (default /usr/bin/chromium)
// Prints the labels it read as one JSON line ("labels: [...]"); exit 0 when every hip's label says what EXPECT says.
import puppeteer from 'puppeteer-core';
import http from 'node:http';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const DIST = env('OHIF_DIST');
const DICOMWEB = new URL(env('DICOMWEB_ROOT').replace(/\/+$/, ''));
const STUDY_UID = env('STUDY_UID');
const EXPECT = JSON.parse(env('EXPECT'));
const OUT_DIR = env('OUT_DIR', 'target/ohif');
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');
mkdirSync(OUT_DIR, { recursive: true });

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.html': 'text/html',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.woff2': 'font/woff2', '.ico': 'image/x-icon' };

// OHIF's own data source settings for a DICOMweb PACS, as a site would write them in app-config.js.
const appConfig = origin => `window.config = {
  routerBasename: '/', extensions: [], modes: [], showStudyList: true, maxNumberOfWebWorkers: 2,
  investigationalUseDialog: { option: 'never' }, showWarningMessageForCrossOrigin: false,
  showCPUFallbackMessage: false, showLoadingIndicator: true, strictZSpacingForVolumeViewport: true,
  defaultDataSourceName: 'pacs',
  dataSources: [{
    namespace: '@ohif/extension-default.dataSourcesModule.dicomweb', sourceName: 'pacs',
    configuration: { friendlyName: 'local Orthanc', name: 'orthanc',
      wadoUriRoot: '${origin}/dicom-web', qidoRoot: '${origin}/dicom-web', wadoRoot: '${origin}/dicom-web',
      qidoSupportsIncludeField: false, supportsReject: false, imageRendering: 'wadors', thumbnailRendering: 'wadors',
      enableStudyLazyLoad: true, supportsFuzzyMatching: false, supportsWildcard: true, dicomUploadEnabled: false,
      omitQuotationForMultipartRequest: true, bulkDataURI: { enabled: true } } }],
};`;

// Written here, not taken from npm: a static file server with an SPA fallback and one proxied prefix is a few lines of
// node:http, and the test's only dependency stays puppeteer-core (what infra/setup.sh installs for both browser tests).
function serve() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/dicom-web')) {
      const target = new URL(DICOMWEB.pathname + url.pathname.slice('/dicom-web'.length) + url.search, DICOMWEB);
      const up = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, r => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.on('error', e => { res.writeHead(502); res.end(String(e)); });
      req.pipe(up);
      return;
    }
    if (url.pathname === '/app-config.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(appConfig(`http://${req.headers.host}`));
      return;
    }
    let file = normalize(join(DIST, decodeURIComponent(url.pathname)));
    if (!file.startsWith(normalize(DIST)) || !existsSync(file) || statSync(file).isDirectory()) {
      file = join(DIST, 'index.html');   // the single-page app's routes (/viewer, ...) all load index.html
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise(ok => server.listen(0, '127.0.0.1', () => ok(server)));
}

const server = await serve();
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await puppeteer.launch({
  executablePath: CHROMIUM, headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--window-size=1700,1000'],
  defaultViewport: { width: 1700, height: 1000 },
});
let failed = null;
try {
  const page = await browser.newPage();
  page.on('pageerror', e => console.log(`page error: ${e.message}`));
  page.on('console', m => { if (['warn', 'error'].includes(m.type())) console.log(`console ${m.type()}: ${m.text()}`); });
  await page.goto(`${origin}/viewer?StudyInstanceUIDs=${STUDY_UID}`, { waitUntil: 'networkidle2', timeout: 120000 });
  // The SR series as a reader opens it: its thumbnail in the study browser, double-clicked into the viewport.
  const thumb = await page.waitForFunction(() => {
    const all = [...document.querySelectorAll('[data-cy^="study-browser-thumbnail"]')];
    return all.find(el => /HipOA machine grades/.test(el.textContent ?? '')) ?? null;
  }, { timeout: 120000 });
  if (process.env.OHIF_DEBUG) {
    console.log(await page.evaluate(() => [...document.querySelectorAll('*')]
      .filter(el => /HipOA machine grades/.test(el.textContent ?? '') && el.children.length < 6)
      .map(el => `${el.tagName} data-cy=${el.getAttribute('data-cy')} class=${el.className}`.slice(0, 200)).join('\n')));
  }
  // OHIF's first-visit tour covers the viewport; a reader skips it.
  await page.evaluate(() => [...document.querySelectorAll('button, a, span, div')]
    .find(el => el.children.length === 0 && el.textContent.trim() === 'Skip all')?.click());
  await thumb.asElement().click({ count: 2 });
  await page.evaluate(el => el.dispatchEvent(new MouseEvent('dblclick', { bubbles: true })), thumb.asElement());
  // Each hip's annotation label is SVG text on the viewport's annotation layer.
  const readLabels = () => page.evaluate(() => [...document.querySelectorAll('svg text')].map(t => ({
    text: [...t.querySelectorAll('tspan')].map(s => s.textContent.trim()).filter(Boolean).join('\n')
      || t.textContent.trim(),
    x: t.getBoundingClientRect().left,
  })).filter(l => l.text));
  // one label on the film carries all of that hip's texts
  const own = (labels, texts) => labels.find(l => texts.every(t => l.text.includes(t)));
  // Each label sits by its own hip once the film is drawn under it (before that, every mark is at the corner): on an
  // AP film the patient's right hip is on the image's left.
  const placed = labels => {
    const right = own(labels, EXPECT.right), left = own(labels, EXPECT.left);
    return right && left && right.x + 100 < left.x;
  };
  let labels = [];
  const deadline = Date.now() + 180000;
  while (Date.now() < deadline) {
    labels = await readLabels();
    if (placed(labels)) break;
    await new Promise(r => setTimeout(r, 1000));
  }
  console.log(`labels: ${JSON.stringify(labels)}`);
  await page.screenshot({ path: join(OUT_DIR, 'ohif-sr.png') });
  for (const [side, texts] of Object.entries(EXPECT)) {
    const label = own(labels, texts);
    if (!label) failed = `no label on the film says all of ${JSON.stringify(texts)} (${side} hip)`;
    else console.log(`ok - ${side} hip: ${JSON.stringify(label.text)} at x ${Math.round(label.x)}`);
  }
  if (!failed && !placed(labels)) failed = 'the labels are not beside their hips (is the film drawn?)';
} catch (e) {
  failed = e.message;
} finally {
  await browser.close();
  server.close();
}
if (failed) {
  console.log(`check failed: ${failed}`);
  process.exit(1);
}
