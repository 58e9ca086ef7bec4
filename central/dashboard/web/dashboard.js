// The fleet dashboard: every section from the hub's live feed (/events), worded here in the
// chosen language (texts from the hub, in the template form of workflows/messages.py).
'use strict';

(() => {
  const BOOT = JSON.parse(document.getElementById('boot').textContent);
  const LANGS = ['ru', 'en'];
  const REOPEN_MS = 2000;
  const SEVERE = new Set(['p_offline', 'p_store_damaged', 'p_paper_out', 'p_printers_not_ready',
    'p_hardware_problems', 'p_config_rejected']);
  const $ = (id) => document.getElementById(id);
  let lang = localStorage.getItem('pvz-dashboard-lang') || 'ru';
  if (!LANGS.includes(lang)) lang = 'ru';
  let state = {};
  let operator = {signed_in: false};
  let site = '';  // the one site shown, or every site

  // Words.

  function plural(n, forms) {
    const a = Math.abs(n);
    if (lang === 'ru') {
      if (a % 10 === 1 && a % 100 !== 11) return forms[0];
      if (a % 10 >= 2 && a % 10 <= 4 && !(a % 100 >= 12 && a % 100 <= 14)) return forms[1];
      return forms[2];
    }
    return a === 1 ? forms[0] : forms[1];
  }

  const has = (key) => Object.hasOwn(BOOT.texts, key);

  function t(key, params = {}) {
    const pair = BOOT.texts[key];
    if (!pair) return '';
    const template = pair[LANGS.indexOf(lang)];
    return template
      .replace(/\{([a-z_]+)\|([^{}]*)\}/g, (_, name, forms) => plural(Number(params[name]), forms.split('|')))
      .replace(/\{([a-z_]+)\}/g, (_, name) => String(params[name] ?? ''));
  }

  function ago(iso) {
    if (!iso) return '';
    const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (s < 60) return t('just_now');
    if (s < 3600) return t('minutes_ago', {n: Math.floor(s / 60)});
    if (s < 86400) return t('hours_ago', {n: Math.floor(s / 3600)});
    return t('days_ago', {n: Math.floor(s / 86400)});
  }

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
      else node[k] = v;
    }
    for (const c of children) node.append(c);
    return node;
  }

  // Sections.

  function renderSites(all) {
    const filter = $('site-filter');
    const sites = [...new Set(all.map((r) => r.site))].sort();
    if (site && !sites.includes(site)) site = '';
    filter.replaceChildren(el('option', {value: '', textContent: t('all_sites')}),
      ...sites.map((s) => el('option', {value: s, textContent: s})));
    filter.value = site;
  }

  function renderDevices() {
    const all = state.devices || [];
    renderSites(all);
    const rows = site ? all.filter((r) => r.site === site) : all;
    const online = rows.filter((r) => r.online).length;
    const attention = rows.filter((r) => r.attention > 0).length;
    const sites = new Set(rows.map((r) => r.site)).size;
    $('devices-count').textContent = t('devices_count', {n: rows.length, online, sites}) +
      (attention ? ' · ' + t('attention_count', {n: attention}) : '');
    const body = $('devices').tBodies[0];
    body.replaceChildren(...rows.map((r) => {
      const problems = r.problems.length
        ? el('ul', {className: 'problems'}, ...r.problems.map((p) =>
          el('li', {textContent: t(p.key, p), dataset: {key: p.key, severe: SEVERE.has(p.key) ? '1' : '0'}})))
        : el('span', {className: 'ok', textContent: t('all_good')});
      const select = el('select', {}, ...BOOT.commands.map((c) => el('option', {value: c, textContent: t('cmd_' + c)})));
      const send = el('button', {type: 'button', textContent: t('cmd_send'), className: 'send',
        on: {click: () => command(r.site, r.device, select.value)}});
      return el('tr', {dataset: {device: r.device, attention: String(r.attention)}},
        el('td', {textContent: r.site}), el('td', {textContent: r.device}), el('td', {}, problems),
        el('td', {textContent: r.version}), el('td', {textContent: String(r.outbox)}),
        el('td', {textContent: t(r.config.key, r.config)}), el('td', {className: 'act'}, select, ' ', send));
    }));
  }

  function renderAlerts() {
    const rows = state.alerts || [];
    const list = rows.map((a) => el('li', {dataset: {device: a.device}},
      el('strong', {textContent: a.title[LANGS.indexOf(lang)]}), ' ',
      el('span', {textContent: `${a.site} / ${a.device}`}), ' · ',
      el('span', {className: 'muted', textContent: ago(a.raised_at)})));
    $('alerts').replaceChildren(...(list.length ? list : [el('li', {className: 'muted', textContent: t('no_alerts')})]));
  }

  function renderVersions() {
    $('versions').replaceChildren(...(state.versions || []).map((v) =>
      el('li', {}, el('strong', {textContent: v.version}), ' — ', t('version_count', {n: v.n}))));
  }

  function renderChart() {
    const points = state.history || [];
    const svg = $('chart');
    $('chart-empty').hidden = points.length > 0;
    svg.replaceChildren();
    if (!points.length) return;
    const W = 480, H = 140, PAD = 18;
    const t0 = Date.parse(points[0][0]);
    const span = Math.max(60000, Date.parse(points[points.length - 1][0]) - t0);
    const top = Math.max(1, ...points.map((p) => p[1]));
    const xy = points.map(([at, n]) => {
      const x = PAD + ((Date.parse(at) - t0) / span) * (W - 2 * PAD);
      const y = H - PAD - (n / top) * (H - 2 * PAD);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    });
    const NS = 'http://www.w3.org/2000/svg';
    const line = document.createElementNS(NS, 'polyline');
    line.setAttribute('points', xy.length === 1 ? `${PAD},${xy[0].split(',')[1]} ${xy[0]}` : xy.join(' '));
    const label = (x, y, text, anchor = 'start') => {
      const node = document.createElementNS(NS, 'text');
      node.setAttribute('x', String(x));
      node.setAttribute('y', String(y));
      node.setAttribute('text-anchor', anchor);
      node.textContent = text;
      return node;
    };
    const clock = (iso) => new Date(iso).toLocaleTimeString(lang, {hour: '2-digit', minute: '2-digit'});
    svg.append(line, label(4, 12, String(top)), label(PAD, H - 4, clock(points[0][0])),
      label(W - PAD, H - 4, clock(points[points.length - 1][0]), 'end'));
  }

  function renderCommands() {
    const rows = state.commands || [];
    const body = $('commands').tBodies[0];
    const what = (w) => (w.key === 'cfg_push' ? t('cfg_push', w) : has('cmd_' + w.name) ? t('cmd_' + w.name) : t('cmd', w));
    const answer = (a) => t(a.key) + (a.reason && has('r_' + a.reason) ? ': ' + t('r_' + a.reason) : '');
    const list = rows.map((c) => el('tr', {dataset: {id: c.id, answer: c.answer.key}},
      el('td', {textContent: `${c.site} / ${c.device}`}),
      el('td', {textContent: what(c.what)}),
      el('td', {textContent: `${c.by || t('cmd_from_cli')}, ${ago(c.at)}`}),
      el('td', {textContent: answer(c.answer), className: c.answer.key === 'cmd_ok' ? 'ok' : ''})));
    body.replaceChildren(...(list.length ? list
      : [el('tr', {}, el('td', {colSpan: 4, className: 'muted', textContent: t('no_commands')}))]));
  }

  function renderTickets() {
    const rows = state.tickets || [];
    const list = rows.map((k) => {
      const input = el('input', {placeholder: t('ticket_text'), maxLength: 500});
      const form = el('form', {className: 'answer-form', on: {submit: (e) => {
        e.preventDefault();
        resolve(k.id, input.value);
      }}}, input, el('button', {type: 'submit', textContent: t('ticket_answer'), className: 'primary'}));
      return el('li', {dataset: {ticket: k.id}},
        el('strong', {textContent: t(BOOT.texts['tk_kind_' + k.kind] ? 'tk_kind_' + k.kind : 'kind_other')}), ' ',
        `${k.parcel || ''} · ${k.site} / ${k.device} · `, el('span', {className: 'muted', textContent: ago(k.opened_at)}),
        form);
    });
    $('tickets').replaceChildren(...(list.length ? list : [el('li', {className: 'muted', textContent: t('no_tickets')})]));
  }

  function renderRollouts() {
    const list = (state.rollouts || []).map((r) =>
      el('li', {dataset: {rollout: r.id, state: r.state}},
        el('strong', {textContent: `${r.package} ${r.version}`}), ` · ${r.sites.join(', ')} · `,
        t('rollout_stage', r), ' · ',
        el('span', {className: r.state === 'paused_failures' ? 'bad' : '', textContent: t('ro_' + r.state)}),
        el('div', {className: 'muted', textContent: t('rollout_progress', r.progress)})));
    $('rollouts').replaceChildren(...(list.length ? list : [el('li', {className: 'muted', textContent: t('no_rollouts')})]));
  }

  function renderOperator() {
    document.body.dataset.signedIn = operator.signed_in ? '1' : '0';
    $('who').textContent = operator.signed_in ? t('signed_in', {name: operator.name}) : t('read_only');
    $('signin').hidden = operator.signed_in;
    $('signout').hidden = !operator.signed_in;
    $('token').placeholder = t('token');
  }

  function renderAll() {
    document.documentElement.lang = lang;
    document.title = t('title');
    for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
    setLink(document.body.dataset.connected === '1');
    renderOperator();
    renderDevices();
    renderAlerts();
    renderVersions();
    renderChart();
    renderCommands();
    renderTickets();
    renderRollouts();
  }

  const RENDER = {devices: renderDevices, alerts: renderAlerts, versions: renderVersions,
    history: renderChart, commands: renderCommands, tickets: renderTickets, rollouts: renderRollouts};

  // Actions: each a POST with the sign-in's CSRF token; the answer arrives through the feed.

  async function post(url, body) {
    const response = await fetch(url, {method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-Pvz-Csrf': operator.csrf || ''},
      body: JSON.stringify(body)});
    if (response.status === 401 || response.status === 403) {
      operator = {signed_in: false};
      renderOperator();
      $('signin-error').textContent = t('refused');
    } else if (response.headers.get('X-Pvz-Reason') === 'store_unavailable') {
      $('signin-error').textContent = t('unavailable');
    }
    return response;
  }

  const command = (site, device, name) => post('/api/command', {site, device, name});
  const resolve = (ticket, text) => {
    if (text.trim()) post(`/api/tickets/${encodeURIComponent(ticket)}/resolve`, {text});
  };

  async function refreshOperator() {
    const response = await fetch('/state', {credentials: 'same-origin'});
    if (!response.ok) return;
    const data = await response.json();
    operator = data.operator;
    delete data.operator;
    state = data;
    renderAll();
  }

  $('signin').addEventListener('submit', async (e) => {
    e.preventDefault();
    const response = await fetch('/signin', {method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json'}, body: JSON.stringify({token: $('token').value})});
    $('token').value = '';
    const why = {too_many_attempts: 'too_many', store_unavailable: 'unavailable'}[
      response.headers.get('X-Pvz-Reason')] || 'bad_token';
    $('signin-error').textContent = response.ok ? '' : t(why);
    if (response.ok) await refreshOperator();
  });
  $('signout').addEventListener('click', async () => {
    await fetch('/signout', {method: 'POST', credentials: 'same-origin'});
    await refreshOperator();
  });
  $('site-filter').addEventListener('change', (e) => {
    site = e.target.value;
    renderDevices();
  });
  $('lang').addEventListener('click', () => {
    lang = lang === 'ru' ? 'en' : 'ru';
    localStorage.setItem('pvz-dashboard-lang', lang);
    renderAll();
  });

  // The live feed.

  function setLink(up) {
    document.body.dataset.connected = up ? '1' : '0';
    $('link').textContent = t(up ? 'live' : 'lost');
  }

  function connect() {
    const source = new EventSource('/events');
    source.addEventListener('open', () => setLink(true));
    source.addEventListener('error', () => {
      setLink(false);
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, REOPEN_MS);
    });
    source.addEventListener('snapshot', (e) => {
      state = JSON.parse(e.data);
      renderAll();
    });
    for (const name of Object.keys(RENDER)) {
      source.addEventListener(name, (e) => {
        state[name] = JSON.parse(e.data).section;
        RENDER[name]();
        if (name === 'devices') renderVersions();
      });
    }
  }

  renderAll();
  setLink(false);
  $('link').textContent = t('connecting');
  refreshOperator().finally(connect);
  setInterval(() => { renderAlerts(); renderCommands(); }, 30000);  // "5 minutes ago" moves on
})();
