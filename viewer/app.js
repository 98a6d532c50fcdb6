// HipOA results viewer: a static page over the partner API (docs/PIPELINE.md). No build step, no library: the DOM
// and fetch are enough for a list, a detail view and two pictures.

const STORE = window.sessionStorage; // the key lives as long as this tab, never in an address or in localStorage
const FEATURES = [
  { key: 'fo', name: 'Femoral osteophytes', labels: ['0 none', '1 small', '2 moderate', '3 large'] },
  { key: 'ao', name: 'Acetabular osteophytes', labels: ['0 none', '1 small', '2 moderate', '3 large'] },
  { key: 'jsn', name: 'Joint space narrowing', labels: ['0 none', '1 mild', '2 moderate', '3 severe'] },
  { key: 'sclerosis', name: 'Subchondral sclerosis', labels: ['absent', 'present'] },
  { key: 'cysts', name: 'Subchondral cysts', labels: ['absent', 'present'] },
];

// Every failure reason the pipeline records (functions/domain Reason), in words a person can act on.
const REASONS = {
  NOT_DICOM: 'The file is not a DICOM image. Send the radiograph as a DICOM (.dcm) file.',
  TRUNCATED: 'The file is incomplete: it ends before the image does. Upload it again; if it fails again, export it again from the PACS.',
  NO_PIXEL_DATA: 'The DICOM file holds no image (for example a report or a structured document).',
  UNSUPPORTED_TRANSFER_SYNTAX: 'The image is compressed in a format HipOA cannot read (for example JPEG-LS or 12-bit lossy JPEG). Export it uncompressed, or as JPEG lossless or JPEG 2000.',
  UNSUPPORTED_PHOTOMETRIC: 'The image is in colour. HipOA grades greyscale radiographs only.',
  MULTIFRAME: 'The file holds several frames. A pelvis radiograph is one frame.',
  TOO_LARGE: 'The image is larger than HipOA accepts (256 MiB or 40 megapixels).',
  HIPS_NOT_FOUND: 'HipOA could not find both hip joints on this image, so it did not grade it.',
  NOT_AP_PELVIS: 'This does not look like an AP pelvis radiograph (by its modality, view or body part, or it is too small to hold both hips).',
  IMPLAUSIBLE_GEOMETRY: 'The image decodes, but its size attributes are wrong (its pixel spacing or its rows and columns describe a film no radiograph has), so nothing measured on it would be right. Correct the pixel spacing in the PACS or at the modality, then send it again.',
  CORRUPT: 'The file is damaged: its structure or its image data is inconsistent.',
  BAD_KEY: 'The file was uploaded to a place HipOA does not grade from (it must be under incoming/{provider}/).',
  SOURCE_MISSING: 'The uploaded file was deleted or replaced before HipOA could read it.',
  SOURCE_UNREADABLE: 'HipOA was not allowed to read the uploaded file (its encryption, storage class or access settings). Upload it again with the bucket\'s default settings.',
  CROPS_UNREADABLE: 'An internal intermediate result had expired or was damaged. Upload the study again.',
  INTERNAL: 'HipOA failed on this upload for a reason of its own, not the file\'s. Its operators have the details; upload it again later.',
  DEAD_LETTERED: 'Grading this upload failed every time it was tried, so HipOA stopped. Its operators have the details.',
  TIMED_OUT: 'This upload was not finished within HipOA\'s time limit and was ended. Upload it again.',
};
const STAGES = { PREPROCESS: 'while reading the image', INFERENCE: 'while grading' };

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};

const state = {
  api: '', key: '', provider: '',
  page: { tokens: [null], index: 0, next: null },
  objectUrls: [],
  heat: { on: false, feature: 'fo', maps: {} }, // maps: side -> the API's {side}.cam.json, for the open study
};

class ApiProblem extends Error {
  constructor(status, code, text, gateway = false) {
    super(text);
    this.status = status;
    this.code = code;
    this.gateway = gateway; // API Gateway's own answer (a key it does not know), not the function's
  }
}

// Every error, the function's and API Gateway's own, is RFC 9457 problem+json {type, title, status, detail, code}
// (functions/api/openapi.yaml).
async function problemOf(response) {
  let body = {};
  try { body = await response.json(); } catch { /* not JSON: fall back to the status */ }
  const code = body.code || (response.status === 403 ? 'FORBIDDEN' : `HTTP_${response.status}`);
  return { code, detail: body.detail || body.title || '' };
}

// A 403 is either API Gateway refusing the key or the function refusing a provider the key is not granted; both say
// FORBIDDEN. Only a listing can be the second, so for a listing ask once more where no grant matters: an upload id
// that exists nowhere is a 404 to any valid key and a 403 only from the gateway.
async function keyRefused(path) {
  if (!/^\/v1\/providers\//.test(path)) return true;
  try {
    const r = await fetch(`${state.api}/v1/uploads/${'0'.repeat(32)}`, { headers: { 'x-api-key': state.key }, cache: 'no-store' });
    return r.status === 403;
  } catch {
    return false;
  }
}

function explain(status, p) {
  if (status === 403 && p.gateway) {
    return 'The API did not accept this API key. Check that it was copied completely, or ask the HipOA operator for a new one.';
  }
  if (status === 403) {
    return `This API key may not read the results of provider “${state.provider}”. Check the provider name, or ask the HipOA operator to grant it.`;
  }
  if (status === 404) return 'There is no such result for this API key.';
  if (status === 429) return 'Too many requests for this API key just now. Wait a minute and try again.';
  if (status >= 500) return 'The API could not answer just now. Try again in a minute.';
  return p.detail || `The API answered ${status}.`;
}

async function api(path, { accept = 'application/json' } = {}) {
  let response;
  try {
    response = await fetch(state.api + path, { headers: { 'x-api-key': state.key, Accept: accept }, cache: 'no-store' });
  } catch {
    throw new ApiProblem(0, 'UNREACHABLE', `Could not reach the API at ${state.api}. Check the address; the API must allow this page's origin (${location.origin}).`);
  }
  if (!response.ok) {
    const p = await problemOf(response);
    p.gateway = response.status === 403 && await keyRefused(path);
    throw new ApiProblem(response.status, p.code, explain(response.status, p), p.gateway);
  }
  return accept === 'application/json' ? response.json() : response.blob();
}

function showMessage(text, kind = 'error') {
  const m = $('message');
  m.textContent = text;
  m.className = `message ${kind}`;
  m.hidden = !text;
}

function show(view) {
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${view}`;
  const signedIn = view !== 'key';
  $('signout').hidden = !signedIn;
  $('who').hidden = !signedIn;
  $('who').textContent = signedIn ? `provider ${state.provider}` : '';
}

function releaseImages() {
  state.objectUrls.forEach((u) => URL.revokeObjectURL(u));
  state.objectUrls = [];
}

// ---- sign-in -------------------------------------------------------------------------------------------------

async function defaultApi() {
  try {
    const r = await fetch('config.json', { cache: 'no-store' });
    if (r.ok) return (await r.json()).apiBaseUrl || '';
  } catch { /* no config beside the page: the partner types the address */ }
  return '';
}

function signIn(event) {
  event.preventDefault();
  state.api = $('api-url').value.trim().replace(/\/+$/, '');
  state.key = $('api-key').value.trim();
  state.provider = $('provider').value.trim();
  STORE.setItem('hipoa.api', state.api);
  STORE.setItem('hipoa.key', state.key);
  STORE.setItem('hipoa.provider', state.provider);
  $('api-key').value = '';
  resetPaging();
  if (location.hash === '#/' || location.hash === '') route(); else location.hash = '#/';
}

// A key the API does not know: back to the form, with the reason on screen (never a blank page).
function askForKey(text) {
  STORE.removeItem('hipoa.key');
  state.key = '';
  show('key');
  showMessage(text);
}

function signOut() {
  STORE.removeItem('hipoa.key');
  state.key = '';
  releaseImages();
  showMessage('');
  location.hash = '#/';
  route();
}

// ---- list ----------------------------------------------------------------------------------------------------

function resetPaging() {
  state.page = { tokens: [null], index: 0, next: null };
}

function filters() {
  return {
    status: $('f-status').value,
    from: $('f-from').value, // yyyy-mm-dd, UTC days
    to: $('f-to').value,
    order: $('f-order').value,
    limit: $('f-limit').value,
  };
}

// The day after yyyy-mm-dd, as the API's exclusive `until`: "to 2026-12-01" takes in all of that UTC day.
function dayAfter(day) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

// Every filter goes to the API (status, since, until, order), so each page is a full page of matches and `next`
// continues the same query (the API refuses a cursor sent with other filters).
function listQuery(f, token) {
  const q = new URLSearchParams({ limit: f.limit });
  if (f.status) q.set('status', f.status);
  if (f.from) q.set('since', `${f.from}T00:00:00Z`);
  if (f.to) q.set('until', dayAfter(f.to));
  if (f.order === 'desc') q.set('order', 'desc');
  if (token) q.set('next', token);
  return `/v1/providers/${encodeURIComponent(state.provider)}/results?${q}`;
}

function notGradable(h) {
  return h && h.status === 'NOT_GRADABLE';
}

function hipSummary(h) {
  if (!h) return '–';
  if (notGradable(h)) return `not gradable (${h.reason.toLowerCase().replaceAll('_', ' ')})`;
  return FEATURES.map((x) => `${x.key.toUpperCase().slice(0, 3)} ${gradeOf(h, x.key)}`).join(' · ');
}

function gradeOf(hip, key) {
  const v = hip[key];
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

function utc(iso) {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '') : '';
}

async function showList() {
  show('list');
  const f = filters();
  const token = state.page.tokens[state.page.index];
  const body = $('results').querySelector('tbody');
  $('results').dataset.state = 'loading'; // what a test (or a screen reader's live region) can wait on
  if (f.from && f.to && f.to < f.from) {
    body.replaceChildren();
    $('results').dataset.state = 'error';
    showMessage('The end date is before the start date.');
    return;
  }
  body.replaceChildren(el('tr', {}, el('td', { colspan: 5, text: 'Loading…' })));
  let page;
  try {
    page = await api(listQuery(f, token));
  } catch (e) {
    body.replaceChildren();
    $('results').dataset.state = 'error';
    if (e.status === 403 && e.gateway) return askForKey(e.message);
    showMessage(e.message);
    return;
  }
  showMessage('');
  const rows = page.results || [];
  const next = page.next || null;
  // A page may hold fewer rows than asked while more follow (the API filters status as it reads); only a null
  // `next` ends the listing.
  state.page.next = next;
  body.replaceChildren(...rows.map(resultRow));
  $('empty').hidden = rows.length > 0;
  $('next-page').disabled = !next;
  $('first-page').disabled = state.page.index === 0;
  $('page-info').textContent = `page ${state.page.index + 1}`;
  $('results').dataset.state = 'ready';
}

function resultRow(r) {
  const link = el('a', { href: `#/upload/${r.uploadId}`, text: r.uploadId.slice(0, 12) + '…', title: r.uploadId });
  let grades;
  if (r.status === 'GRADED') {
    grades = el('span', { class: 'mono', text: `${hipSummary(r.hips?.right)}  |  ${hipSummary(r.hips?.left)}` });
  } else if (r.status === 'FAILED' && r.failure) {
    grades = el('span', {}, el('code', { text: r.failure.reason }), ` ${REASONS[r.failure.reason] || r.failure.message || ''}`);
  } else {
    grades = el('span', { class: 'hint', text: 'not graded yet' });
  }
  return el('tr', { 'data-upload': r.uploadId },
    el('td', { text: utc(r.receivedAt) }),
    el('td', {}, el('span', { class: `status ${r.status}`, text: r.status })),
    el('td', {}, grades),
    el('td', { text: r.model ? `${r.model.name} ${r.model.version}` : '–' }),
    el('td', {}, link));
}

// ---- one study -----------------------------------------------------------------------------------------------

async function showStudy(uploadId) {
  show('study');
  releaseImages();
  state.heat.maps = {};
  $('heat-toggle').hidden = true; // until this study's heatmaps have loaded
  $('study-head').replaceChildren(el('p', { text: 'Loading…' }));
  $('failure').replaceChildren();
  $('hips').replaceChildren();
  let r;
  try {
    r = await api(`/v1/uploads/${encodeURIComponent(uploadId)}`);
  } catch (e) {
    $('study-head').replaceChildren();
    if (e.status === 403 && e.gateway) return askForKey(e.message);
    showMessage(e.message);
    return;
  }
  showMessage('');
  const spacing = r.spacing?.assumed ? ' — pixel spacing assumed, millimetres approximate' : '';
  $('study-head').replaceChildren(
    el('h2', {}, 'Upload ', el('code', { text: r.uploadId }), ' ', el('span', { class: `status ${r.status}`, text: r.status })),
    el('p', { class: 'hint', text: `received ${utc(r.receivedAt)} UTC · updated ${utc(r.updatedAt)} UTC · `
      + (r.model ? `model ${r.model.name} ${r.model.version}` : 'no model yet') + spacing }));
  if (r.status === 'FAILED' && r.failure) {
    const f = r.failure;
    $('failure').replaceChildren(el('div', { class: 'failure' },
      el('p', {}, el('strong', { text: 'Not graded: ' }), REASONS[f.reason] || 'The pipeline stopped on this upload.'),
      el('p', { class: 'hint' }, `Reason code `, el('code', { text: f.reason }),
        ` ${STAGES[f.stage] || ''}${f.message ? ` — “${f.message}”` : ''}`)));
    return;
  }
  if (r.status !== 'GRADED') {
    $('failure').replaceChildren(el('p', { class: 'hint', text: 'Not graded yet; reload in a moment.' }));
    return;
  }
  // Radiological convention: the patient's right hip on the viewer's left.
  $('hips').replaceChildren(hipPanel(r, 'right'), hipPanel(r, 'left'));
  loadHeatmaps(r.uploadId);
}

// ---- where the model looked (class activation maps, computed by the inference function) -------------------------

async function loadHeatmaps(uploadId) {
  state.heat.maps = {};
  $('heat-toggle').hidden = true;
  try {
    const [right, left] = await Promise.all(['right', 'left'].map((side) =>
      api(`/v1/uploads/${encodeURIComponent(uploadId)}/hips/${side}.cam.json`)));
    state.heat.maps = { right, left };
  } catch {
    return; // a model without CAM outputs stores none: no toggle, nothing to explain
  }
  $('heat-toggle').hidden = false;
  repaintAll();
}

function heatScale(feature) {
  // One scale for both hips of the study, so their colours compare.
  let max = 0;
  for (const m of Object.values(state.heat.maps)) {
    for (const v of m.features[feature].values) max = Math.max(max, v);
  }
  return max;
}

function repaintAll() {
  for (const c of document.querySelectorAll('canvas.crop')) paint(c);
}

function paint(canvas) {
  const img = canvas.hipImage;
  if (!img) return;
  const ctx = canvas.getContext('2d');
  const size = canvas.width;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(img, 0, 0, size, size);
  const maps = state.heat.maps[canvas.dataset.side];
  const on = state.heat.on && Boolean(maps);
  if (on) {
    const m = maps.features[state.heat.feature];
    const scale = heatScale(state.heat.feature);
    const grid = document.createElement('canvas');
    grid.width = maps.cols;
    grid.height = maps.rows;
    const g = grid.getContext('2d');
    const data = g.createImageData(maps.cols, maps.rows);
    m.values.forEach((v, i) => {
      const t = scale > 0 ? Math.max(0, v) / scale : 0;
      data.data.set([255, Math.round(220 * (1 - t)), 0, Math.round(170 * t)], 4 * i);
    });
    g.putImageData(data, 0, 0);
    ctx.imageSmoothingEnabled = true; // bilinear between cell centres
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(grid, 0, 0, size, size);
  }
  canvas.dataset.heat = on ? 'on' : 'off';
  // The crop is centred on the localiser's head centre, so its centre is the mark.
  const c = size / 2;
  ctx.strokeStyle = on ? '#00e5ff' : '#ff3b30';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(c - 12, c); ctx.lineTo(c + 12, c); ctx.moveTo(c, c - 12); ctx.lineTo(c, c + 12);
  ctx.stroke();
}

function hipPanel(r, side) {
  const hip = r.hips[side];
  const canvas = el('canvas', { width: 320, height: 320, class: 'crop', 'data-side': side,
    'aria-label': `${side} hip crop` });
  // A refused hip shows why, in plain words, and no grades: a grade the model was not allowed to give is not shown.
  const features = notGradable(hip)
    ? [el('div', { class: 'not-gradable', 'data-testid': `not-gradable-${side}`, 'data-reason': hip.reason },
      // The API states the reason in words (NotGradable.plainWords): shown as it is, not written again here.
      el('strong', { text: 'Not graded: ' }), hip.reasonText || hip.reason)]
    : FEATURES.map((f) => featureRow(hip, f, side));
  const panel = el('figure', { class: 'hip', 'data-side': side },
    el('figcaption', {}, el('h3', { text: `Patient's ${side} hip` }),
      el('p', { class: 'hint', text: side === 'left'
        ? 'Mirrored into right orientation, as the grader sees it. '
        : 'As the grader sees it. ' }),
      el('p', { class: 'hint', text: `Localiser centre (+) at ${hip.centerMm[0].toFixed(1)}, ${hip.centerMm[1].toFixed(1)} mm on the film.` })),
    canvas, el('div', { class: 'features' }, ...features));
  loadCrop(r.uploadId, side, canvas);
  return panel;
}

function featureRow(hip, f, side) {
  const grade = gradeOf(hip, f.key);
  const probs = hip.probabilities?.[f.key] || [];
  const bars = probs.map((p, i) => el('div', { class: `bar${i === grade ? ' chosen' : ''}` },
    el('span', { class: 'bar-label', text: f.labels[i] ?? String(i) }),
    el('span', { class: 'bar-track' }, barFill(p)),
    el('span', { class: 'bar-value', text: `${(100 * p).toFixed(1)} %` })));
  const row = el('div', { class: 'feature', 'data-feature': f.key, title: 'Show where the model looked for this feature' },
    el('div', { class: 'feature-head' }, el('span', { text: f.name }),
      el('span', { class: `badge g${grade}${f.labels.length === 2 ? ' binary' : ''}`, 'data-grade': String(grade),
        'data-testid': `grade-${side}-${f.key}`, text: f.labels[grade] ?? String(grade) })),
    ...bars);
  row.addEventListener('click', () => {
    if ($('heat-toggle').hidden) return;
    state.heat.feature = f.key;
    state.heat.on = true;
    $('heat').checked = true;
    $('heat-feature').value = f.key;
    repaintAll();
  });
  return row;
}

function barFill(p) {
  const fill = el('span', { class: 'bar-fill' });
  fill.style.width = `${(100 * p).toFixed(1)}%`; // CSSOM, not a style attribute: the page's CSP allows no inline styles
  return fill;
}

async function loadCrop(uploadId, side, canvas) {
  const ctx = canvas.getContext('2d');
  let blob;
  try {
    blob = await api(`/v1/uploads/${encodeURIComponent(uploadId)}/hips/${side}.png`, { accept: 'image/png' });
  } catch (e) {
    ctx.fillStyle = '#333';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#eee';
    ctx.font = '14px sans-serif';
    ctx.fillText(e.status === 404 ? 'No picture stored for this hip.' : 'The picture could not be loaded.', 12, 24);
    canvas.dataset.loaded = 'error';
    return;
  }
  const url = URL.createObjectURL(blob);
  state.objectUrls.push(url);
  const img = new Image();
  img.onload = () => {
    canvas.hipImage = img;
    paint(canvas);
    canvas.dataset.loaded = 'ok';
    canvas.dataset.px = String(img.naturalWidth);
  };
  img.onerror = () => { canvas.dataset.loaded = 'error'; };
  img.src = url;
}

// ---- routing -------------------------------------------------------------------------------------------------

function route() {
  if (!state.key) {
    show('key');
    return;
  }
  const m = location.hash.match(/^#\/upload\/([0-9a-f]{32})$/);
  if (m) showStudy(m[1]); else showList();
}

async function start() {
  state.api = STORE.getItem('hipoa.api') || await defaultApi();
  state.key = STORE.getItem('hipoa.key') || '';
  state.provider = STORE.getItem('hipoa.provider') || '';
  $('api-url').value = state.api;
  $('provider').value = state.provider;
  $('key-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  $('filters').addEventListener('submit', (e) => { e.preventDefault(); resetPaging(); showList(); });
  $('next-page').addEventListener('click', () => {
    if (!state.page.next) return;
    state.page.tokens[state.page.index + 1] = state.page.next;
    state.page.index += 1;
    showList();
  });
  $('first-page').addEventListener('click', () => { resetPaging(); showList(); });
  $('heat-feature').replaceChildren(...FEATURES.map((f) => el('option', { value: f.key, text: f.name })));
  $('heat').addEventListener('change', (e) => { state.heat.on = e.target.checked; repaintAll(); });
  $('heat-feature').addEventListener('change', (e) => { state.heat.feature = e.target.value; repaintAll(); });
  window.addEventListener('hashchange', route);
  route();
}

start();
