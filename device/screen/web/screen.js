// One station's screen: renders the server's snapshot and events; buttons and keypad send inputs.
'use strict';

(function () {
  const station = document.body.dataset.station;
  const PRESS_LOCK_MS = 800;   // a pressed button stays disabled this long: no double sends
  const REOPEN_MS = 3000;      // after the browser gave up on the stream (e.g. a 401), try again
  const KEYPAD_MAX = 32;
  const TONE_ICON = {ok: '✓', info: 'ℹ', warn: '⚠', error: '✕'};
  const STATUS_ICON = {waiting: '○', taken: '✓', refused: '✕'};

  let labels = {};
  let rackCells = [];
  let prints = [];
  let keyed = '';
  window.pvzScreen = {events: 0};

  const $ = (id) => document.getElementById(id);
  const label = (key) => (labels[key] !== undefined ? labels[key] : key);

  // Builds an element; text always goes in as textContent, never as markup.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k.startsWith('data-')) node.dataset[k.slice(5).replace(/-(\w)/g, (_, c) => c.toUpperCase())] = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }

  function setText(id, text) { $(id).textContent = text == null ? '' : String(text); }

  // --- labels: every fixed word comes from the server ---
  function renderLabels() {
    document.querySelectorAll('[data-label]').forEach((n) => { n.textContent = label(n.dataset.label); });
    $('hardware').setAttribute('aria-label', label('title_hardware'));
    renderKeypadKeys();
  }

  // --- the station: message, prompt, session, order, acceptance, buttons ---
  function renderMessage(screen) {
    const box = $('message');
    const tone = TONE_ICON[screen.tone] ? screen.tone : 'info';
    box.className = 'tone-' + tone;
    box.setAttribute('aria-live', tone === 'error' ? 'assertive' : 'polite');
    setText('message-icon', TONE_ICON[tone]);
    setText('message-title', screen.title);
    $('message-lines').replaceChildren(...(screen.lines || []).map((line) => el('p', {}, line)));
    setText('message-meta', [label('tone_' + tone), screen.scan, screen.at].filter(Boolean).join('  ·  '));
    if (String(screen.seq) !== document.body.dataset.seq) {
      box.classList.remove('fresh');
      void box.offsetWidth;  // restart the animation: a repeated message still shows as new
      box.classList.add('fresh');
    }
  }

  $('message').addEventListener('animationend', () => $('message').classList.remove('fresh'));

  function renderStation(s) {
    renderMessage(s.screen);
    setText('prompt', s.prompt);
    setText('workflow', s.workflow || label('idle'));
    $('workflow').classList.toggle('idle', !s.workflow);
    $('clerk').replaceChildren(
      el('span', {class: 'caption'}, label('title_clerk')), ' ',
      el('strong', {}, s.clerk ? s.clerk.name : label('no_clerk')));
    $('clerk').classList.toggle('missing', !s.clerk);
    document.body.classList.toggle('has-card', Boolean(s.order || s.acceptance));
    renderOrder(s.order);
    renderAcceptance(s.acceptance);
    renderButtons(s.buttons || []);
    renderTickets(s.tickets || {count: 0, open: [], answers: []});
    $('keypad').hidden = !s.keypad;
    if (!s.keypad) setKeyed('');
    document.body.dataset.seq = String(s.screen.seq);  // last: the latency benchmark waits for it
  }

  function flag(kind, text) {
    return el('span', {class: 'flag flag-' + kind}, text);
  }

  function renderOrder(order) {
    $('order').hidden = !order;
    if (!order) return;
    setText('order-number', order.number);
    // The phone's last digits ("•••• 4567") after the masked name, when central sent a phone.
    setText('order-customer', order.phone ? order.customer + ' · ' + order.phone : order.customer);
    $('order-flags').replaceChildren(
      order.adult ? flag('adult', label('adult')) : '',
      order.damaged ? flag('damaged', label('damaged')) : '');
    $('order-due-box').hidden = !order.due;
    setText('order-due', order.due);
    $('order-paid-box').hidden = !order.paid;
    setText('order-paid', order.paid);
    $('order-parcels').replaceChildren(...order.parcels.map((p) => el('div',
      {class: 'parcel status-' + p.status, 'data-status': p.status, 'data-code': p.code},
      el('span', {class: 'parcel-icon', 'aria-hidden': 'true'}, STATUS_ICON[p.status] || '•'),
      el('span', {class: 'parcel-code'}, p.code),
      el('span', {class: 'parcel-cell'}, p.cell ? label('cell') + ' ' + p.cell : ''),
      el('span', {class: 'parcel-flags'},
        p.adult ? flag('adult', label('adult')) : '', p.damaged ? flag('damaged', label('damaged')) : ''),
      el('span', {class: 'parcel-amount'}, p.amount || ''),
      el('span', {class: 'parcel-status'}, p.status_text))));
  }

  function renderAcceptance(acc) {
    $('acceptance').hidden = !acc;
    if (!acc) return;
    setText('acceptance-supply', acc.supply);
    setText('acceptance-text', acc.text);
    $('acceptance-bar').style.width = percent(acc.done, acc.total);
    $('acceptance-boxes').replaceChildren(...(acc.boxes || []).map((b) => el('li',
      {class: b.total && b.done >= b.total ? 'box done' : 'box', 'data-code': b.code},
      el('span', {class: 'box-code'}, b.code),
      el('span', {class: 'bar'}, progress(b.done, b.total)),
      el('span', {class: 'box-text'}, b.text))));
  }

  function percent(done, total) {
    return (total > 0 ? Math.min(100, Math.round(100 * done / total)) : 0) + '%';
  }

  function progress(done, total) {
    const fill = el('span', {class: 'fill'});
    fill.style.width = percent(done, total);
    return fill;
  }

  function renderButtons(buttons) {
    $('buttons').replaceChildren(...buttons.map((b) => {
      const btn = el('button', {type: 'button', class: 'kind-' + (b.kind || 'normal'), 'data-code': b.code}, b.text);
      btn.addEventListener('click', () => press(btn, {code: b.code}));
      return btn;
    }));
  }

  // --- the keypad: digits are composed here, sent as one keyed code ---
  function renderKeypadKeys() {
    const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'];
    const text = {clear: label('keypad_clear'), back: label('keypad_back')};
    const nodes = keys.map((k) => {
      const btn = el('button', {type: 'button', class: 'key key-' + (text[k] ? k : 'digit'), 'data-key': k},
        text[k] || k);
      btn.addEventListener('click', () => keypadKey(k));
      return btn;
    });
    const send = el('button', {type: 'button', class: 'key key-send kind-primary', 'data-key': 'send'},
      label('keypad_send'));
    send.addEventListener('click', () => {
      if (keyed) press(send, {code: keyed, keyed: true}).then((ok) => { if (ok) setKeyed(''); });
    });
    $('keypad-keys').replaceChildren(...nodes, send);
    setKeyed(keyed);
  }

  function keypadKey(k) {
    if (k === 'clear') setKeyed('');
    else if (k === 'back') setKeyed(keyed.slice(0, -1));
    else if (keyed.length < KEYPAD_MAX) setKeyed(keyed + k);
  }

  function setKeyed(value) {
    keyed = value;
    setText('keypad-display', value);
    const send = document.querySelector('#keypad-keys [data-key="send"]');
    if (send && !send.dataset.busy) send.disabled = !value;
  }

  // --- input: POST to the station, the same path as a scan ---
  async function press(btn, body) {
    btn.disabled = true;
    btn.dataset.busy = '1';
    setTimeout(() => { delete btn.dataset.busy; btn.disabled = btn.dataset.key === 'send' && !keyed; },
      PRESS_LOCK_MS);
    try {
      const r = await fetch('/station/' + encodeURIComponent(station) + '/input', {
        method: 'POST', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
      return r.ok;
    } catch (err) {
      return false;  // the stream's banner already says the server is away
    }
  }

  // --- the rack: one element per cell, grouped; lit cells take the light's colour and pattern ---
  function renderRack(rack) {
    rackCells = rack.cells || [];
    const groups = new Map();
    for (const c of rackCells) {
      if (!groups.has(c.group)) groups.set(c.group, []);
      groups.get(c.group).push(c);
    }
    $('rack').replaceChildren(...[...groups].map(([name, cells]) => el('div', {class: 'group'},
      el('span', {class: 'group-name'}, name),
      el('div', {class: 'cells'}, ...cells.map((c) => el('div',
        {class: 'cell', 'data-address': c.address, 'aria-label': c.label}, shortLabel(c)))))));
    renderLit(rack.lit || {});
  }

  // Under its group's name a cell shows the rest of its label ("A-01-2" under "A" shows "01-2").
  function shortLabel(cell) {
    const head = String(cell.group) + '-';
    return cell.label.startsWith(head) && cell.label.length > head.length ? cell.label.slice(head.length) : cell.label;
  }

  function renderLit(lit) {
    document.querySelectorAll('#rack .cell').forEach((node) => {
      const light = lit[node.dataset.address];
      node.dataset.pattern = light ? light.pattern : 'off';
      node.dataset.color = light ? light.color : 'off';
      if (light) node.title = light.text; else node.removeAttribute('title');
    });
    const labelOf = new Map(rackCells.map((c) => [c.address, c.label]));
    const meanings = new Map();  // one legend entry per meaning: "Take from here: C-04-2, C-05-1"
    for (const [address, light] of Object.entries(lit)) {
      const key = [light.color, light.pattern, light.text].join('|');
      if (!meanings.has(key)) meanings.set(key, {light, cells: []});
      meanings.get(key).cells.push(labelOf.get(address) || address);
    }
    $('rack-legend').replaceChildren(...[...meanings.values()].map(({light, cells}) => el('li', {},
      el('span', {class: 'swatch', 'data-pattern': light.pattern, 'data-color': light.color, 'aria-hidden': 'true'}),
      light.text + ': ', el('strong', {}, cells.join(', ')))));
  }

  // --- receipt previews: newest first, at most as many as the server keeps ---
  function renderPrints() {
    $('prints').replaceChildren(...prints.map((p) => el('figure', {class: 'print state-' + p.state},
      el('div', {class: 'paper'},
        el('img', {src: p.url, alt: p.title, 'data-job': String(p.job), 'data-state': p.state})),
      el('figcaption', {}, el('strong', {}, p.state_text), ' ', p.at))));
  }

  function upsertPrint(entry) {
    const at = prints.findIndex((p) => p.job === entry.job);
    if (at >= 0) prints[at] = entry;
    else prints = [entry, ...prints].slice(0, 6);
    renderPrints();
  }

  // The open tickets (what happened, the parcel, when) and support's latest answers.
  function renderTickets(t) {
    setText('tickets-count', t.count ? '(' + t.count + ')' : '');
    setText('tickets-empty', t.empty || '');
    $('tickets-empty').hidden = !t.empty;
    $('tickets').replaceChildren(...t.open.map((x) => el('li', {class: 'ticket'},
      el('strong', {}, x.kind), ' ', x.parcel || '', ' · ', x.at, ' · ', x.ticket)));
    $('answers-title').hidden = t.answers.length === 0;
    $('answers').replaceChildren(...t.answers.map((x) => el('li', {class: 'answer'}, x.at + ' · ' + x.text)));
  }

  // A working part shows only its name (its "ready" is noise on a busy bar); a fault says what.
  function renderHardware(hw) {
    $('hardware').replaceChildren(...(hw.parts || []).map((p) => el('li',
      {class: p.ok ? 'part ok' : 'part fault', 'data-ok': p.ok ? '1' : '0', title: p.name + ': ' + p.text},
      el('span', {class: 'part-icon', 'aria-hidden': 'true'}, p.ok ? '✓' : '✕'),
      el('span', {}, p.ok ? p.name : p.name + ': ' + p.text))));
  }

  // --- the station's link to the site's main device (a remote station; docs/site.md) ---
  const LINK_ICON = {waiting: '…', down: '✕', lost: '✕', notice: '✕', back: '✓'};
  function renderLink(link) {
    const state = link && link.title ? link.state : 'ok';
    const box = $('link');
    box.dataset.state = state;
    box.hidden = state === 'ok';
    setText('link-icon', LINK_ICON[state] || '');
    setText('link-title', state === 'ok' ? '' : link.title);
    setText('link-next', state === 'ok' ? '' : link.next);
    document.body.dataset.link = state;
  }

  // --- the event stream ---
  function renderSnapshot(snap) {
    labels = snap.labels || {};
    document.documentElement.lang = snap.lang || document.documentElement.lang;
    renderLabels();
    setText('station-name', snap.station);
    renderStation(snap);
    renderRack(snap.rack || {cells: [], lit: {}});
    prints = (snap.prints || []).slice();
    renderPrints();
    renderHardware(snap.hardware || {parts: []});
    if ('link' in snap) renderLink(snap.link);
    $('loading').hidden = true;
    $('app').hidden = false;
  }

  const HANDLERS = {
    snapshot: renderSnapshot,
    station: renderStation,
    rack: (data) => renderLit(data.lit || {}),
    print: upsertPrint,
    hardware: renderHardware,
    link: renderLink,
  };

  function setConnected(up) {
    document.body.dataset.connected = up ? '1' : '0';
    const started = !$('app').hidden;
    $('banner').hidden = up || !started;
    setText('banner-text', label('disconnected'));
  }

  function connect() {
    const source = new EventSource('/events?station=' + encodeURIComponent(station));
    source.addEventListener('open', () => setConnected(true));
    source.addEventListener('error', () => {
      setConnected(false);  // the browser reconnects by itself, sending Last-Event-ID
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, REOPEN_MS);
    });
    for (const [name, handler] of Object.entries(HANDLERS)) {
      source.addEventListener(name, (e) => {
        let data;
        try { data = JSON.parse(e.data); } catch (err) { return; }
        handler(data);
        document.body.dataset.lastEventId = e.lastEventId;
        window.pvzScreen.events += 1;
      });
    }
  }

  connect();
})();
