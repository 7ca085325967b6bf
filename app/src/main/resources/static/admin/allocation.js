// Allocation: the summary (totals and per-server usage), automatic allocation of every unallocated
// account with a strategy (following its workflow's progress), a manual batch checked as you type,
// and the history of committed placements.
import {
  page, api, poll, GA, h, fill, bar, badge, table, pager, query, ago, formatTime, showError, showNotice,
} from '/admin/fleet.js';
import { select, progressText } from '/admin/widgets.js';

const STRATEGIES = ['balanced', 'round_robin', 'least_loaded', 'load_balance', 'location', 'affinity', 'isolation'];

page('Allocation', (main) => {
  const cards = h('div', { class: 'cards', id: 'allocation-summary' });
  const servers = h('div', { id: 'allocation-servers' });
  const strategy = select('strategy', STRATEGIES);
  const autoButton = h('button', { type: 'button', class: 'primary', id: 'allocate-auto', dataset: { minRole: 'operator' } }, 'Allocate all unallocated accounts');
  const autoState = h('div', { id: 'auto-state' });
  const batchText = h('textarea', { id: 'batch', rows: 6, cols: 60, placeholder: 'one per line: <account id> <server id>\n639277356155 worker-01' });
  const batchCheck = h('ul', { id: 'batch-check', class: 'field-errors' });
  const batchButton = h('button', { type: 'submit', class: 'primary', id: 'allocate-batch', disabled: true }, 'Allocate these');
  const historyBox = h('div', { id: 'allocation-history' });
  const historyFilter = { account_id: '', server_id: '', page: 0, size: 20 };
  let summary = null;
  let serverPage = 0;

  main.append(
    cards,
    h('h2', {}, 'Servers'), servers,
    h('div', { class: 'panel', dataset: { minRole: 'operator' } },
      h('h2', {}, 'Automatic'),
      h('p', { class: 'muted' }, 'Plans every unallocated account with the strategy, then uploads and starts them on their servers (a durable workflow).'),
      h('div', { class: 'row' }, h('label', {}, 'Strategy', strategy), autoButton),
      autoState),
    h('form', { class: 'panel', id: 'batch-form', dataset: { minRole: 'operator' } },
      h('h2', {}, 'Manual batch'),
      h('p', { class: 'muted' }, 'Each account to the server you name; checked as you type, and again by the control plane (all or nothing).'),
      batchText, batchCheck, h('div', { class: 'row' }, batchButton)),
    h('h2', {}, 'History'),
    h('div', { class: 'filters' },
      h('label', {}, 'Account', filterInput('history-account', 'account_id')),
      h('label', {}, 'Server', filterInput('history-server', 'server_id'))),
    historyBox);

  function filterInput(id, key) {
    let typing;
    const input = h('input', { id, size: 14 });
    input.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => { historyFilter[key] = input.value.trim(); historyFilter.page = 0; live.now(); }, 300);
    });
    return input;
  }

  const live = poll(async () => {
    const [s, history] = await Promise.all([
      api('GET', GA + '/account-allocation/summary'),
      api('GET', GA + '/account-allocation/history' + query(historyFilter)),
    ]);
    summary = s;
    fill(cards,
      card('Accounts', s.total_accounts, 'total'),
      card('Unallocated', s.unallocated, 'unallocated'),
      card('Allocated', s.allocated, 'allocated'),
      card('Placed', s.placed, 'placed'),
      card('Allocating', s.allocating, 'allocating'),
      card('Migrating', s.migrating, 'migrating'),
      card('Failed', s.failed, 'failed'));
    // The summary has every server (one row each); the table shows them 25 at a time.
    const all = Object.entries(s.servers || {}).map(([id, u]) => ({ id, ...u }));
    const shown = { page: Math.min(serverPage, Math.max(0, Math.ceil(all.length / 25) - 1)), size: 25, total: all.length };
    const rows = all.slice(shown.page * 25, shown.page * 25 + 25);
    fill(servers, table([
      { label: 'Server', value: (r) => h('a', { href: '/admin/servers.html?server=' + encodeURIComponent(r.id) }, r.id) },
      { label: 'Usage', value: (r) => bar(r.usage_percent, 'accounts') },
      { label: 'Accounts', value: (r) => r.current + ' / ' + r.max, class: 'num' },
      { label: 'Available', value: (r) => r.available, class: 'num' },
      { label: 'Placed', value: (r) => r.placed ?? '–', class: 'num' },
      { label: 'Allocating', value: (r) => r.allocating ?? '–', class: 'num' },
      { label: 'Migrating', value: (r) => r.migrating ?? '–', class: 'num' },
    ], rows, 'No servers registered yet.'),
    all.length > 25 ? pager(shown, (n) => { serverPage = n; live.now(); }) : null);
    fill(historyBox,
      table([
        { label: 'When', value: (e) => formatTime(e.created_at) },
        { label: 'Account', value: (e) => e.account_id },
        { label: 'Server', value: (e) => e.server_id },
        { label: 'From', value: (e) => e.previous_server_id || '–' },
        { label: 'Type', value: (e) => badge(e.allocation_type) },
        { label: 'Load score', value: (e) => (e.load_score == null ? '–' : e.load_score.toFixed(1)), class: 'num' },
        { label: 'Workflow', value: (e) => (e.workflow_id ? h('a', { href: '/admin/workflows.html?workflow=' + encodeURIComponent(e.workflow_id) }, e.workflow_id) : '–') },
      ], history.items, 'No placements yet.'),
      pager(history, (n) => { historyFilter.page = n; live.now(); }));
    check();
  }, 4000);

  autoButton.addEventListener('click', async () => {
    autoButton.disabled = true;
    try {
      const answer = await api('POST', GA + '/account-allocation/auto', { strategy: strategy.value });
      fill(autoState, h('p', { id: 'auto-message' }, answer.message || ''));
      if (answer.workflow_id) follow(answer.workflow_id, autoState);
      live.now();
    } catch (e) {
      showError(e);
    } finally {
      autoButton.disabled = false;
    }
  });

  /** Follows a workflow's progress in box until it closes, then refreshes the summary. */
  function follow(workflowId, box) {
    const line = h('p', { class: 'workflow-progress' });
    box.append(line);
    const watch = poll(async () => {
      const w = await api('GET', GA + '/workflows/' + encodeURIComponent(workflowId));
      fill(line, h('a', { href: '/admin/workflows.html?workflow=' + encodeURIComponent(workflowId) }, workflowId), ' ',
        badge(w.status), ' ', progressText(w), w.failure ? ' · ' + w.failure : '');
      if (w.status !== 'RUNNING') {
        watch.stop();
        live.now();
      }
    }, 1500);
  }

  // ---- Manual batch, checked as you type against the summary and the accounts it names ----
  const known = new Map(); // account id -> account or null (unknown)
  let lookups;
  batchText.addEventListener('input', () => { check(); clearTimeout(lookups); lookups = setTimeout(lookUp, 400); });

  function parse() {
    return batchText.value.split('\n').map((line, i) => ({ line: i + 1, parts: line.trim().split(/[\s,;]+/).filter(Boolean) }))
      .filter((l) => l.parts.length > 0);
  }

  async function lookUp() {
    const ids = [...new Set(parse().map((l) => l.parts[0]))].filter((id) => !known.has(id)).slice(0, 100);
    await Promise.all(ids.map(async (id) => {
      try {
        known.set(id, await api('GET', GA + '/accounts/' + encodeURIComponent(id)));
      } catch (e) {
        if (e.status === 404) known.set(id, null);
      }
    }));
    check();
  }

  function check() {
    const lines = parse();
    const problems = [];
    const seen = new Map();
    const wanted = new Map();
    for (const { line, parts } of lines) {
      const [account, server] = parts;
      if (parts.length !== 2) {
        problems.push('line ' + line + ': write "<account id> <server id>"');
        continue;
      }
      if (seen.has(account)) problems.push('line ' + line + ': account ' + account + ' is already on line ' + seen.get(account));
      seen.set(account, line);
      const a = known.get(account);
      if (a === null) problems.push('line ' + line + ': no account ' + account);
      else if (a && a.server_id) problems.push('line ' + line + ': account ' + account + ' is already on ' + a.server_id);
      const usage = summary && summary.servers ? summary.servers[server] : undefined;
      if (summary && usage === undefined) problems.push('line ' + line + ': no server ' + server);
      wanted.set(server, (wanted.get(server) || 0) + 1);
    }
    for (const [server, n] of wanted) {
      const usage = summary && summary.servers ? summary.servers[server] : undefined;
      if (usage && n > usage.available) problems.push('server ' + server + ' has room for ' + usage.available + ', not ' + n);
    }
    fill(batchCheck, problems.map((p) => h('li', {}, p)));
    batchText.classList.toggle('invalid', problems.length > 0);
    batchButton.disabled = lines.length === 0 || problems.length > 0;
  }

  document.getElementById('batch-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const allocations = parse().map(({ parts }) => ({ account_id: parts[0], server_id: parts[1] }));
    batchButton.disabled = true;
    try {
      const answer = await api('POST', GA + '/account-allocation/batch', { allocations });
      showNotice(answer.message || 'Batch started.');
      batchText.value = '';
      known.clear();
      const box = h('div');
      batchCheck.after(box);
      follow(answer.workflow_id, box);
      live.now();
    } catch (err) {
      showError(err);
      check();
    }
  });
});

function card(label, value, key) {
  return h('div', { class: 'card', dataset: { total: key } },
    h('div', { class: 'number' }, value ?? '–'), h('div', { class: 'label' }, label));
}
