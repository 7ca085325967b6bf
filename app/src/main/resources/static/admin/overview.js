// Overview: account totals, the busiest servers with usage, health and load score, open alerts.
// Everything is one summary call plus paged calls, so it costs the same at 1,000 servers.
import { page, api, poll, GA, h, fill, bar, badge, table, pager, query, ago, can, showNotice, showError } from '/admin/fleet.js';

page('Overview', (main) => {
  const cards = h('div', { class: 'cards', id: 'totals' });
  const servers = h('div', { id: 'servers' });
  const alerts = h('div', { id: 'alerts' });
  let serverPage = 0;
  let alertPage = 0;
  main.append(cards,
    h('h2', {}, 'Servers'), servers,
    h('h2', {}, 'Open alerts'), alerts);

  const live = poll(async () => {
    const [summary, running, list, open] = await Promise.all([
      api('GET', GA + '/account-allocation/summary'),
      api('GET', GA + '/accounts' + query({ status: 'online', size: 1 })),
      api('GET', GA + '/servers' + query({ page: serverPage, size: 25 })),
      api('GET', GA + '/alerts' + query({ open: true, page: alertPage, size: 10 })),
    ]);
    fill(cards,
      card('Accounts', summary.total_accounts, 'total'),
      card('Allocated', summary.allocated, 'allocated'),
      card('Unallocated', summary.unallocated, 'unallocated'),
      card('Running', running.total, 'running'),
      card('Failing', summary.failed, 'failed'),
      card('Servers', list.total, 'servers'),
      card('Open alerts', open.total, 'alerts'));
    fill(servers,
      table([
        { label: 'Server', value: (s) => h('a', { href: '/admin/servers.html?server=' + encodeURIComponent(s.node_id) }, s.node_id) },
        { label: 'Location', value: (s) => s.location || '–' },
        { label: 'Status', value: (s) => badge(s.status) },
        { label: 'Health', value: (s) => badge(s.health) },
        { label: 'Accounts', value: (s) => h('span', { class: 'row' }, bar(s.max_accounts ? (100 * s.accounts_count) / s.max_accounts : 0, 'accounts'), s.accounts_count + ' / ' + s.max_accounts) },
        { label: 'CPU', value: (s) => bar(s.cpu_usage, 'CPU') },
        { label: 'Memory', value: (s) => bar(s.memory_usage, 'memory') },
        { label: 'Disk', value: (s) => bar(s.disk_usage, 'disk') },
        { label: 'Load score', value: (s) => s.load_score == null ? '–' : s.load_score.toFixed(1), class: 'num' },
        { label: 'Last heartbeat', value: (s) => ago(s.last_heartbeat) },
      ], list.items, 'No servers registered yet: add one on the Servers page.'),
      list.total > list.size ? pager(list, (n) => { serverPage = n; live.now(); }) : null);
    fill(alerts,
      table([
        { label: 'Severity', value: (a) => badge(a.severity) },
        { label: 'Kind', value: (a) => a.kind },
        { label: 'Server', value: (a) => a.server_id || '–' },
        { label: 'Account', value: (a) => a.account_id || '–' },
        { label: 'Message', value: (a) => a.message },
        { label: 'Last raised', value: (a) => ago(a.last_raised_at) },
        { label: '', value: (a) => h('button', { type: 'button', dataset: { minRole: 'operator' }, onclick: () => resolve(a) }, 'Resolve') },
      ], open.items, 'No open alerts.'),
      open.total > open.size ? pager(open, (n) => { alertPage = n; live.now(); }) : null);
  }, 5000);

  async function resolve(alert) {
    try {
      await api('POST', GA + '/alerts/' + alert.id + '/resolve', { resolution: 'resolved on the Overview page' });
      showNotice('Alert ' + alert.id + ' resolved.');
      live.now();
    } catch (e) {
      showError(e);
    }
  }
});

function card(label, value, key) {
  return h('div', { class: 'card', dataset: { total: key } },
    h('div', { class: 'number' }, value ?? '–'), h('div', { class: 'label' }, label));
}
