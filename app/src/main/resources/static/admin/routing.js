// Routing pool: the app's in-app OpenAI-compatible pool — its strategy and, per instance, live
// status, concurrency, requests and last health check; operators enable and disable instances.
import { page, api, poll, GA, h, fill, badge, table, showError, showNotice, ago } from '/admin/fleet.js';

page('Routing pool', (main) => {
  const head = h('div', { id: 'router-summary', class: 'cards' });
  const state = h('p', { id: 'router-state', class: 'muted' });
  const list = h('div', { id: 'router-instances' });
  main.append(state, head, h('h2', {}, 'Instances'), list,
    h('p', { class: 'muted' }, 'Instances come from the pool\'s config file (groupai.router.config), re-read when it changes. '
      + 'Disabling stops routing new requests to an instance until it is enabled again (or the file changes its enabled flag).'));

  const refresh = poll(async () => {
    const s = await api('GET', GA + '/router/status');
    if (!s.running) {
      fill(state, badge('stopped'), ' ', s.message);
      fill(head);
      fill(list, table(columns(), [], 'The pool is not running.'));
      return;
    }
    const instances = s.instances || [];
    const healthy = instances.filter((i) => i.enabled && i.status === 'healthy').length;
    fill(state, badge('running'), ' on port ', String(s.port), ' · config ', s.config);
    fill(head,
      card('Strategy', s.strategy, 'strategy'),
      card('Instances', instances.length, 'instances'),
      card('Healthy and enabled', healthy, 'healthy'),
      card('Waiting requests', s.waiting ?? 0, 'waiting'));
    fill(list, table(columns(), instances, 'No instances in the config.'));
  }, 2000);

  function columns() {
    return [
      { label: 'Instance', value: (i) => i.id },
      { label: 'Port', value: (i) => i.port, class: 'num' },
      { label: 'Weight', value: (i) => i.weight, class: 'num' },
      { label: 'Enabled', value: (i) => h('span', { class: 'instance-enabled', dataset: { instance: i.id } }, badge(i.enabled ? 'enabled' : 'disabled')) },
      { label: 'Status', value: (i) => h('span', { title: i.last_error || '' }, badge(i.status)) },
      { label: 'Concurrent', value: (i) => i.current_concurrent + ' / ' + i.max_concurrent, class: 'num' },
      { label: 'Requests', value: (i) => String(i.total_requests), class: 'num' },
      { label: 'Failed', value: (i) => String(i.failed_requests), class: 'num' },
      { label: 'Last heartbeat', value: (i) => i.last_heartbeat ? ago(new Date(Number(i.last_heartbeat) * 1000).toISOString()) : 'never' },
      { label: 'Last error', value: (i) => i.last_error || '' },
      { label: '', value: (i) => h('button', {
        type: 'button', class: 'toggle-instance' + (i.enabled ? ' danger' : ''), dataset: { minRole: 'operator', instance: i.id },
        onclick: () => toggle(i.id, !i.enabled),
      }, i.enabled ? 'Disable' : 'Enable') },
    ];
  }

  async function toggle(id, enable) {
    try {
      await api('POST', GA + '/router/instances/' + encodeURIComponent(id) + '/' + (enable ? 'enable' : 'disable'));
      showNotice('Instance ' + id + (enable ? ' enabled.' : ' disabled.'));
      await refresh.now();
    } catch (e) {
      showError(e);
    }
  }
});

function card(label, value, key) {
  return h('div', { class: 'card', dataset: { router: key } },
    h('div', { class: 'number' }, value ?? '–'), h('div', { class: 'label' }, label));
}
