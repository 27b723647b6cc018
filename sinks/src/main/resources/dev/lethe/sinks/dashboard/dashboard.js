// Lethe live dashboard: applies the sink's Server-Sent Events (snapshot, update, health) to an in-page copy of the
// latest record per key and redraws. No framework; charts by uPlot, served from the jar.
'use strict';
(function () {
  const TASK = 'task'; // its stage-0 score is chance level, so its FG measures learning: never drawn as forgetting
  const BIAS = 'bias'; // a stereotype share, scored by its closeness to 50 %: 100 - 2 |share - 50|
  const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  const metrics = new Map();
  const alerts = new Map();
  const charts = {};
  const sel = {campaign: null, family: null, model: null, category: null, alertId: null, benchmark: null};
  let health = {};
  let renderQueued = false;

  const $ = (id) => document.getElementById(id);
  const key = (m) => [m.campaign, m.family, m.model, m.stage, m.scope, m.category, m.benchmark].join('|');
  const uniq = (xs) => [...new Set(xs)].sort();
  const has = (v) => v !== null && v !== undefined && !Number.isNaN(v);
  const fmt = (v, d) => has(v) ? Number(v).toFixed(d) : '–';
  const token = new URLSearchParams(location.search).get('token');

  function apply(body) {
    (body.metrics || []).forEach((m) => metrics.set(key(m), m));
    (body.alerts || []).forEach((a) => alerts.set(a.alertId, a));
    if (body.health) health = body.health;
    queueRender();
  }

  function queueRender() {
    if (!renderQueued) {
      renderQueued = true;
      requestAnimationFrame(() => { renderQueued = false; render(); });
    }
  }

  function connect() {
    const source = new EventSource('events' + (token ? '?token=' + encodeURIComponent(token) : ''));
    source.addEventListener('snapshot', (e) => { metrics.clear(); alerts.clear(); apply(JSON.parse(e.data)); live(true); });
    source.addEventListener('update', (e) => apply(JSON.parse(e.data)));
    source.addEventListener('health', (e) => { health = JSON.parse(e.data); renderHealth(); });
    source.onerror = () => live(false); // EventSource reconnects by itself and gets a fresh snapshot
  }

  function live(ok) {
    const c = $('connection');
    c.textContent = ok ? 'live' : 'reconnecting…';
    c.className = 'conn ' + (ok ? 'conn-live' : 'conn-wait');
  }

  function records(filter) {
    const out = [];
    metrics.forEach((m) => { if (filter(m)) out.push(m); });
    return out;
  }

  function pick(id, values, current, label) {
    const select = $(id);
    const value = values.includes(current) ? current : (values[0] ?? null);
    const wanted = values.join('\n');
    if (select.dataset.values !== wanted) {
      select.innerHTML = '';
      values.forEach((v) => { const o = document.createElement('option'); o.value = v; o.textContent = label ? label(v) : v; select.appendChild(o); });
      select.dataset.values = wanted;
    }
    if (value !== null) select.value = value;
    return value;
  }

  function render() {
    const all = [...metrics.values()];
    sel.campaign = pick('campaign', uniq(all.map((m) => m.campaign)), sel.campaign);
    const inCampaign = all.filter((m) => m.campaign === sel.campaign);
    sel.family = pick('family', uniq(inCampaign.map((m) => m.family)), sel.family);
    const inFamily = inCampaign.filter((m) => m.family === sel.family);
    sel.model = pick('model', uniq(inFamily.filter((m) => m.model).map((m) => m.model)), sel.model);
    sel.category = pick('category', uniq(inFamily.filter((m) => m.scope !== 'ELEMENT' && m.category && m.category !== TASK).map((m) => m.category)), sel.category);

    const fam = inFamily.filter((m) => m.scope === 'FAMILY' && m.category !== TASK);
    draw('chart-family', 'FG per category: ' + (sel.family ?? '–'), 'FG %', series(fam, (m) => m.category, (m) => m.fgPct));
    const runs = inFamily.filter((m) => m.scope === 'CATEGORY' && m.category === sel.category);
    draw('chart-runs', 'FG of ' + (sel.category ?? '–') + ' per model run', 'FG %', series(runs, (m) => m.model, (m) => m.fgPct));
    const elements = inFamily.filter((m) => m.scope === 'ELEMENT' && m.model === sel.model);
    draw('chart-elements', 'Element scores: ' + (sel.model ?? '–'), 'accuracy %',
      series(elements, (m) => m.category + '/' + m.benchmark, (m) => m.score), true);
    renderFamilies(all);
    renderTimeline();
    renderAlerts();
    renderHealth();
    document.body.dataset.metricRecords = String(metrics.size);
  }

  // {stages, lines: [{label, values}]} from records, one line per label, by stage
  function series(recs, labelOf, valueOf) {
    const stages = uniq(recs.map((m) => m.stage)).map(Number).sort((a, b) => a - b);
    const byLabel = new Map();
    recs.forEach((m) => {
      const label = labelOf(m);
      if (!byLabel.has(label)) byLabel.set(label, new Map());
      byLabel.get(label).set(m.stage, valueOf(m));
    });
    const lines = [...byLabel.keys()].sort().map((label) => ({label, values: stages.map((s) => byLabel.get(label).get(s) ?? null)}));
    return {stages, lines};
  }

  function colour(label, byCategory) {
    const basis = byCategory ? label.split('/')[0] : label;
    let h = 0;
    for (const ch of basis) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }

  function draw(id, title, yLabel, data, byCategory) {
    const el = $(id);
    el.dataset.stages = data.stages.join(',');
    el.dataset.lines = String(data.lines.length);
    const signature = JSON.stringify([title, data, sel.benchmark]);
    if (el.dataset.signature === signature) return;
    el.dataset.signature = signature;
    if (charts[id]) { charts[id].destroy(); delete charts[id]; }
    el.innerHTML = '';
    if (data.stages.length === 0) { el.innerHTML = '<p class="empty">' + esc(title) + ': no data yet</p>'; return; }
    const focus = sel.benchmark;
    const opts = {
      title, width: 600, height: 300,
      scales: {x: {time: false}},
      legend: {show: !byCategory || data.lines.length <= 12},
      axes: [{label: 'stage', incrs: [1, 2, 5, 10], values: (u, vals) => vals.map((v) => Number.isInteger(v) ? String(v) : '')}, {label: yLabel}],
      series: [{label: 'stage'}].concat(data.lines.map((l) => {
        const hit = focus && l.label.endsWith('/' + focus);
        return {label: l.label, stroke: colour(l.label, byCategory), width: hit ? 4 : (focus && byCategory ? 1 : 2),
          alpha: focus && byCategory && !hit ? 0.35 : 1, spanGaps: true, points: {show: true, size: hit ? 7 : 4}};
      })),
    };
    charts[id] = new uPlot(opts, [data.stages].concat(data.lines.map((l) => l.values)), el);
  }

  function renderFamilies(all) {
    const fam = all.filter((m) => m.scope === 'FAMILY' && m.category !== TASK);
    const cats = uniq(fam.map((m) => m.category));
    const groups = new Map();
    fam.forEach((m) => {
      const k = m.campaign + '|' + m.family;
      const g = groups.get(k) || {campaign: m.campaign, family: m.family, stage: -1, byStage: new Map()};
      if (!g.byStage.has(m.stage)) g.byStage.set(m.stage, []);
      g.byStage.get(m.stage).push(m);
      g.stage = Math.max(g.stage, m.stage);
      groups.set(k, g);
    });
    // the chance-normalised FG beside FG where the family records carry one (docs/METRICS.md, "Chance")
    const withCn = new Set(fam.filter((m) => has(m.chanceNormalisedFgPct)).map((m) => m.category));
    // bias on its own scale: each run's latest bias CATEGORY record, (100 - score) / 2 pp from an unbiased 50 %
    const biasRuns = new Map();
    all.filter((m) => m.scope === 'CATEGORY' && m.category === BIAS && has(m.score)).forEach((m) => {
      const k = m.campaign + '|' + m.family;
      if (!biasRuns.has(k)) biasRuns.set(k, new Map());
      const old = biasRuns.get(k).get(m.model);
      if (!old || old.stage < m.stage) biasRuns.get(k).set(m.model, m);
    });
    const firing = new Map();
    alerts.forEach((a) => { if (a.state !== 'RESOLVED') { const k = a.campaign + '|' + a.family; firing.set(k, (firing.get(k) || 0) + 1); } });
    let html = '<tr><th class="t">campaign</th><th class="t">family</th><th>stage</th><th>models</th>'
      + cats.map((c) => '<th>FG % ' + esc(c) + '</th>' + (withCn.has(c) ? '<th>cnFG % ' + esc(c) + '</th>' : '')).join('')
      + (biasRuns.size ? '<th title="how far the stereotype share is from an unbiased 50 % (mean over the runs at their latest stage), and its change since stage 0">bias pp off 50 % (since stage 0)</th>' : '')
      + '<th>alerts firing</th></tr>';
    [...groups.keys()].sort().forEach((k) => {
      const g = groups.get(k);
      const latest = g.byStage.get(g.stage);
      const models = latest.map((m) => m.models).filter((v) => v !== null && v !== undefined);
      html += '<tr data-family="' + esc(g.family) + '"><td class="t">' + esc(g.campaign) + '</td><td class="t">' + esc(g.family)
        + '</td><td data-testid="latest-stage">' + g.stage + '</td><td>' + (models.length ? Math.max(...models) : '–') + '</td>'
        + cats.map((c) => {
          const m = latest.find((r) => r.category === c);
          return '<td data-testid="fg" data-category="' + esc(c) + '" data-stage="' + g.stage + '">' + fmt(m ? m.fgPct : null, 2) + '</td>'
            + (withCn.has(c) ? '<td data-testid="cnfg" data-category="' + esc(c) + '">' + fmt(m ? m.chanceNormalisedFgPct : null, 2) + '</td>' : '');
        }).join('') + (biasRuns.size ? '<td data-testid="bias">' + biasCell(biasRuns.get(k)) + '</td>' : '')
        + '<td>' + (firing.get(k) || 0) + '</td></tr>';
    });
    $('families').innerHTML = groups.size ? html : '<tr><td class="empty">No family metrics yet.</td></tr>';
  }

  function biasCell(runs) {
    if (!runs || !runs.size) return '–';
    const recs = [...runs.values()];
    const off = recs.reduce((sum, m) => sum + (100 - m.score) / 2, 0) / recs.length;
    const based = recs.filter((m) => has(m.baselineScore));
    if (!based.length) return fmt(off, 2);
    const change = based.reduce((sum, m) => sum + (m.baselineScore - m.score) / 2, 0) / based.length;
    return fmt(off, 2) + ' (' + (change >= 0 ? '+' : '') + fmt(change, 2) + ')';
  }

  // one point per alert: x = when it was raised, y = the drop (pp) or the FG crossing (%); by severity, resolved apart
  function renderTimeline() {
    const el = $('chart-alerts');
    const groups = [['CRITICAL firing', '#b00020'], ['WARNING firing', '#a65e00'], ['resolved', '#9e9e9e']];
    const lane = (a) => a.state === 'RESOLVED' ? 2 : (a.severity === 'CRITICAL' ? 0 : 1);
    const list = [...alerts.values()].filter((a) => a.createdAt);
    const xs = uniq(list.map((a) => Date.parse(a.createdAt) / 1000)).map(Number).sort((a, b) => a - b);
    const ys = groups.map(() => xs.map(() => null));
    list.forEach((a) => {
      const y = a.dropPp ?? a.fgPct ?? null;
      const i = xs.indexOf(Date.parse(a.createdAt) / 1000);
      const cur = ys[lane(a)][i];
      ys[lane(a)][i] = cur === null ? y : Math.max(cur, y); // alerts raised in the same second: the largest drop shows
    });
    el.dataset.points = String(list.length);
    const signature = JSON.stringify([xs, ys]);
    if (el.dataset.signature === signature) return;
    el.dataset.signature = signature;
    if (charts['chart-alerts']) { charts['chart-alerts'].destroy(); delete charts['chart-alerts']; }
    el.innerHTML = '';
    if (xs.length === 0) { el.innerHTML = '<p class="empty">No alerts yet.</p>'; return; }
    const pad = Math.max(60, (xs[xs.length - 1] - xs[0]) * 0.05);
    charts['chart-alerts'] = new uPlot({
      // a margin of a minute, or 5 % of the span, around the alerts: one alert alone would get a range of years
      width: 900, height: 200, tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'), // UTC, as the table
      scales: {x: {time: true, auto: false, range: [xs[0] - pad, xs[xs.length - 1] + pad]}},
      axes: [{}, {label: 'drop pp / FG %'}],
      series: [{}].concat(groups.map(([label, colour]) => ({label, stroke: colour, width: 0, paths: () => null,
        points: {show: true, size: 8, fill: colour}}))),
    }, [xs].concat(ys), el);
  }

  function renderAlerts() {
    const list = [...alerts.values()].sort((a, b) => (b.createdAt || '').localeCompare(a.createdAt || '') || a.alertId.localeCompare(b.alertId));
    let html = '<tr><th class="t">state</th><th class="t">severity</th><th class="t">raised</th><th class="t">family / model</th>'
      + '<th>stage</th><th class="t">element</th><th>drop pp</th><th>p-value</th><th class="t">resolution</th></tr>';
    list.forEach((a) => {
      const state = a.state === 'RESOLVED' ? 'RESOLVED' : 'FIRING';
      html += '<tr class="alert state-' + state + (a.alertId === sel.alertId ? ' selected' : '') + '" data-alert-id="' + esc(a.alertId) + '">'
        + '<td class="t state">' + state + '</td><td class="t sev-' + esc(a.severity) + '">' + esc(a.severity) + '</td>'
        + '<td class="t">' + esc((a.createdAt || '').replace('T', ' ').replace(/\..*|Z$/, '')) + '</td>'
        + '<td class="t">' + esc(a.family) + ' / ' + esc(a.model) + '</td><td>' + a.stage + '</td>'
        + '<td class="t">' + esc(a.benchmark || a.category || '') + '</td><td>' + fmt(a.dropPp, 1) + '</td>'
        + '<td>' + (a.pValue === null || a.pValue === undefined ? '–' : Number(a.pValue).toExponential(1)) + '</td>'
        + '<td class="t">' + esc(a.resolution || '') + '</td></tr>';
    });
    $('alerts').innerHTML = list.length ? html : '<tr><td class="empty">No alerts.</td></tr>';
  }

  function renderHealth() {
    $('status').textContent = health.status || '';
    let firingCount = 0;
    alerts.forEach((a) => { if (a.state !== 'RESOLVED') firingCount++; });
    $('counts').textContent = metrics.size + ' metric records (latest per key) · ' + alerts.size + ' alerts ('
      + firingCount + ' firing, ' + (alerts.size - firingCount) + ' resolved)';
    const topics = health.topics || {};
    let html = '<tr><th class="t">topic</th><th>records read</th><th>lag</th><th>dead letters</th></tr>';
    Object.keys(topics).sort().forEach((t) => {
      html += '<tr><td class="t">' + esc(t) + '</td><td>' + topics[t].consumed + '</td><td>' + topics[t].lag + '</td><td>' + topics[t].deadLetters + '</td></tr>';
    });
    $('topics').innerHTML = html;
    renderPipeline();
  }

  // checkpoints announced against checkpoints with MODEL metrics, lag per group, dead letters per queue and reason
  function renderPipeline() {
    const p = health.pipeline;
    if (!p) { $('pipeline').innerHTML = ''; return; }
    const scored = new Set();
    metrics.forEach((m) => { if (m.scope === 'MODEL') scored.add(m.campaign + '|' + m.model + '|' + m.stage); });
    let html = '<tr><th class="t">pipeline</th><th></th></tr>'
      + '<tr><td class="t">checkpoints announced</td><td data-testid="announced">' + p.checkpointsAnnounced + '</td></tr>'
      + '<tr><td class="t">checkpoints with model metrics</td><td data-testid="scored">' + scored.size + '</td></tr>';
    Object.keys(p.groupLag || {}).forEach((g) => {
      const lag = p.groupLag[g];
      html += '<tr><td class="t">lag of ' + esc(g) + '</td><td>' + (lag < 0 ? '–' : lag) + '</td></tr>';
    });
    Object.keys(p.deadLetters || {}).forEach((t) => Object.keys(p.deadLetters[t]).forEach((reason) => {
      html += '<tr><td class="t">dead letters ' + esc(t) + ' ' + esc(reason) + '</td><td>' + p.deadLetters[t][reason] + '</td></tr>';
    }));
    $('pipeline').innerHTML = html;
  }

  function esc(s) {
    return String(s ?? '').replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  }

  ['campaign', 'family', 'model', 'category'].forEach((id) => $(id).addEventListener('change', (e) => {
    sel[id] = e.target.value;
    sel.benchmark = null;
    sel.alertId = null;
    render();
  }));
  $('alerts').addEventListener('click', (e) => {
    const row = e.target.closest('tr[data-alert-id]');
    if (!row) return;
    const a = alerts.get(row.dataset.alertId);
    Object.assign(sel, {campaign: a.campaign, family: a.family, model: a.model, alertId: a.alertId, benchmark: a.benchmark,
      category: a.category && a.category !== TASK ? a.category : sel.category});
    render();
    $('chart-elements').scrollIntoView({block: 'center'});
  });
  connect();
})();
