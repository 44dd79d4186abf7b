"""The report's inline JavaScript: decodes the data blob (see ``reports.payload``), builds
the matrix and the case list, applies filters and sorting, opens a case's drill-down, and
— with ``?selftest=1`` in the URL — exercises a filter and a drill-down and writes the
outcome into ``<pre id="selftest">`` (what tests/test_report_browser.py reads back)."""

JS = r"""
(function(){
'use strict';
const $ = id => document.getElementById(id);
const D = JSON.parse($('cf-data').textContent);
const S = D.strings, CI = {}, KI = {};
D.case_fields.forEach((k, i) => CI[k] = i); D.check_fields.forEach((k, i) => KI[k] = i);
const VRANK = {'unexplained': 0, 'framework-crash': 0.5, 'framework-error': 0.6, 'framework-discrepancy': 1, 'document-erratum': 2, 'explained': 2.5, 'nondeterministic': 3, 'convention': 4, 'agree': 5};
const MARK = {'unexplained': '!', 'framework-crash': 'x', 'framework-error': 'z', 'framework-discrepancy': 'd', 'document-erratum': 'e', 'explained': 'k', 'nondeterministic': 'n', 'convention': 'c'};
const SRANK = {error: 0, fail: 1, pass: 2, skip: 3};
const FWORDER = D.framework_order || [];
const FINDINGS = D.findings || [], CASEF = D.case_findings || {};
function findingLinks(id) { return (CASEF[id] || []).map(i => '<a href="#finding-' + i + '" class="flink" data-f="' + i + '">' + esc(FINDINGS[i][2]) + ': ' + esc(FINDINGS[i][1]) + '</a>').join('<br>'); }
function openFinding(i) { const d = document.getElementById('finding-' + i); if (!d) return false; d.open = true; d.scrollIntoView({block: 'start'}); return true; }
const DTORDER = ['float16', 'bfloat16', 'float32', 'float64'];
const esc = s => String(s == null ? '' : s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
const num = v => typeof v === 'string' ? (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : NaN) : v;
const quote = s => /^[A-Za-z0-9_@%+=:,.\/-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\"'\"'") + "'";
const vrank = v => v ? (v in VRANK ? VRANK[v] : 3) : 9;
function fmt(v, digits) {
  if (v == null || v === '') return '';
  if (typeof v !== 'number') return String(v);
  if (v === Infinity) return '∞'; if (v === -Infinity) return '−∞'; if (isNaN(v)) return 'nan';
  if (Object.is(v, -0)) return '-0';
  return digits ? String(Number(v.toPrecision(digits))) : String(v);
}
function short(r) {
  if (r == null || isNaN(r)) return '';
  if (r === Infinity) return '∞';
  if (r === 0) return '0';
  if (r < 0.01) return r.toExponential(0).replace('e-', 'e-');
  return r < 10 ? r.toPrecision(2) : r < 1e4 ? String(Math.round(r)) : r.toExponential(0);
}

const extraOf = x => !Array.isArray(x) ? (S[x] || '') : !x.length ? '' : JSON.stringify(Object.fromEntries(x.map(p => [S[p[0]], JSON.parse(S[p[1]])])));
const cases = D.cases.map((c, n) => {
  const o = {n: n, id: c[CI.id], mid: S[c[CI.mid]], module: S[c[CI.module]], family: S[c[CI.family]],
    fw: S[c[CI.fw]], dev: S[c[CI.dev]], dtype: S[c[CI.dtype]], mode: S[c[CI.mode]], attrs: S[c[CI.attrs]],
    composed: !!c[CI.composed], cit: c[CI.cit].map(i => S[i]), qid: c[CI.qid] || c[CI.id], prec: S[c[CI.prec]] || ''};
  o.checks = c[CI.checks].map(k => {
    const r = k[KI.repro];
    return {check: S[k[KI.check]], status: S[k[KI.status]], verdict: S[k[KI.verdict]], ratio: num(k[KI.ratio]),
      abs: num(k[KI.abs]), rel: num(k[KI.rel]), tol: num(k[KI.tol]), wi: k[KI.wi], got: num(k[KI.got]),
      exp: num(k[KI.exp]), reason: Array.isArray(k[KI.reason]) ? S[k[KI.reason][0]] + S[k[KI.reason][1]] : S[k[KI.reason]], conv: k[KI.conv], examples: k[KI.examples],
      example: S[k[KI.example]], repro: r === 1 ? 'python -m conformance repro ' + o.qid + ' --example ' + quote(S[k[KI.example]]) : (r || ''),
      extra: extraOf(k[KI.extra])};
  });
  const st = o.checks.map(k => k.status);
  o.status = st.includes('error') ? 'error' : st.includes('fail') ? 'fail' : st.includes('pass') ? 'pass' : (st[0] || 'skip');
  o.worst = null; o.verdict = ''; o.verdicts = new Set();
  for (const k of o.checks) {
    if (k.ratio != null && !isNaN(k.ratio) && (o.worst == null || k.ratio > o.worst)) o.worst = k.ratio;
    if (k.verdict) { o.verdicts.add(k.verdict); if (!o.verdict || vrank(k.verdict) < vrank(o.verdict)) o.verdict = k.verdict; }
  }
  o.reason = (o.checks.find(k => k.reason) || {}).reason || '';
  o.col = [o.fw, o.dev, o.dtype, o.mode, o.prec].join('|');
  return o;
});
const byId = {}; cases.forEach(c => byId[c.id] = c);

function order(list, pref) { return list.slice().sort((a, b) => { const i = pref.indexOf(a), j = pref.indexOf(b);
  return (i < 0 ? 99 : i) - (j < 0 ? 99 : j) || (a < b ? -1 : a > b ? 1 : 0); }); }
const uniq = f => [...new Set(cases.map(f))];
const FWS = order(uniq(c => c.fw), FWORDER), DEVS = order(uniq(c => c.dev), ['cpu', 'gpu']);
const DTS = order(uniq(c => c.dtype), DTORDER), MODES = order(uniq(c => c.mode), ['eager', 'compiled']);
const PRECS = order(uniq(c => c.prec), ['']);
const FAMS = uniq(c => c.family).sort();
const COLS = [];
const present = new Set(cases.map(c => c.col));
for (const f of FWS) for (const d of DEVS) for (const t of DTS) for (const m of MODES) for (const p of PRECS) {
  const key = [f, d, t, m, p].join('|'); if (present.has(key)) COLS.push({key: key, fw: f, dev: d, dtype: t, mode: m, prec: p}); }
const ROWS = {};
for (const c of cases) { const r = ROWS[c.mid] || (ROWS[c.mid] = {mid: c.mid, module: c.module, family: c.family, cells: {}}); r.cells[c.col] = c; }

function colour(c) {
  if (c.status === 'skip') return ['#e2e2e2', '#666'];
  if (c.status === 'error') return ['#6a1b4d', '#fff'];
  const r = c.worst;
  if (r == null || isNaN(r)) return c.status === 'fail' ? ['#c62828', '#fff'] : ['#f2f2f2', '#333'];
  if (r > 1) { const t = Math.min(1, Math.log10(r) / 3); return ['hsl(0,72%,' + (74 - 42 * t).toFixed(0) + '%)', t > 0.35 ? '#fff' : '#000']; }
  const t = r <= 1e-3 ? 0 : (Math.log10(r) + 3) / 3;
  return ['hsl(' + (130 - 90 * t).toFixed(0) + ',62%,' + (80 - 4 * t).toFixed(0) + '%)', '#000'];
}

const state = {q: '', family: '', fw: '', status: '', sort: 'module', listKey: 'status', listDir: 1, all: false};
function matchStatus(c) {
  const s = state.status;
  if (!s) return true;
  if (s === 'failing') return c.status === 'fail' || c.status === 'error';
  if (s in SRANK) return c.status === s;
  return c.verdicts.has(s);
}
function rowVisible(r) {
  return (!state.q || r.mid.toLowerCase().includes(state.q.toLowerCase())) && (!state.family || r.family === state.family);
}
function caseVisible(c) {
  return (!state.fw || c.fw === state.fw) && rowVisible(ROWS[c.mid]) && matchStatus(c);
}

function renderMatrix() {
  const cols = COLS.filter(k => !state.fw || k.fw === state.fw);
  let rows = Object.values(ROWS).filter(rowVisible).filter(r => !state.status || cols.some(k => r.cells[k.key] && matchStatus(r.cells[k.key])));
  const worst = r => Math.max(-1, ...cols.map(k => r.cells[k.key]).filter(c => c && c.worst != null && !isNaN(c.worst)).map(c => c.worst));
  const bad = r => Math.min(9, ...cols.map(k => r.cells[k.key]).filter(Boolean).map(c => Math.min(SRANK[c.status] == null ? 2 : SRANK[c.status], vrank(c.verdict) === 0 ? -1 : 9)));
  const cmp = {module: (a, b) => a.mid < b.mid ? -1 : 1,
    family: (a, b) => a.family < b.family ? -1 : a.family > b.family ? 1 : a.mid < b.mid ? -1 : 1,
    ratio: (a, b) => worst(b) - worst(a) || (a.mid < b.mid ? -1 : 1),
    status: (a, b) => bad(a) - bad(b) || worst(b) - worst(a) || (a.mid < b.mid ? -1 : 1)}[state.sort];
  rows.sort(cmp);
  const multi = (arr) => arr.length > 1;
  let h = '<thead><tr><th rowspan="2">module · family</th>';
  for (const f of FWS) { const n = cols.filter(k => k.fw === f).length; if (n) h += '<th colspan="' + n + '">' + esc(f) + '</th>'; }
  h += '</tr><tr>';
  for (const k of cols) h += '<th title="' + esc(k.key.replace(/\|/g, ' ')) + '">' + esc([multi(DEVS) ? k.dev : '', k.dtype.replace('float', 'f'), multi(MODES) ? k.mode : '', k.prec ? k.prec.replace('default', 'dflt') : ''].filter(Boolean).join(' ')) + '</th>';
  h += '</tr></thead><tbody>';
  const parts = [h];
  for (const r of rows) {
    let s = '<tr><th class="rowh">' + esc(r.mid) + '<small>' + esc(r.family) + '</small></th>';
    for (const k of cols) {
      const c = r.cells[k.key];
      if (!c) { s += '<td class="none"></td>'; continue; }
      const [bg, fg] = colour(c);
      const text = c.status === 'skip' ? '–' : c.status === 'error' ? 'err' : short(c.worst);
      const title = c.id + '\n' + c.status + (c.verdict ? ' · ' + c.verdict : '') + (c.worst != null ? '\nworst error/tolerance ' + fmt(c.worst, 3) : '') + (c.reason ? '\n' + c.reason.slice(0, 300) : '') + (CASEF[c.id] ? '\nfinding: ' + CASEF[c.id].map(i => FINDINGS[i][0]).join(', ') : '');
      const cls = 'cell st-' + c.status + (c.verdict ? ' v-' + c.verdict : '') + (matchStatus(c) ? '' : ' dim');
      s += '<td class="' + esc(cls) + '" data-n="' + c.n + '" style="background:' + bg + ';color:' + fg + '" title="' + esc(title) + '">' + esc(text) + (MARK[c.verdict] ? '<span class="mk">' + MARK[c.verdict] + '</span>' : (c.verdict && c.verdict !== 'agree' ? '<span class="mk">?</span>' : '')) + '</td>';
    }
    parts.push(s + '</tr>');
  }
  parts.push('</tbody>');
  $('matrix').innerHTML = parts.join('');
  $('f-count').textContent = rows.length + ' of ' + Object.keys(ROWS).length + ' modules, ' + cols.length + ' of ' + COLS.length + ' columns';
}

const LCOLS = [['id', 'case'], ['module', 'module'], ['family', 'family'], ['fw', 'framework'], ['dev', 'device'], ['dtype', 'dtype'], ['mode', 'mode'], ['status', 'status'], ['verdict', 'verdict'], ['worst', 'worst ratio']];
function renderList() {
  const key = state.listKey, dir = state.listDir;
  const val = c => key === 'status' ? SRANK[c.status] : key === 'verdict' ? vrank(c.verdict) : key === 'worst' ? (c.worst == null || isNaN(c.worst) ? -1 : -c.worst) : c[key];
  const list = cases.filter(caseVisible).sort((a, b) => { const x = val(a), y = val(b); return (x < y ? -1 : x > y ? 1 : (a.id < b.id ? -1 : 1)) * dir; });
  const limit = state.all ? list.length : Math.min(list.length, 400);
  const parts = ['<thead><tr>' + LCOLS.map(([k, t]) => '<th data-k="' + k + '">' + t + (k === key ? (dir > 0 ? ' ▲' : ' ▼') : '') + '</th>').join('') + '</tr></thead><tbody>'];
  for (let i = 0; i < limit; i++) {
    const c = list[i];
    parts.push('<tr data-n="' + c.n + '"><td>' + esc(c.id) + '</td><td>' + esc(c.module) + '</td><td>' + esc(c.family) + '</td><td>' + esc(c.fw) + '</td><td>' + esc(c.dev) + '</td><td>' + esc(c.dtype) + '</td><td>' + esc(c.mode) + '</td><td class="st-' + esc(c.status) + '">' + esc(c.status) + '</td><td class="v-' + esc(c.verdict) + '">' + esc(c.verdict) + '</td><td class="num">' + esc(fmt(c.worst, 3)) + '</td></tr>');
  }
  parts.push('</tbody>');
  $('caselist').innerHTML = parts.join('');
  $('more').hidden = limit >= list.length;
  $('more').textContent = 'show all ' + list.length;
  $('list-count').textContent = list.length + ' of ' + cases.length + ' cases';
}

function showDetail(c) {
  const d = $('detail');
  const row = (k, v) => v === '' || v == null ? '' : '<dt>' + esc(k) + '</dt><dd>' + v + '</dd>';
  let h = '<button class="close" title="close" aria-label="close">×</button><h3>' + esc(c.id) + '</h3><dl>' +
    row('status', '<span class="chip st-' + esc(c.status) + '">' + esc(c.status) + '</span>' + (c.verdict ? '<span class="chip v-' + esc(c.verdict) + '">' + esc(c.verdict) + '</span>' : '')) +
    row('module', esc(c.mid) + ' <span class="muted">(' + esc(c.family) + ')</span>') + row('framework', esc(c.fw)) +
    row('device · dtype · mode', esc(c.dev + ' · ' + c.dtype + ' · ' + c.mode + (c.prec ? ' · ' + c.prec + ' precision' : ''))) + row('attributes', c.attrs ? '<code>' + esc(c.attrs) + '</code>' : '') +
    row('composed', c.composed ? 'yes: no native op, built from primitives' : '') +
    row('examples', esc(Math.max(0, ...c.checks.map(k => k.examples || 0)))) +
    row(c.status === 'skip' ? 'skip reason' : 'reason', c.status === 'skip' || c.checks.every(k => k.reason === c.reason) ? esc(c.reason) : '') +
    row('citations', c.cit.map(esc).join('<br>')) + row('findings', findingLinks(c.id)) + '</dl>';
  const conv = c.checks.find(k => k.conv);
  if (conv) h += '<p><b>convention:</b> <code>' + esc(JSON.stringify(conv.conv)) + '</code></p>';
  h += '<div class="scroll"><table><thead><tr><th>check</th><th>status</th><th>verdict</th><th>abs err</th><th>rel err</th><th>tolerance</th><th>ratio</th><th>worst index</th><th>got</th><th>expected</th></tr></thead><tbody>';
  for (const k of c.checks) {
    h += '<tr><td>' + esc(k.check) + '</td><td class="st-' + esc(k.status) + '">' + esc(k.status) + '</td><td class="v-' + esc(k.verdict) + '">' + esc(k.verdict) + '</td><td class="num">' + esc(fmt(k.abs, 4)) + '</td><td class="num">' + esc(fmt(k.rel, 4)) + '</td><td class="num">' + esc(fmt(k.tol, 4)) + '</td><td class="num">' + esc(fmt(k.ratio, 4)) + '</td><td>' + esc(k.wi ? '[' + k.wi.join(', ') + ']' : '') + '</td><td class="num">' + esc(fmt(k.got)) + '</td><td class="num">' + esc(fmt(k.exp)) + '</td></tr>';
    if (k.reason && (k.status === 'fail' || k.status === 'error' || k.verdict !== 'agree') && c.status !== 'skip') h += '<tr><td colspan="10" class="reason">' + esc(k.reason) + '</td></tr>';
  }
  h += '</tbody></table></div>';
  const extras = c.checks.filter(k => k.extra);
  if (extras.length) {
    h += '<details open><summary>more fields</summary><table><tbody>';
    const seen = new Set();
    for (const k of extras) { if (seen.has(k.extra)) continue; seen.add(k.extra);
      const who = extras.filter(x => x.extra === k.extra).map(x => x.check).join(', ');
      let obj; try { obj = JSON.parse(k.extra); } catch (e) { obj = {value: k.extra}; }
      for (const f of Object.keys(obj)) h += '<tr><td>' + esc(who) + '</td><td>' + esc(f) + '</td><td><code>' + esc(JSON.stringify(obj[f])) + '</code></td></tr>'; }
    h += '</tbody></table></details>';
  }
  const repros = [...new Set(c.checks.map(k => k.repro).filter(Boolean))];
  if (repros.length) {
    h += '<h4>repro <span class="muted">(each check\'s worst or failing example)</span></h4>';
    for (const r of repros) h += '<pre class="repro">' + esc(r) + '</pre><button class="copy">copy</button>';
  }
  d.innerHTML = h; d.dataset.case = c.id; d.hidden = false;
  if (location.hash !== '#case=' + encodeURIComponent(c.id)) history.replaceState(null, '', '#case=' + encodeURIComponent(c.id));
}
function copy(text, btn) {
  const done = () => { btn.textContent = 'copied'; setTimeout(() => btn.textContent = 'copy', 1200); };
  const fallback = () => { const t = document.createElement('textarea'); t.value = text; document.body.appendChild(t); t.select();
    try { document.execCommand('copy'); done(); } catch (e) {} t.remove(); };
  if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback); else fallback();
}

function fillSelect(id, values) { $(id).innerHTML += values.map(v => '<option value="' + esc(v) + '">' + esc(v) + '</option>').join(''); }
fillSelect('f-family', FAMS); fillSelect('f-framework', FWS);
const verdictsPresent = new Set(); cases.forEach(c => c.verdicts.forEach(v => verdictsPresent.add(v)));
fillSelect('f-status', ['failing', 'error', 'fail', 'pass', 'skip'].concat([...verdictsPresent].sort((a, b) => vrank(a) - vrank(b))));
function update() {
  state.q = $('f-module').value.trim(); state.family = $('f-family').value; state.fw = $('f-framework').value;
  state.status = $('f-status').value; state.sort = $('f-sort').value; renderMatrix(); renderList();
}
['f-module', 'f-family', 'f-framework', 'f-status', 'f-sort'].forEach(id => { $(id).addEventListener('input', update); $(id).addEventListener('change', update); });
$('matrix').addEventListener('click', ev => { const td = ev.target.closest('td.cell'); if (td) showDetail(cases[+td.dataset.n]); });
$('caselist').addEventListener('click', ev => {
  const th = ev.target.closest('th'); if (th) { const k = th.dataset.k; state.listDir = state.listKey === k ? -state.listDir : 1; state.listKey = k; renderList(); return; }
  const tr = ev.target.closest('tr[data-n]'); if (tr) showDetail(cases[+tr.dataset.n]); });
$('more').addEventListener('click', () => { state.all = true; renderList(); });
$('detail').addEventListener('click', ev => {
  if (ev.target.closest('.close')) { $('detail').hidden = true; history.replaceState(null, '', location.pathname + location.search); }
  const b = ev.target.closest('button.copy'); if (b) copy(b.previousElementSibling.textContent, b); });
document.addEventListener('keydown', ev => { if (ev.key === 'Escape') $('detail').hidden = true; });
document.addEventListener('click', ev => { const fl = ev.target.closest('a.flink'); if (fl && openFinding(+fl.dataset.f)) ev.preventDefault(); });
document.addEventListener('click', ev => { const a = ev.target.closest('a.caselink'); if (!a) return;
  const c = byId[a.dataset.case]; if (c) { ev.preventDefault(); showDetail(c); } });
document.querySelectorAll('a.caselink').forEach(a => { if (!byId[a.dataset.case]) { a.classList.remove('caselink'); a.removeAttribute('href'); } });
update();
const m = /^#case=(.+)$/.exec(location.hash); if (m && byId[decodeURIComponent(m[1])]) showDetail(byId[decodeURIComponent(m[1])]);

if (/[?&]selftest=1\b/.test(location.search)) {
  const res = {ok: false, steps: {}}, st = res.steps;
  const cells = () => document.querySelectorAll('#matrix td.cell').length;
  const rows = () => document.querySelectorAll('#matrix tbody tr').length;
  const set = (id, v) => { $(id).value = v; $(id).dispatchEvent(new Event('change')); };
  try {
    st.cells = cells(); st.rows = rows(); st.cases = cases.length; st.ready_ms = Math.round(performance.now());
    st.first_section = (document.querySelector('main > section') || {}).id || null;
    const top = document.querySelector('#findings details.finding'); st.top_finding = top ? [top.dataset.fid, top.className] : null;
    const body = [...document.querySelectorAll('#matrix tbody tr')].map(tr => [...tr.querySelectorAll('td')]);
    st.columns = COLS.length; st.empty_columns = COLS.filter((k, j) => body.every(tds => !tds[j] || !tds[j].classList.contains('cell') || tds[j].classList.contains('st-skip'))).length;
    set('f-framework', FWS[0]); st.framework = FWS[0]; st.cells_framework = cells(); set('f-framework', '');
    const firstRow = document.querySelector('#matrix tbody th.rowh').firstChild.textContent;
    set('f-module', firstRow); st.module = firstRow; st.rows_module = rows(); st.list_module = $('caselist').querySelectorAll('tbody tr').length; set('f-module', '');
    const td = document.querySelector('#matrix td.cell.st-fail, #matrix td.cell.st-pass') || document.querySelector('#matrix td.cell');
    td.click();
    const d = $('detail');
    st.detail_open = !d.hidden; st.detail_case = d.dataset.case || null;
    st.detail_checks = d.querySelectorAll('tbody tr').length;
    const pre = d.querySelector('pre.repro'); st.repro = pre ? pre.textContent : null;
    st.cells_restored = cells();
    res.ok = st.cells > 0 && st.cells_framework > 0 && st.cells_framework < st.cells && st.rows_module >= 1 &&
      st.rows_module <= st.rows && st.detail_open && !!st.detail_case && st.detail_checks > 0 && st.cells_restored === st.cells;
  } catch (err) { res.error = String(err && err.stack || err); }
  const out = document.createElement('pre'); out.id = 'selftest'; out.textContent = JSON.stringify(res); document.body.appendChild(out);
}
})();
"""
