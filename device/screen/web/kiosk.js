// A kiosk's page: the customer's view of the station's events. Renders what the server sends
// (every word comes from it); the keypad and "open again" send inputs like the counter's page.
'use strict';

(function () {
  const station = document.body.dataset.station;
  const CODE_MAX = 32;
  const CODE_IDLE_MS = 60000; // a code half typed and left: cleared, so the next customer never sees it
  const PRESS_LOCK_MS = 800;   // a pressed button rests this long: no double sends
  const REOPEN_MS = 3000;      // after the browser gave up on the stream, try again
  const TONE_ICON = {ok: '✓', info: 'ℹ', warn: '⚠', error: '✕'};
  const STEP_ICON = {
    commanded: '…', open: '↗', unverified: '?', jammed: '✕', left_open: '⚠',
    taken: '✓', not_taken: '✕', lit: '☀',
  };
  const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', 'erase'];

  let labels = {};
  let code = '';
  let keypadOn = false;
  let lockedUntil = 0;     // Date.now() when the keypad takes codes again
  let linkDown = false;    // a remote kiosk that cannot reach the site's main device: the keypad rests
  let lockTimer = null;
  let lastSeq = null;
  window.pvzKiosk = {events: 0};

  const $ = (id) => document.getElementById(id);
  const label = (key) => (labels[key] !== undefined ? labels[key] : '');

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }

  function setText(id, text) { $(id).textContent = text == null ? '' : String(text); }

  // --- fixed words and the language switch ---
  function renderLabels(snap) {
    labels = snap.labels || {};
    document.documentElement.lang = snap.lang;
    document.title = label('title');
    document.querySelectorAll('[data-label]').forEach((n) => { n.textContent = label(n.dataset.label); });
    const langs = (snap.langs || []).map((l) => {
      const btn = el('button', {type: 'button', class: 'control lang', lang: l.lang, 'data-lang': l.lang,
        'aria-pressed': l.lang === snap.lang ? 'true' : 'false'}, l.text);
      btn.addEventListener('click', () => chooseLang(btn, l.lang));
      return btn;
    });
    $('langs').replaceChildren($('langs-label'), ...langs);
    renderKeys();
  }

  async function chooseLang(btn, lang) {
    if (btn.getAttribute('aria-pressed') === 'true') return;
    await post(btn, '/kiosk/' + encodeURIComponent(station) + '/lang', {lang});
  }

  // --- the message: announced by the live region each time a new one comes ---
  function renderMessage(screen) {
    const tone = TONE_ICON[screen.tone] ? screen.tone : 'info';
    $('message').className = 'tone-' + tone;
    if (String(screen.seq) === lastSeq) return;
    lastSeq = String(screen.seq);
    // Replaced whole, so that a screen reader reads the new message even when its words repeat.
    $('message-body').replaceChildren(
      el('p', {id: 'message-tone'}, label('tone_' + tone)),
      el('h2', {id: 'message-title'}, screen.title),
      el('div', {id: 'message-lines'}, ...(screen.lines || []).map((line) => el('p', {}, line))));
    setText('message-icon', TONE_ICON[tone]);
  }

  // --- the kiosk: idle (keypad), locked (time left), or an order with its doors ---
  function renderStation(s) {
    renderMessage(s.screen);
    setText('prompt', s.prompt);
    $('prompt').hidden = !s.prompt;
    renderOrder(s.order);
    renderLocked(s.locked);
    keypadOn = Boolean(s.keypad);
    $('pad').hidden = !keypadOn;
    document.body.classList.toggle('has-order', Boolean(s.order));
    if (!keypadOn) setCode('');
    updateKeys();
    document.body.dataset.seq = String(s.screen.seq);
  }

  function renderOrder(order) {
    $('order').hidden = !order;
    if (!order) return;
    setText('order-customer', order.customer);
    setText('order-count', order.count);
    $('doors').replaceChildren(...order.doors.map((d) => el('li',
      {class: 'door step-' + d.step, 'data-step': d.step, 'data-cell': d.cell},
      el('p', {class: 'door-name'}, d.name),
      el('p', {class: 'door-state'},
        el('span', {class: 'icon', 'aria-hidden': 'true'}, STEP_ICON[d.step] || '•'), ' ', d.step_text),
      el('p', {class: 'door-count'}, d.count))));
    const reopen = $('reopen');
    const had = !reopen.hidden;
    reopen.hidden = !order.reopen;
    if (order.reopen) {
      reopen.textContent = order.reopen.text;
      reopen.dataset.code = order.reopen.code;
      if (!had) reopen.focus();  // offered once: Enter right away opens the door again
    }
  }

  $('reopen').addEventListener('click', () => {
    const btn = $('reopen');
    if (btn.dataset.code) send(btn, {code: btn.dataset.code});
  });

  function renderLocked(locked) {
    $('locked').hidden = !locked;
    clearInterval(lockTimer);
    lockedUntil = locked ? Date.now() + 1000 * locked.seconds : 0;
    if (!locked) return;
    setText('locked-text', locked.text);
    tickLock();
    lockTimer = setInterval(tickLock, 1000);
  }

  function tickLock() {
    const left = Math.max(0, Math.ceil((lockedUntil - Date.now()) / 1000));
    setText('locked-clock', Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0'));
    if (left === 0) {
      clearInterval(lockTimer);
      lockedUntil = 0;
      $('locked').hidden = true;
      updateKeys();
    }
  }

  const locked = () => linkDown || lockedUntil > Date.now();

  // --- the keypad: on screen, and the physical keypad's keys anywhere on the page ---
  function renderKeys() {
    const keys = KEYS.map((k) => {
      const text = k === 'erase' ? label('key_erase') : k;
      const btn = el('button', {type: 'button', class: 'control key key-' + (k === 'erase' ? 'erase' : 'digit'),
        'data-key': k, 'aria-label': k === '*' ? label('key_star') : null}, text);
      btn.addEventListener('click', () => key(k));
      return btn;
    });
    const ok = el('button', {type: 'button', class: 'control key key-ok primary', 'data-key': 'ok'}, label('key_ok'));
    ok.addEventListener('click', () => submit(ok));
    $('keys').replaceChildren($('keys-label'), ...keys, ok);
    updateKeys();
  }

  function updateKeys() {
    const off = !keypadOn || locked();
    document.querySelectorAll('#keys button').forEach((b) => {
      b.disabled = off || (b.dataset.key === 'ok' && (!code || Boolean(b.dataset.busy)));
    });
    $('pad').classList.toggle('locked', locked());
  }

  function key(k) {
    if (!keypadOn || locked()) return;
    if (k === 'erase') setCode(code.slice(0, -1));
    else if (code.length < CODE_MAX) setCode(code + k);
  }

  let codeTimer = null;

  function setCode(value) {
    code = value;
    $('code').value = value;
    clearTimeout(codeTimer);
    if (value) codeTimer = setTimeout(() => setCode(''), CODE_IDLE_MS);
    updateKeys();
  }

  function submit(btn) {
    if (!code || !keypadOn || locked()) return;
    const typed = code;
    send(btn || document.querySelector('#keys [data-key="ok"]'), {code: typed, keyed: true})
      .then((ok) => { if (ok && code === typed) setCode(''); });
  }

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    const onButton = document.activeElement && document.activeElement.tagName === 'BUTTON';
    if (/^[0-9*]$/.test(e.key)) {
      e.preventDefault();
      key(e.key);
    } else if (e.key === 'Backspace') {
      e.preventDefault();
      key('erase');
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setCode('');
    } else if (e.key === 'Enter' && !onButton) {
      e.preventDefault();
      submit(null);
    }
  });

  // --- input: POST to the station, the same path as a scan ---
  async function send(btn, body) {
    return post(btn, '/station/' + encodeURIComponent(station) + '/input', body);
  }

  async function post(btn, url, body) {
    if (btn.dataset.busy) return false;
    btn.dataset.busy = '1';
    btn.setAttribute('aria-disabled', 'true');
    setTimeout(() => { delete btn.dataset.busy; btn.removeAttribute('aria-disabled'); updateKeys(); },
      PRESS_LOCK_MS);
    updateKeys();
    try {
      const r = await fetch(url, {method: 'POST', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
      return r.ok;
    } catch (err) {
      return false;  // the banner already says the kiosk lost its connection
    }
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
    linkDown = state === 'down';
    if ($('keys').children.length) updateKeys();
  }

  // --- the event stream ---
  function renderSnapshot(snap) {
    setCode('');  // a fresh start (a new language, the next customer) begins with no code
    renderLabels(snap);
    lastSeq = null;
    renderStation(snap);
    if ('link' in snap) renderLink(snap.link);
    const first = $('app').hidden;
    $('loading').hidden = true;
    $('app').hidden = false;
    if (first) $('code').focus();
  }

  const HANDLERS = {snapshot: renderSnapshot, station: renderStation, link: renderLink};

  function setConnected(up) {
    document.body.dataset.connected = up ? '1' : '0';
    $('banner').hidden = up || $('app').hidden;
    setText('banner-text', label('disconnected'));
  }

  function connect() {
    const source = new EventSource('/events?station=' + encodeURIComponent(station));
    source.addEventListener('open', () => setConnected(true));
    source.addEventListener('error', () => {
      setConnected(false);
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, REOPEN_MS);
    });
    for (const [name, handler] of Object.entries(HANDLERS)) {
      source.addEventListener(name, (e) => {
        let data;
        try { data = JSON.parse(e.data); } catch (err) { return; }
        handler(data);
        document.body.dataset.lastEventId = e.lastEventId;
        window.pvzKiosk.events += 1;
      });
    }
  }

  connect();
})();
