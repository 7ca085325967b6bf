// Overview: account totals and every server's usage (first version: the shell's smoke page).
import { page, api, poll, GA, h, fill, bar, badge, table } from '/admin/fleet.js';

page('Overview', (main) => {
  const cards = h('div', { class: 'cards', id: 'totals' });
  const servers = h('div', { id: 'servers' });
  main.append(cards, h('h2', {}, 'Servers'), servers);
  poll(async () => {
    const summary = await api('GET', GA + '/account-allocation/summary');
    fill(cards,
      card('Accounts', summary.total_accounts, 'total'),
      card('Allocated', summary.allocated, 'allocated'),
      card('Unallocated', summary.unallocated, 'unallocated'),
      card('Failed', summary.failed, 'failed'));
    const rows = Object.entries(summary.servers || {}).map(([id, s]) => ({ id, ...s }));
    fill(servers, table([
      { label: 'Server', value: (r) => r.id },
      { label: 'Accounts', value: (r) => r.current + ' / ' + r.max, class: 'num' },
      { label: 'Usage', value: (r) => bar(r.usage_percent, 'accounts') },
    ], rows, 'No servers registered yet.'));
  }, 5000);
});

function card(label, value, key) {
  return h('div', { class: 'card', dataset: { total: key } },
    h('div', { class: 'number' }, value ?? '–'), h('div', { class: 'label' }, label));
}
