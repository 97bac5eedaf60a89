// CDPKit console: a read-only customer-360 page over the console's JSON API.
// Every value from the API is put into the page as text (textContent), never as markup.
// Identifiers searched for travel in a POST body; URLs carry only opaque profile ids, segment
// ids, workspace ids and days.
'use strict';

(function () {
  const api = 'api/';
  const $ = (id) => document.getElementById(id);
  let workspace = null;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function table(headers, rows) {
    const t = el('table');
    t.append(el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))));
    const body = el('tbody');
    for (const r of rows) {
      body.append(el('tr', {}, ...r.map((c) => el('td', {}, c))));
    }
    t.append(body);
    return t;
  }

  function card(title, content, wide) {
    return el('div', { class: wide ? 'card wide' : 'card', 'data-card': title }, el('h3', {}, title), content);
  }

  function show(view) {
    for (const v of ['search', 'profile', 'segments', 'health', 'jobs']) {
      $('view-' + v).hidden = v !== view;
    }
    $('error').hidden = true;
  }

  function fail(message) {
    $('error').textContent = message;
    $('error').hidden = false;
  }

  async function getJson(path) {
    const r = await fetch(api + path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  }

  function text(v) {
    if (v === null || v === undefined) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  // ---------------------------------------------------------------- search

  async function search(ev) {
    ev.preventDefault();
    const value = $('search-value').value;
    const r = await fetch(api + 'search', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ workspace, type: $('search-type').value, value }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) { $('search-result').textContent = body.error || ('HTTP ' + r.status); return; }
    $('search-value').value = '';
    if (body.profiles.length === 0) { $('search-result').textContent = 'Nobody holds that identifier.'; return; }
    if (body.profiles.length === 1) { location.hash = '#/profile/' + encodeURIComponent(body.profiles[0].id); return; }
    const list = el('ul');
    for (const p of body.profiles) {
      list.append(el('li', {}, el('a', { href: '#/profile/' + encodeURIComponent(p.id) }, p.id), ' (by ' + p.matchedType + ')'));
    }
    $('search-result').replaceChildren('Several people match:', list);
  }

  // ---------------------------------------------------------------- profile

  async function profile(id) {
    show('profile');
    const view = $('view-profile');
    view.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
    const p = await getJson('w/' + encodeURIComponent(workspace) + '/profiles/' + encodeURIComponent(id));
    const cards = el('div', { class: 'cards' });
    const head = el('div', {}, el('h2', { id: 'profile-title' }, 'Profile ', el('code', {}, p.id)));
    if (p.mergedFrom) head.append(el('p', { class: 'muted' }, 'Profile ' + p.mergedFrom + ' was merged into this one.'));
    if (p.restricted) head.append(el('p', { class: 'denied' }, 'Processing is restricted.'));
    const s = p.summary;
    head.append(el('p', { class: 'muted' }, 'First seen ' + (p.firstSeen || '–') + ' · last seen ' + (p.lastSeen || '–')
      + ' · ' + s.orders + ' order(s)' + Object.entries(s.totalSpend).map(([c, v]) => ' · ' + v + ' ' + c).join('')
      + (s.favouriteChannel ? ' · favourite channel ' + s.favouriteChannel : '')
      + (s.favouriteStore ? ' · favourite store ' + s.favouriteStore : '')));

    cards.append(card('Identifiers', table(['type', 'value'], p.identifiers.map((i) => [i.type, i.value]))));
    cards.append(card('Traits', table(['trait', 'value'], Object.entries(p.traits).map(([k, v]) => [k, text(v)]))));
    const computed = Object.entries(p.computedTraits);
    cards.append(card('Computed traits, loyalty and predictions', computed.length === 0
      ? el('p', { class: 'muted' }, 'None declared.')
      : table(['trait', 'value'], computed.map(([k, v]) => [k, text(v)]))));
    cards.append(card('Consents', table(['purpose', 'channel', 'status'],
      p.consents.map((c) => [c.purpose, c.channel, el('span', { class: c.status }, c.status)]))));
    if (p.addressConsents.length > 0) {
      cards.append(card('Consents per address', table(['purpose', 'channel', 'address', 'status', 'since'],
        p.addressConsents.map((c) => [c.purpose, c.channel, c.address, el('span', { class: c.status }, c.status), c.time]))));
    }
    cards.append(card('Consent history and evidence', table(['time', 'purpose', 'channel', 'decision', 'basis', 'source', 'policy', 'proof', 'expires'],
      p.consentHistory.map((c) => [c.time, c.purpose, c.channel,
        el('span', { class: c.granted ? 'granted' : 'denied' }, c.granted ? 'granted' : 'denied'),
        c.basis, c.source || '', c.policyVersion || '',
        c.proof ? [c.proof.formId, c.proof.reference, c.proof.confirmedAt].filter((x) => x).join(' · ') : '',
        c.expiresAt || ''])), true));
    cards.append(card('Orders and refunds', table(['time', 'what', 'order', 'amount', 'channel / store'],
      p.timeline.map((t) => [t.time, el('span', { class: t.kind }, t.kind), t.orderId, t.amount,
        [t.channel, t.store].filter((x) => x).join(' / ')])), true));
    if (p.segmentsShown) {
      cards.append(card('Segments', table(['segment', 'member', 'why'],
        p.segments.map((g) => [g.id, el('span', { class: g.member ? 'in' : 'out' }, g.member ? 'in' : 'out'),
          el('pre', {}, g.explanation)])), true));
    }
    if (p.deliveriesShown) {
      cards.append(card('Deliveries', p.deliveries.length === 0 ? el('p', { class: 'muted' }, 'Nothing sent or withheld.')
        : table(['at', 'rule', 'channel', 'attempt', 'outcome', 'reason'],
          p.deliveries.map((d) => [d.at, d.rule, d.channel, d.attempt, d.outcome, d.reason || ''])), true));
    }
    cards.append(card('Merge ledger', p.ledger.length === 0 ? el('p', { class: 'muted' }, 'No merges.')
      : table(['recorded', 'kind', 'profile', 'other', 'identifier', 'event', 'reason'],
        p.ledger.map((l) => [l.recordedAt, l.kind, l.profile, l.other || '', l.identifier || '', l.messageId || '', l.reason])), true));
    cards.append(card('Latest events (' + p.eventCount + ' in all)', table(['time', 'type', 'name', 'messageId'],
      p.events.slice().reverse().map((e) => [e.time, e.type, e.name || '', e.messageId])), true));
    view.replaceChildren(head, cards);
  }

  // ---------------------------------------------------------------- segments

  async function segmentList(selected) {
    show('segments');
    const view = $('view-segments');
    const r = await getJson('w/' + encodeURIComponent(workspace) + '/segments');
    const rows = r.segments.map((g) => [
      el('a', { href: '#/segments/' + encodeURIComponent(g.id) }, g.id),
      (g.sizeCapped ? 'at least ' : '') + g.size]);
    const parts = [el('h2', {}, 'Segments'), card('Sizes', table(['segment', 'members'], rows))];
    if (selected) {
      parts.push(await chart(selected));
    }
    view.replaceChildren(...parts);
  }

  async function chart(segment) {
    const h = await getJson('w/' + encodeURIComponent(workspace) + '/segments/' + encodeURIComponent(segment) + '/history');
    const days = h.days;
    const width = 760; const height = 260; const left = 40; const bottom = 40; const top = 14;
    const max = Math.max(1, ...days.map((d) => Math.max(d.entries, d.exits)));
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'chart');
    svg.setAttribute('id', 'segment-chart');
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'Entries and exits per day of segment ' + segment);
    const mid = (height - bottom - top) / 2 + top;
    const half = (height - bottom - top) / 2;
    const step = (width - left - 10) / days.length;
    const bar = Math.max(2, step * 0.7);
    const add = (tag, attrs, content) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (content !== undefined) e.textContent = content;
      svg.append(e);
      return e;
    };
    add('line', { class: 'axis', x1: left, y1: mid, x2: width - 10, y2: mid });
    add('text', { x: 2, y: top + 8 }, '+' + max);
    add('text', { x: 2, y: height - bottom }, '-' + max);
    days.forEach((d, i) => {
      const x = left + i * step;
      if (d.entries > 0) {
        const hgt = (d.entries / max) * half;
        add('rect', { class: 'entries', x, y: mid - hgt, width: bar, height: hgt, 'data-day': d.day, 'data-entries': d.entries })
          .append(Object.assign(document.createElementNS(ns, 'title'), { textContent: d.day + ': ' + d.entries + ' entered' }));
      }
      if (d.exits > 0) {
        const hgt = (d.exits / max) * half;
        add('rect', { class: 'exits', x, y: mid, width: bar, height: hgt, 'data-day': d.day, 'data-exits': d.exits })
          .append(Object.assign(document.createElementNS(ns, 'title'), { textContent: d.day + ': ' + d.exits + ' left' }));
      }
      if (i % 7 === 0 || (i === days.length - 1 && i % 7 > 3)) {
        add('text', { x, y: height - bottom + 14 }, d.day.slice(5));
      }
    });
    const total = (k) => days.reduce((a, d) => a + d[k], 0);
    return card('Entries and exits of ' + segment + ', ' + h.from + ' to ' + h.to + ' (UTC days)',
      el('div', {}, svg, el('p', {},
        el('span', { class: 'legend-entries' }, 'entries ' + total('entries')), ' · ',
        el('span', { class: 'legend-exits' }, 'exits ' + total('exits')))), true);
  }

  // ---------------------------------------------------------------- health

  async function health() {
    show('health');
    const h = await getJson('w/' + encodeURIComponent(workspace) + '/health');
    $('view-health').replaceChildren(el('h2', {}, 'Outbox and delivery health'), card('Outbox', table(['measure', 'value'], [
      ['pending entries', h.pending],
      ['oldest pending, seconds', h.oldestAgeSeconds],
      ['dead letters', (h.deadLettersCapped ? 'more than ' : '') + h.deadLetters],
    ])));
  }

  // ---------------------------------------------------------------- jobs

  async function jobs() {
    show('jobs');
    const j = await getJson('jobs');
    const rows = j.jobs.map((x) => [x.name, x.phase,
      x.total === undefined ? String(x.done) : x.done + ' of ' + x.total,
      x.started, x.updated, x.finished === undefined ? 'running' : 'finished ' + x.finished]);
    $('view-jobs').replaceChildren(el('h2', {}, 'Long jobs'), card('Jobs, newest first',
      rows.length === 0 ? el('p', {}, 'No job has reported yet.')
        : table(['job', 'phase', 'done', 'started', 'last report', 'state'], rows), true));
  }

  // ---------------------------------------------------------------- routing

  async function route() {
    const hash = location.hash || '#/';
    const parts = hash.slice(2).split('/').map(decodeURIComponent);
    try {
      if (parts[0] === 'profile' && parts[1]) await profile(parts[1]);
      else if (parts[0] === 'segments') await segmentList(parts[1]);
      else if (parts[0] === 'health') await health();
      else if (parts[0] === 'jobs') await jobs();
      else { show('search'); $('search-value').focus(); }
    } catch (e) {
      fail(e.message);
    }
  }

  async function start() {
    const w = await getJson('workspaces');
    const select = $('workspace');
    for (const id of w.workspaces) select.append(el('option', { value: id }, id));
    workspace = sessionStorage.getItem('cdpkit-console-workspace');
    if (!w.workspaces.includes(workspace)) workspace = w.workspaces[0];
    select.value = workspace;
    select.addEventListener('change', () => {
      workspace = select.value;
      sessionStorage.setItem('cdpkit-console-workspace', workspace);
      location.hash = '#/';
      route();
    });
    $('nav-segments').hidden = !w.segments;
    $('nav-health').hidden = !w.activation;
    $('nav-jobs').hidden = !w.jobs;
    $('search-form').addEventListener('submit', (e) => { search(e).catch((x) => fail(x.message)); });
    window.addEventListener('hashchange', route);
    await route();
  }

  document.addEventListener('DOMContentLoaded', () => { start().catch((e) => fail(e.message)); });
})();
