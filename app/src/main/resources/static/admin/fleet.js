// The admin pages' shared module: calls to the REST API with the signed-in user's token, live
// updates by polling, readable errors, role-aware hiding and the page shell (navigation bar).
// Plain ES module, no build step. Pages import what they need:
//   import { page, api, poll, GA, h } from '/admin/fleet.js';
//   page('Servers', async (main, ctx) => { ... });

/** The operator API's prefix. */
export const GA = '/api/v1/group-ai';

const TOKEN_KEY = 'groupai.fleet.token';
const ROLE_KEY = 'groupai.fleet.role';
const NAME_KEY = 'groupai.fleet.name';

/** Roles from least to most allowed (the security issue's viewer < operator < admin). */
export const ROLES = ['viewer', 'operator', 'admin'];

/** The navigation bar: [label, file]. */
export const NAV = [
  ['Overview', 'index.html'],
  ['Servers', 'servers.html'],
  ['Accounts', 'accounts.html'],
  ['Allocation', 'allocation.html'],
  ['Scripts', 'scripts.html'],
  ['Workflows', 'workflows.html'],
  ['Routing pool', 'routing.html'],
  ['Simulated chat (demo)', 'chat.html'],
];

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** The signed-in user: {name, role}, as the last sign-in or /auth/me said. */
export function me() {
  return { name: sessionStorage.getItem(NAME_KEY), role: sessionStorage.getItem(ROLE_KEY) };
}

export function rememberSignIn(accessToken, name, role) {
  sessionStorage.setItem(TOKEN_KEY, accessToken);
  sessionStorage.setItem(NAME_KEY, name);
  sessionStorage.setItem(ROLE_KEY, role);
}

/** Forgets the token and goes to the sign-in page, coming back here afterwards. */
export function signOut(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(ROLE_KEY);
  sessionStorage.removeItem(NAME_KEY);
  const params = new URLSearchParams();
  if (!location.pathname.endsWith('/login.html')) {
    params.set('next', location.pathname + location.search);
  }
  if (reason) params.set('reason', reason);
  location.assign('/admin/login.html' + (params.size ? '?' + params : ''));
}

/** An answer that was not 2xx: message is the problem's detail (or title); problem is its body. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || 'HTTP ' + status);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.title = problem.title || 'HTTP ' + status;
    this.detail = problem.detail || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

/**
 * Calls the API. body: an object (sent as JSON), a Blob/ArrayBuffer (sent as is, with
 * options.contentType), or undefined. Answers the parsed JSON (or text, or null for 204).
 * A 401 signs out and goes to the sign-in page (unless options.noRedirect); other failures throw
 * an ApiError carrying the problem+json title, detail and errors.
 */
export async function api(method, path, body, options = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  const t = token();
  if (t && !options.anonymous) headers.Authorization = 'Bearer ' + t;
  let payload;
  if (body instanceof Blob || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    payload = body;
    headers['Content-Type'] = options.contentType || 'application/octet-stream';
  } else if (body !== undefined && body !== null) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, {
      title: 'The control plane did not answer',
      detail: 'the request got no answer (' + e.message + '); check that the app is running and reachable',
    });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (response.status === 401 && !options.noRedirect) {
    signOut(data && data.detail ? data.detail : 'your sign-in has ended; sign in again');
  }
  if (!response.ok) {
    const problem = data && typeof data === 'object'
      ? data
      : { title: response.statusText || 'HTTP ' + response.status, detail: 'the control plane answered ' + response.status };
    throw new ApiError(response.status, problem);
  }
  return data;
}

/**
 * Calls fn now and then every ms milliseconds after each call ends, while the tab is visible
 * (a hidden tab stops polling; showing it again polls at once). Errors appear in one banner that
 * goes away when a later call succeeds. Answers {stop(), now()}.
 */
export function poll(fn, ms) {
  let timer = null;
  let stopped = false;
  let running = false;
  let banner = null;
  const schedule = () => {
    clearTimeout(timer);
    if (!stopped && !document.hidden) timer = setTimeout(tick, ms);
  };
  async function tick() {
    if (stopped || running || document.hidden) return;
    running = true;
    try {
      await fn();
      if (banner) {
        banner.remove();
        banner = null;
      }
    } catch (e) {
      if (banner) banner.remove();
      banner = showError(e);
    } finally {
      running = false;
      schedule();
    }
  }
  const onVisibility = () => {
    if (document.hidden) clearTimeout(timer);
    else tick();
  };
  document.addEventListener('visibilitychange', onVisibility);
  tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    },
    now() {
      clearTimeout(timer);
      return tick();
    },
  };
}

/** A readable sentence for an error: problem title, detail and field errors; never a stack trace. */
export function describeError(problem) {
  if (problem == null) return 'Something went wrong.';
  if (typeof problem === 'string') return problem;
  const p = problem instanceof ApiError ? problem.problem : problem;
  const title = problem.title || (p && p.title) || (problem instanceof Error ? 'Error' : 'Problem');
  const detail = (p && p.detail) || (problem instanceof Error ? problem.message : '') || '';
  // Field errors, unless the detail already says the same thing.
  const errors = (p && Array.isArray(p.errors) ? p.errors : [])
    .filter((e) => !(e.message && detail.includes(e.message)))
    .map((e) => (e.field ? e.field + ': ' : '') + (e.message || ''));
  return [title + (detail ? ': ' + detail : ''), ...errors].join('\n');
}

/**
 * Shows an error in the page's message area (dismissible) and answers its element. problem: an
 * ApiError, an Error, a problem+json object or a string. Also logs it to the console for developers.
 */
export function showError(problem, where) {
  console.warn('fleet:', problem);
  const area = where || document.getElementById('fleet-messages') || document.body;
  const box = h('div', { class: 'message error', role: 'alert' },
    h('pre', {}, describeError(problem)),
    h('button', { type: 'button', class: 'link', title: 'Dismiss', onclick: () => box.remove() }, '×'));
  area.prepend(box);
  return box;
}

/** A short confirmation in the message area that disappears by itself. */
export function showNotice(text, where) {
  const area = where || document.getElementById('fleet-messages') || document.body;
  const box = h('div', { class: 'message notice', role: 'status' }, text);
  area.prepend(box);
  setTimeout(() => box.remove(), 6000);
  return box;
}

/** Whether the signed-in user has at least this role. */
export function can(role) {
  const mine = ROLES.indexOf(me().role);
  return mine >= 0 && mine >= ROLES.indexOf(role);
}

/** Hides (removes from view) every element marked data-min-role="operator|admin" the user lacks. */
export function applyRoles(root = document) {
  const apply = (el) => {
    if (el.dataset && el.dataset.minRole && !can(el.dataset.minRole)) el.hidden = true;
  };
  if (root.nodeType === Node.ELEMENT_NODE) apply(root);
  root.querySelectorAll('[data-min-role]').forEach(apply);
}

/**
 * Makes an element: h('a', {href: '#', class: 'x', onclick: fn, dataset: {id: 1}}, 'text', child).
 * Text children are text nodes, never HTML, so values from the API cannot inject markup.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A usage bar: percent 0..100, coloured by how full it is. */
export function bar(percent, label) {
  const p = Math.max(0, Math.min(100, Number(percent) || 0));
  const level = p >= 90 ? 'high' : p >= 70 ? 'mid' : 'low';
  const fillEl = h('span', { class: 'fill ' + level });
  fillEl.style.width = p + '%';
  return h('span', { class: 'bar', title: (label ? label + ': ' : '') + p.toFixed(0) + '%' },
    fillEl, h('span', { class: 'bar-text' }, percent == null ? '–' : p.toFixed(0) + '%'));
}

/** A coloured status word (healthy, down, running, failed, ...). */
export function badge(value) {
  const v = value == null ? 'unknown' : String(value);
  return h('span', { class: 'badge ' + v.toLowerCase().replace(/[^a-z0-9]+/g, '-') }, v);
}

/** A time as local date and time, '–' when absent. */
export function formatTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

/** How long ago, e.g. "12 s ago", '–' when absent. */
export function ago(iso) {
  if (!iso) return '–';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (isNaN(s)) return String(iso);
  if (s < 0) return 'in ' + -s + ' s';
  if (s < 120) return s + ' s ago';
  if (s < 7200) return Math.round(s / 60) + ' min ago';
  if (s < 172800) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' days ago';
}

/**
 * A table: columns [{label, value: row => text|Node, class?}], rows; empty says what to show when
 * there are no rows.
 */
export function table(columns, rows, empty = 'Nothing here yet.') {
  const head = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.class }, c.label))));
  const body = h('tbody', {},
    rows.length === 0
      ? h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, empty))
      : rows.map((r) => h('tr', {}, columns.map((c) => h('td', { class: c.class }, c.value(r))))));
  return h('table', { class: 'grid' }, head, body);
}

/**
 * Paging controls for the API's {items, page, size, total}: "Previous", "page x of y", "Next";
 * onPage(n) is called with the page to load.
 */
export function pager(result, onPage) {
  const pages = Math.max(1, Math.ceil((result.total || 0) / (result.size || 1)));
  const current = result.page || 0;
  return h('div', { class: 'pager' },
    h('button', { type: 'button', disabled: current <= 0, onclick: () => onPage(current - 1) }, '‹ Previous'),
    h('span', {}, 'page ' + (current + 1) + ' of ' + pages + ' · ' + (result.total || 0) + ' in all'),
    h('button', { type: 'button', disabled: current + 1 >= pages, onclick: () => onPage(current + 1) }, 'Next ›'));
}

/** Query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

function navigation() {
  const here = location.pathname.replace(/^.*\//, '') || 'index.html';
  const who = me();
  return h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '/admin/' }, 'Group AI Fleet'),
    h('nav', {}, NAV.map(([label, file]) =>
      h('a', { href: '/admin/' + file, class: here === file ? 'active' : null, 'aria-current': here === file ? 'page' : null }, label))),
    h('span', { class: 'who' },
      h('span', { id: 'fleet-user', title: 'signed in' }, who.name || ''), ' ',
      badge(who.role || ''), ' ',
      h('button', { type: 'button', class: 'link', id: 'sign-out', onclick: () => signOut('you signed out') }, 'Sign out')));
}

/**
 * A page: checks the sign-in (else goes to the sign-in page), asks the API who the user is (the role
 * may have changed since the sign-in), draws the navigation bar and the title, then calls
 * render(main, {me}) where main is the page's content element. Elements marked data-min-role that
 * the user lacks are hidden, also those that render adds later.
 */
export async function page(title, render) {
  document.title = title + ' · Group AI Fleet';
  if (!token()) {
    signOut();
    return;
  }
  try {
    const who = await api('GET', '/api/v1/auth/me');
    rememberSignIn(token(), who.name, who.role);
  } catch (e) {
    if (e.status === 401) return;
    // The page still draws; calls that fail will say why.
  }
  const main = h('main', { id: 'content' });
  document.body.replaceChildren(
    navigation(),
    h('div', { class: 'page' },
      h('h1', {}, title),
      h('div', { id: 'fleet-messages', 'aria-live': 'polite' }),
      main));
  new MutationObserver((changes) => {
    for (const c of changes) c.addedNodes.forEach((n) => n.nodeType === Node.ELEMENT_NODE && applyRoles(n));
  }).observe(document.body, { childList: true, subtree: true });
  try {
    await render(main, { me: me() });
  } catch (e) {
    showError(e);
  }
  applyRoles(document);
  document.body.dataset.ready = 'true';
}
