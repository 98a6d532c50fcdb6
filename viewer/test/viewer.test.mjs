// The results viewer in a real browser: Debian's chromium, driven by puppeteer-core (which never downloads one),
// against a running local stack. Started by infra/local ViewerBrowserTest, which uploads the phantom studies and
// passes what it knows in the environment:
//   VIEWER_URL, API_URL, API_KEY, PROVIDER          the page, the API and the granted partner
//   HIDDEN_UPLOAD_IDS                                uploads of a provider this key was NOT granted (comma separated)
//   FORBIDDEN_STRINGS                                the phantom's patient names/IDs and study UIDs (JSON array)
//   OUT_DIR                                          screenshots go here; CHROMIUM: the browser (default /usr/bin/chromium)
// Exit 0 when every check held; otherwise the failed check's message and exit 1.
import puppeteer from 'puppeteer-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const VIEWER_URL = env('VIEWER_URL');
const API_URL = env('API_URL').replace(/\/+$/, '');
const API_KEY = env('API_KEY');
const PROVIDER = env('PROVIDER');
const HIDDEN = env('HIDDEN_UPLOAD_IDS', '').split(',').filter(Boolean);
const FORBIDDEN = JSON.parse(env('FORBIDDEN_STRINGS', '[]'));
const OUT_DIR = env('OUT_DIR', 'target/viewer');
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');
const FEATURES = ['fo', 'ao', 'jsn', 'sclerosis', 'cysts'];
const NOTICE = 'not for clinical use';

mkdirSync(OUT_DIR, { recursive: true });
const checks = [];
const check = (ok, what) => {
  checks.push(what);
  if (!ok) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
};

async function apiGet(path) {
  const r = await fetch(API_URL + path, { headers: { 'x-api-key': API_KEY } });
  if (!r.ok) throw new Error(`API ${path}: ${r.status}`);
  return r.json();
}

async function apiAll() {
  const all = [];
  let next = null;
  do {
    const q = new URLSearchParams({ limit: '100' });
    if (next) q.set('next', next);
    const page = await apiGet(`/v1/providers/${PROVIDER}/results?${q}`);
    all.push(...page.results);
    next = page.next;
  } while (next);
  return all;
}

const grade = (hip, f) => (typeof hip[f] === 'boolean' ? (hip[f] ? 1 : 0) : hip[f]);

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  // root in CI containers: chromium refuses to start its sandbox as root.
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--window-size=1280,900'],
});
const jsErrors = [];
const responses = [];
let exitCode = 0;
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('pageerror', (e) => jsErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Chromium logs every 4xx the page asked for and handled (a wrong key's 403 and the page's 404 probe that tells
    // it from a missing grant, another tenant's 404) as a failed resource: those are answers, not JavaScript errors.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
      jsErrors.push(`console: ${m.text()}`);
    }
  });
  page.on('response', async (r) => {
    if (r.request().method() === 'OPTIONS') return; // preflights have no body
    try {
      responses.push({ url: r.url(), status: r.status(), body: (await r.buffer()).toString('latin1') });
    } catch (e) {
      responses.push({ url: r.url(), status: r.status(), body: '', unread: e.message });
    }
  });
  const shot = async (name) => {
    await page.screenshot({ path: join(OUT_DIR, `${name}.png`), fullPage: true });
    const notice = await page.$eval('#notice', (n) => (n.offsetParent !== null || getComputedStyle(n).position === 'sticky') && n.textContent);
    check(typeof notice === 'string' && notice.toLowerCase().includes(NOTICE), `${name}: the not-for-clinical-use notice is on screen`);
  };
  const visible = (sel) => page.waitForSelector(sel, { visible: true, timeout: 15000 });
  const signIn = async (key, provider = PROVIDER) => {
    await visible('#api-key');
    await page.$eval('#api-url', (e, v) => { e.value = v; }, API_URL);
    await page.$eval('#provider', (e) => { e.value = ''; });
    await page.type('#provider', provider);
    await page.type('#api-key', key);
    await page.click('#key-form button[type=submit]');
  };

  // 1. The key form, with the API address from config.json.
  await page.goto(VIEWER_URL, { waitUntil: 'networkidle0' });
  await visible('#key-form');
  check(await page.$eval('#api-url', (e) => e.value.replace(/\/+$/, '')) === API_URL, 'config.json fills in the API address');
  await shot('01-sign-in');

  // 2. A wrong key: a sentence on screen and the form again, not a blank page.
  await signIn('not-a-key-anyone-was-given');
  await page.waitForFunction(() => !document.getElementById('message').hidden, { timeout: 15000 });
  const wrong = await page.$eval('#message', (e) => e.textContent);
  check(/did not accept this API key/.test(wrong), `wrong key: "${wrong}"`);
  check(await page.$eval('#view-key', (e) => !e.hidden), 'wrong key: the sign-in form is shown again');
  check(await page.evaluate(() => sessionStorage.getItem('hipoa.key')) === null, 'wrong key: not kept');
  await shot('02-wrong-key');

  // 3. The right key: the list, paged 5 at a time, holds exactly the API's results for this provider.
  await signIn(API_KEY);
  check(!page.url().includes(API_KEY), 'the key is not in the address');
  await page.waitForSelector('#results tbody tr[data-upload]', { timeout: 15000 });
  check(await page.evaluate(() => sessionStorage.getItem('hipoa.key')) !== null, 'the key is kept in sessionStorage');
  const expected = await apiAll();
  await page.select('#f-limit', '5');
  await page.click('#filters button[type=submit]');
  await page.waitForFunction(() => document.getElementById('results').dataset.state === 'ready'
    && document.querySelectorAll('#results tbody tr[data-upload]').length > 0
    && document.querySelectorAll('#results tbody tr[data-upload]').length <= 5);
  const listed = [];
  let pages = 0;
  for (;;) {
    pages += 1;
    const ids = await page.$$eval('#results tbody tr[data-upload]', (rows) => rows.map((r) => r.dataset.upload));
    listed.push(...ids);
    if (pages === 1) await shot('03-list');
    if (await page.$eval('#next-page', (b) => b.disabled)) break;
    const before = await page.$eval('#page-info', (e) => e.textContent);
    await page.click('#next-page');
    await page.waitForFunction((b) => document.getElementById('results').dataset.state === 'ready'
      && document.getElementById('page-info').textContent !== b, {}, before);
  }
  check(pages >= 2, `paging through next: ${pages} pages`);
  check(JSON.stringify(listed) === JSON.stringify(expected.map((r) => r.uploadId)),
    `the list shows the API's ${expected.length} results in order (page: ${listed.map((i) => i.slice(0, 6))}; API: ${expected.map((r) => r.uploadId.slice(0, 6))})`);
  check(HIDDEN.every((id) => !listed.includes(id)), 'no upload of a provider without a grant is listed');

  // 4. Status filter: the failed uploads only, with their reason in words.
  const failedIds = expected.filter((r) => r.status === 'FAILED').map((r) => r.uploadId);
  await page.select('#f-status', 'FAILED');
  await page.select('#f-limit', '100');
  await page.click('#filters button[type=submit]');
  await page.waitForFunction((n) => document.getElementById('results').dataset.state === 'ready'
    && document.querySelectorAll('#results tbody tr[data-upload]').length === n, { timeout: 15000 }, failedIds.length);
  const failedRows = await page.$$eval('#results tbody tr[data-upload]', (rows) => rows.map((r) => ({ id: r.dataset.upload, text: r.textContent })));
  check(JSON.stringify(failedRows.map((r) => r.id)) === JSON.stringify(failedIds), `status filter: ${failedIds.length} FAILED`);
  check(failedIds.length > 0 && failedRows.every((r) => /[A-Z_]{4,}/.test(r.text) && r.text.length > 60),
    'failed rows carry a reason code and a sentence');
  await shot('04-failed');
  await page.select('#f-status', '');
  await page.click('#filters button[type=submit]');
  await page.waitForFunction((n) => document.querySelectorAll('#results tbody tr[data-upload]').length === n, {}, Math.min(100, expected.length));

  // 4b. Order and dates are the API's own filters (order, since, until): newest first is the API's order reversed;
  // the uploads' own days hold them all; from the day after the last, none; an end before the start, a sentence.
  check(expected.length <= 100, 'one page of 100 holds every result');
  const ids = () => page.$$eval('#results tbody tr[data-upload]', (rows) => rows.map((r) => r.dataset.upload));
  const apply = async (f) => {
    await page.select('#f-order', f.order);
    await page.$eval('#f-from', (e, v) => { e.value = v; }, f.from);
    await page.$eval('#f-to', (e, v) => { e.value = v; }, f.to);
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('results').dataset.state), { timeout: 15000 });
  };
  const days = expected.map((r) => r.receivedAt.slice(0, 10)).sort();
  const dayAfterLast = new Date(Date.parse(`${days[days.length - 1]}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
  await apply({ order: 'desc', from: days[0], to: days[days.length - 1] });
  const newest = await ids();
  check(JSON.stringify(newest) === JSON.stringify(expected.map((r) => r.uploadId).reverse()),
    `newest first, ${days[0]} to ${days[days.length - 1]}: the API's ${expected.length} results, reversed`);
  await apply({ order: 'asc', from: dayAfterLast, to: '' });
  check((await ids()).length === 0 && await page.$eval('#empty', (e) => !e.hidden), `from ${dayAfterLast}: no results`);
  await apply({ order: 'asc', from: dayAfterLast, to: days[0] });
  const backwards = await page.$eval('#message', (e) => !e.hidden && e.textContent);
  check(/end date is before the start date/.test(backwards || ''), `an end before the start: "${backwards}"`);
  await apply({ order: 'asc', from: '', to: '' });
  check(JSON.stringify(await ids()) === JSON.stringify(expected.map((r) => r.uploadId)), 'filters cleared: every result again');

  // 5. Every graded study: both hips side by side, pictures loaded, each badge the API's grade.
  const graded = expected.filter((r) => r.status === 'GRADED');
  check(graded.length > 0, `${graded.length} graded studies to open`);
  let first = true;
  let notGradableSeen = 0;
  let notGradableShot = false;
  for (const r of graded) {
    await page.goto(`${VIEWER_URL.replace(/\/$/, '')}/#/upload/${r.uploadId}`, { waitUntil: 'networkidle0' });
    await page.waitForFunction(() => [...document.querySelectorAll('canvas.crop')].length === 2
      && [...document.querySelectorAll('canvas.crop')].every((c) => c.dataset.loaded), { timeout: 15000 });
    const loaded = await page.$$eval('canvas.crop', (cs) => cs.map((c) => `${c.dataset.side}:${c.dataset.loaded}:${c.dataset.px}`));
    check(loaded.every((l) => l.includes(':ok:')), `${r.uploadId.slice(0, 8)}: both hip pictures loaded (${loaded.join(', ')})`);
    const order = await page.$$eval('figure.hip', (fs) => fs.map((f) => f.dataset.side));
    check(order.join() === 'right,left', 'patient right hip on the viewer\'s left');
    const shown = await page.$$eval('.badge[data-testid]', (bs) => Object.fromEntries(bs.map((b) => [b.dataset.testid, Number(b.dataset.grade)])));
    const api = await apiGet(`/v1/uploads/${r.uploadId}`);
    let refused = 0;
    for (const side of ['right', 'left']) {
      if (api.hips[side].status === 'NOT_GRADABLE') {
        // A hip the grader refused: its reason in words, and not one grade badge.
        refused++;
        const box = await page.$eval(`[data-testid="not-gradable-${side}"]`, (e) => ({ reason: e.dataset.reason, text: e.textContent }));
        check(box.reason === api.hips[side].reason && box.text.startsWith('Not graded: ') && box.text.length > 30,
          `${r.uploadId.slice(0, 8)} ${side} hip: "${box.text}"`);
        check(FEATURES.every((f) => shown[`grade-${side}-${f}`] === undefined), `${side} hip: no grade shown`);
        notGradableSeen++;
        continue;
      }
      for (const f of FEATURES) {
        const want = grade(api.hips[side], f);
        if (shown[`grade-${side}-${f}`] !== want) {
          throw new Error(`check failed: ${r.uploadId} ${side} ${f}: page shows ${shown[`grade-${side}-${f}`]}, API says ${want}`);
        }
      }
    }
    check(true, `${r.uploadId.slice(0, 8)}: the page shows the API's ${10 - 5 * refused} grades`);
    if (refused > 0 && !notGradableShot) {
      await shot('05b-study-not-gradable');
      notGradableShot = true;
    }
    if (first && refused === 0) {
      await shot('05-study');
      // Heatmaps: five features, both hips, each explaining the grade the API gave; the overlay toggles on.
      for (const side of ['right', 'left']) {
        const cam = await apiGet(`/v1/uploads/${r.uploadId}/hips/${side}.cam.json`);
        check(cam.method === 'CAM' && FEATURES.every((f) => cam.features[f].grade === grade(api.hips[side], f)
          && cam.features[f].values.length === cam.rows * cam.cols), `${side} hip: CAM for all five features, of the grades given`);
      }
      await visible('#heat-toggle');
      await page.click('#heat');
      await page.waitForFunction(() => document.querySelectorAll('canvas.crop[data-heat="on"]').length === 2, { timeout: 15000 });
      await page.select('#heat-feature', 'jsn');
      await shot('06-study-heatmap');
      await page.click('#heat');
      await page.waitForFunction(() => document.querySelectorAll('canvas.crop[data-heat="off"]').length === 2, { timeout: 15000 });
      check(true, 'the heatmap overlay toggles on and off');
      first = false;
    }
  }

  const expectRefused = Number(process.env.EXPECT_NOT_GRADABLE || 0);
  check(notGradableSeen >= expectRefused, `${notGradableSeen} hips shown as not gradable (at least ${expectRefused} expected)`);

  // 6. Another tenant's upload, opened by its address: the API's 404 in words, nothing of the study.
  for (const id of HIDDEN) {
    await page.goto(`${VIEWER_URL.replace(/\/$/, '')}/#/upload/${id}`, { waitUntil: 'networkidle0' });
    await page.waitForFunction(() => !document.getElementById('message').hidden, { timeout: 15000 });
    const text = await page.$eval('#message', (e) => e.textContent);
    const nothing = (await page.$$('figure.hip')).length === 0 && await page.$eval('#heat-toggle', (e) => e.hidden);
    check(/no such result/i.test(text) && nothing, `another provider's upload: "${text}", nothing of it on screen`);
  }
  await shot('07-not-granted');

  // 6b. A good key and a provider it was not granted: both 403s say FORBIDDEN, yet this one is not the key's fault.
  await page.goto(VIEWER_URL, { waitUntil: 'networkidle0' });
  await page.click('#signout');
  await signIn(API_KEY, 'never-granted-clinic');
  await page.waitForFunction(() => !document.getElementById('message').hidden, { timeout: 15000 });
  const notGranted = await page.$eval('#message', (e) => e.textContent);
  check(/may not read the results of provider “never-granted-clinic”/.test(notGranted)
    && await page.$eval('#view-key', (e) => e.hidden), `provider not granted: "${notGranted}", the key kept`);

  // 7. Nothing the page loaded names a patient; no JavaScript error on any screen.
  const leaks = responses.flatMap((r) => FORBIDDEN.filter((s) => r.body.includes(s)).map((s) => `${s} in ${r.url}`));
  check(leaks.length === 0, `no patient name, ID or study UID in ${responses.length} responses${leaks.length ? `: ${leaks.join('; ')}` : ''}`);
  // The pictures decoded in the page (160 px, checked per study above); their bytes are checked in ViewerBrowserTest.
  // Every JSON answer must have been read, or the leak check above would prove nothing.
  const json = responses.filter((r) => r.url.startsWith(API_URL) && !r.url.endsWith('.png'));
  check(json.length > 0 && json.every((r) => r.body.length > 0), `all ${json.length} API answers read for that check`);
  check(jsErrors.length === 0, `no JavaScript errors${jsErrors.length ? `: ${jsErrors.join(' | ')}` : ''}`);
  console.log(`viewer: ${checks.length} checks passed; screenshots in ${OUT_DIR}`);
} catch (e) {
  console.error(e.message);
  if (jsErrors.length) console.error(`JavaScript errors: ${jsErrors.join(' | ')}`);
  exitCode = 1;
} finally {
  await browser.close();
}
process.exit(exitCode);
