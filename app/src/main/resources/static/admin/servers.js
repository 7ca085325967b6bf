// Servers: paged list filtered on the server (status, health, location), a server's detail with
// usage over time, health events, operations (start, stop, restart, status, drain, bootstrap) and
// its recent workflows; registering and bootstrapping a new server.
import {
  page, api, poll, GA, h, fill, bar, badge, table, pager, query, ago, formatTime, showError, showNotice, describeError,
} from '/admin/fleet.js';
import { workflowTable, select, chart } from '/admin/widgets.js';

const STATUSES = ['active', 'draining', 'disabled', 'down'];
const HEALTH = ['healthy', 'unhealthy', 'unknown'];

page('Servers', (main) => {
  const params = new URLSearchParams(location.search);
  const filter = { status: '', health: '', location: '', page: 0, size: 50 };
  const status = select('filter-status', ['', ...STATUSES], 'any status');
  const health = select('filter-health', ['', ...HEALTH], 'any health');
  const where = h('input', { id: 'filter-location', placeholder: 'location', size: 12 });
  const list = h('div', { id: 'server-list' });
  const detail = h('div', { id: 'server-detail' });
  let selected = params.get('server');
  let detailPoll = null;

  const apply = () => {
    filter.status = status.value;
    filter.health = health.value;
    filter.location = where.value.trim();
    filter.page = 0;
    live.now();
  };
  status.addEventListener('change', apply);
  health.addEventListener('change', apply);
  let typing;
  where.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(apply, 300); });

  main.append(
    h('div', { class: 'filters' },
      h('label', {}, 'Status', status), h('label', {}, 'Health', health), h('label', {}, 'Location', where),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', id: 'new-server', dataset: { minRole: 'admin' }, onclick: () => newServerForm() }, 'Add a server')),
    h('div', { id: 'new-server-form' }),
    list,
    detail);

  const live = poll(async () => {
    const result = await api('GET', GA + '/servers' + query(filter));
    fill(list,
      table([
        { label: 'Server', value: (s) => h('button', { type: 'button', class: 'link', dataset: { server: s.node_id }, onclick: () => select_(s.node_id) }, s.node_id) },
        { label: 'Host', value: (s) => s.host + ':' + s.port },
        { label: 'Location', value: (s) => s.location || '–' },
        { label: 'Status', value: (s) => badge(s.status) },
        { label: 'Health', value: (s) => badge(s.health) },
        { label: 'Accounts', value: (s) => s.accounts_count + ' / ' + s.max_accounts, class: 'num' },
        { label: 'CPU', value: (s) => bar(s.cpu_usage, 'CPU') },
        { label: 'Memory', value: (s) => bar(s.memory_usage, 'memory') },
        { label: 'Disk', value: (s) => bar(s.disk_usage, 'disk') },
        { label: 'Load score', value: (s) => (s.load_score == null ? '–' : s.load_score.toFixed(1)), class: 'num' },
        { label: 'Last heartbeat', value: (s) => ago(s.last_heartbeat) },
      ], result.items, 'No server matches these filters.'),
      pager(result, (n) => { filter.page = n; live.now(); }));
  }, 5000);

  if (selected) select_(selected);

  function select_(nodeId) {
    selected = nodeId;
    history.replaceState(null, '', '?server=' + encodeURIComponent(nodeId));
    if (detailPoll) detailPoll.stop();
    const samples = [];
    const head = h('div', { class: 'row' });
    const metrics = h('div', { id: 'server-metrics' });
    const healthEvents = h('div', { id: 'server-health' });
    const runs = h('div', { id: 'server-workflows' });
    fill(detail, h('div', { class: 'panel' },
      h('div', { class: 'row' }, h('h2', {}, 'Server ' + nodeId), h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'link', onclick: () => { detailPoll.stop(); detail.replaceChildren(); history.replaceState(null, '', location.pathname); } }, 'Close')),
      operations(nodeId, () => detailPoll.now()),
      head, metrics,
      h('h3', {}, 'Health events'), healthEvents,
      h('h3', {}, 'Recent operations'), runs));
    detailPoll = poll(async () => {
      const [s, server, health, recent] = await Promise.all([
        api('GET', GA + '/servers/' + encodeURIComponent(nodeId) + '/status'),
        api('GET', GA + '/servers/' + encodeURIComponent(nodeId)),
        api('GET', GA + '/servers/' + encodeURIComponent(nodeId) + '/health'),
        api('GET', GA + '/workflows' + query({ subject: 'server:' + nodeId, limit: 10 })),
      ]);
      detail.dataset.server = JSON.stringify(server);
      samples.push({ at: Date.now(), cpu: s.cpu_usage, memory: s.memory_usage, disk: s.disk_usage, load: s.load_score });
      if (samples.length > 120) samples.shift();
      fill(head,
        h('span', {}, 'Status ', badge(s.status)), h('span', {}, 'Health ', badge(s.health)),
        h('span', {}, 'Supervision ', badge(health.state)),
        h('span', {}, 'Accounts ' + s.accounts_count + ' / ' + s.max_accounts),
        h('span', {}, 'Load score ' + (s.load_score ?? '–')),
        h('span', {}, 'Latency ' + (s.latency_ms == null ? '–' : s.latency_ms + ' ms')),
        h('span', {}, 'Process ' + (s.process_alive == null ? '–' : s.process_alive ? 'alive (pid ' + (s.worker_pid ?? '?') + ')' : 'not running')),
        h('span', { class: 'muted' }, 'Last heartbeat ' + ago(s.last_heartbeat) + ', last probe ' + ago(s.last_probe_at)),
        s.last_probe_error ? h('span', { class: 'badge error' }, s.last_probe_error) : null);
      fill(metrics,
        h('div', { class: 'row' },
          chart('CPU %', samples.map((x) => x.cpu)), chart('Memory %', samples.map((x) => x.memory)),
          chart('Disk %', samples.map((x) => x.disk)), chart('Load score', samples.map((x) => x.load))),
        h('p', { class: 'muted' }, 'Usage as the server reports it, sampled every 5 s since this page opened (' + samples.length + ' samples).'));
      fill(healthEvents, table([
        { label: 'At', value: (e) => formatTime(e.at) },
        { label: 'State', value: (e) => badge(e.state) },
        { label: 'Event', value: (e) => e.event },
        { label: 'Detail', value: (e) => e.detail || '' },
      ], (health.history || []).slice(0, 10), 'No health events recorded yet.'));
      fill(runs, workflowTable(recent));
    }, 5000);
  }

  function operations(nodeId, refresh) {
    const run = (label, fn) => h('button', { type: 'button', dataset: { minRole: label === 'Drain' || label === 'Activate' ? 'admin' : 'operator', op: label.toLowerCase() }, onclick: async (e) => {
      e.target.disabled = true;
      try {
        const started = await fn();
        showNotice(label + ' of ' + nodeId + ': ' + (started && started.workflow_id ? 'workflow ' + started.workflow_id + ' started' : 'done'));
        refresh();
        live.now();
      } catch (err) {
        showError(err);
      } finally {
        e.target.disabled = false;
      }
    } }, label);
    const action = (a) => () => api('POST', GA + '/servers/' + encodeURIComponent(nodeId) + '/actions/' + a);
    return h('div', { class: 'row', id: 'server-operations' },
      run('Start', action('start')), run('Stop', action('stop')), run('Restart', action('restart')), run('Check status', action('status')),
      run('Bootstrap', () => api('POST', GA + '/servers/' + encodeURIComponent(nodeId) + '/bootstrap')),
      run('Drain', () => setStatus(nodeId, 'draining')),
      run('Activate', () => setStatus(nodeId, 'active')));
  }

  /** Drain or re-activate: PUT the server as it is with another status (credentials stay as stored). */
  async function setStatus(nodeId, newStatus) {
    const s = await api('GET', GA + '/servers/' + encodeURIComponent(nodeId));
    const body = {
      node_id: s.node_id, host: s.host, port: s.port, user: s.user, deploy_dir: s.deploy_dir,
      max_accounts: s.max_accounts, location: s.location, weight: s.weight,
      allocation_strategy: s.allocation_strategy, health_check_interval: s.health_check_interval, status: newStatus,
    };
    return api('PUT', GA + '/servers/' + encodeURIComponent(nodeId), body);
  }

  function newServerForm() {
    const slot = document.getElementById('new-server-form');
    const f = (name, label, attrs = {}) => h('label', {}, label, h('input', { name, id: 'new-' + name, ...attrs }));
    const errors = h('ul', { class: 'field-errors' });
    const form = h('form', { class: 'panel stack', id: 'register-server' },
      h('h3', {}, 'Register a server and bootstrap it'),
      f('node_id', 'Node id', { required: true, placeholder: 'worker-02' }),
      f('host', 'Host', { required: true, placeholder: '203.0.113.7' }),
      f('port', 'SSH port', { type: 'number', value: '22', min: 1, max: 65535 }),
      f('user', 'SSH user', { required: true, value: 'ubuntu' }),
      f('password', 'SSH password (or leave empty and name a key file)', { type: 'password', autocomplete: 'off' }),
      f('private_key_file', 'Private key file in the keys directory', { placeholder: 'id_ed25519' }),
      f('deploy_dir', 'Deploy directory', { value: '/srv/groupai' }),
      f('max_accounts', 'Max accounts', { type: 'number', value: '20', min: 1 }),
      f('location', 'Location', { placeholder: 'manila' }),
      errors,
      h('div', { class: 'row' },
        h('button', { type: 'submit', class: 'primary' }, 'Register and bootstrap'),
        h('button', { type: 'button', onclick: () => slot.replaceChildren() }, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(form).entries());
      const body = {};
      for (const [k, v] of Object.entries(data)) if (v !== '') body[k] = ['port', 'max_accounts'].includes(k) ? Number(v) : v;
      errors.replaceChildren();
      try {
        await api('POST', GA + '/servers', body);
        const started = await api('POST', GA + '/servers/' + encodeURIComponent(body.node_id) + '/bootstrap');
        showNotice('Server ' + body.node_id + ' registered; bootstrap workflow ' + started.workflow_id + ' started.');
        slot.replaceChildren();
        live.now();
        select_(body.node_id);
      } catch (err) {
        errors.append(...(err.errors || []).map((x) => h('li', {}, x.field + ': ' + x.message)));
        if (!(err.errors || []).length) showError(err);
        else errors.prepend(h('li', {}, describeError({ title: err.title, detail: err.detail })));
      }
    });
    fill(slot, form);
  }
});

