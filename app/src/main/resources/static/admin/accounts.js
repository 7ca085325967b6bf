// Accounts: paged list filtered on the server (server, status, source node); register an account,
// upload its session (a zip of a TDLib database directory) and log it in to Telegram on its node
// (phone, code, two-step password), following the login's state live.
import {
  page, api, poll, GA, h, fill, badge, table, pager, query, ago, showError, showNotice,
} from '/admin/fleet.js';
import { select } from '/admin/widgets.js';

const STATUSES = ['unallocated', 'allocating', 'online', 'migrating', 'failed', 'stopped', 'error'];

page('Accounts', (main) => {
  const params = new URLSearchParams(location.search);
  const filter = { server_id: params.get('server_id') || '', status: '', source_node: '', page: 0, size: 50 };
  const server = h('input', { id: 'filter-server', placeholder: 'server id', size: 14, value: filter.server_id });
  const status = select('filter-status', ['', ...STATUSES], 'any status');
  const source = h('input', { id: 'filter-source', placeholder: 'reported by node', size: 14 });
  const list = h('div', { id: 'account-list' });
  const side = h('div', { id: 'account-panel' });

  let typing;
  const apply = () => {
    filter.server_id = server.value.trim();
    filter.status = status.value;
    filter.source_node = source.value.trim();
    filter.page = 0;
    live.now();
  };
  for (const input of [server, source]) input.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(apply, 300); });
  status.addEventListener('change', apply);

  main.append(
    h('div', { class: 'filters' },
      h('label', {}, 'Server', server), h('label', {}, 'Status', status), h('label', {}, 'Source node', source),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', id: 'new-account', dataset: { minRole: 'operator' }, onclick: () => registerForm() }, 'Register an account')),
    side, list);

  const live = poll(async () => {
    const result = await api('GET', GA + '/accounts' + query(filter));
    fill(list,
      table([
        { label: 'Account', value: (a) => a.account_id },
        { label: 'Server', value: (a) => (a.server_id ? h('a', { href: '/admin/servers.html?server=' + encodeURIComponent(a.server_id) }, a.server_id) : '–') },
        { label: 'Status', value: (a) => badge(a.status) },
        { label: 'Source node', value: (a) => a.source_node || '–' },
        { label: 'Script', value: (a) => a.script_id || '–' },
        { label: 'Messages', value: (a) => a.message_count, class: 'num' },
        { label: 'Replies', value: (a) => a.reply_count, class: 'num' },
        { label: 'Last activity', value: (a) => ago(a.last_activity) },
        { label: '', value: (a) => h('span', { class: 'row' },
          h('button', { type: 'button', dataset: { minRole: 'operator', upload: a.account_id }, onclick: () => uploadForm(a) }, 'Upload session'),
          a.server_id ? h('button', { type: 'button', dataset: { minRole: 'operator', login: a.account_id }, onclick: () => loginPanel(a) }, 'Telegram sign-in') : null) },
      ], result.items, 'No account matches these filters.'),
      pager(result, (n) => { filter.page = n; live.now(); }));
  }, 5000);

  let panelPoll = null;
  function panel(...children) {
    if (panelPoll) panelPoll.stop();
    panelPoll = null;
    fill(side, h('div', { class: 'panel' }, ...children,
      h('button', { type: 'button', class: 'link', onclick: () => { if (panelPoll) panelPoll.stop(); side.replaceChildren(); } }, 'Close')));
  }

  function registerForm() {
    const id = h('input', { id: 'new-account-id', required: true, placeholder: '639277356155' });
    const file = h('input', { id: 'new-account-session', placeholder: 'sessions/639277356155.session (optional)', size: 40 });
    const script = h('input', { id: 'new-account-script', placeholder: 'script id (optional)' });
    const form = h('form', { class: 'stack' },
      h('h3', {}, 'Register an account'),
      h('label', {}, 'Account id', id), h('label', {}, 'Session file', file), h('label', {}, 'Script', script),
      h('button', { type: 'submit', class: 'primary' }, 'Register'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { account_id: id.value.trim() };
      if (file.value.trim()) body.session_file = file.value.trim();
      if (script.value.trim()) body.script_id = script.value.trim();
      try {
        await api('POST', GA + '/accounts', body);
        showNotice('Account ' + body.account_id + ' registered; allocate it on the Allocation page.');
        side.replaceChildren();
        live.now();
      } catch (err) {
        showError(err);
      }
    });
    panel(form);
  }

  function uploadForm(account) {
    const file = h('input', { type: 'file', id: 'session-file', accept: '.zip,application/zip' });
    const form = h('form', { class: 'stack' },
      h('h3', {}, 'Upload the session of ' + account.account_id),
      h('p', { class: 'muted' }, 'A zip of the account\'s TDLib database directory (td.binlog at its root or in db/). '
        + 'Pyrogram/Telethon .session files cannot be imported: sign the account in again instead.'),
      file,
      h('button', { type: 'submit', class: 'primary', id: 'session-upload' }, 'Upload'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!file.files.length) {
        showError({ title: 'No file chosen', detail: 'choose the zip of the session first' });
        return;
      }
      try {
        const stored = await api('PUT', GA + '/accounts/' + encodeURIComponent(account.account_id) + '/session', file.files[0], { contentType: 'application/zip' });
        showNotice('Session of ' + account.account_id + ' stored' + (stored && stored.sha256 ? ' (sha256 ' + stored.sha256.slice(0, 12) + '…)' : '') + '.');
        side.replaceChildren();
      } catch (err) {
        showError(err);
      }
    });
    panel(form);
  }

  function loginPanel(account) {
    const id = encodeURIComponent(account.account_id);
    const state = h('div', { id: 'login-state' });
    const phone = h('input', { id: 'login-phone', placeholder: '+4915112345678', autocomplete: 'off' });
    const code = h('input', { id: 'login-code', placeholder: '12345', autocomplete: 'one-time-code', inputmode: 'numeric' });
    const password = h('input', { id: 'login-password', type: 'password', autocomplete: 'off' });
    const step = (label, input, path, field) => {
      const form = h('form', { class: 'row', dataset: { step: field } }, h('label', {}, label, input), h('button', { type: 'submit', class: 'primary' }, 'Send'));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        try {
          await api('POST', GA + '/accounts/' + id + '/login' + path, { [field]: input.value });
          input.value = '';
          panelPoll && panelPoll.now();
        } catch (err) {
          showError(err);
        }
      });
      return form;
    };
    const phoneForm = step('Phone number', phone, '', 'phone_number');
    const codeForm = step('Code Telegram sent', code, '/code', 'code');
    const passwordForm = step('Two-step password', password, '/password', 'password');
    panel(
      h('h3', {}, 'Telegram sign-in of ' + account.account_id + ' on ' + account.server_id),
      h('p', { class: 'muted' }, 'The values go to the node once and are never stored or shown again.'),
      state, phoneForm, codeForm, passwordForm,
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        try { await api('DELETE', GA + '/accounts/' + id + '/login'); showNotice('Sign-in cancelled.'); } catch (err) { showError(err); }
        panelPoll && panelPoll.now();
      } }, 'Cancel the sign-in'));
    panelPoll = poll(async () => {
      let view = null;
      try {
        view = await api('GET', GA + '/accounts/' + id + '/login');
      } catch (err) {
        if (err.status !== 404) throw err;
      }
      const s = view ? view.state : 'not started';
      fill(state, h('p', {}, 'State: ', badge(s), view && view.phone ? ' · phone ' + view.phone : '',
        view && view.detail ? ' · ' + view.detail : '', view && view.expires_at ? ' · expires ' + ago(view.expires_at) : ''));
      phoneForm.hidden = !!view && !['failed', 'authorized'].includes(s);
      codeForm.hidden = s !== 'waiting_code';
      passwordForm.hidden = s !== 'waiting_password';
    }, 2000);
  }
});
