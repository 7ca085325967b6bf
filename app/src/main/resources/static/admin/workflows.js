// Workflows: the ones the app started, running first, with progress and outcome; a workflow's
// detail (steps, result, failure) and a link into the Temporal UI when one is known.
import { page, api, poll, GA, h, fill, badge, table, ago, formatTime } from '/admin/fleet.js';
import { progressText } from '/admin/widgets.js';

page('Workflows', async (main) => {
  const params = new URLSearchParams(location.search);
  let temporal = null;
  try {
    temporal = await api('GET', GA + '/temporal');
  } catch {
    // no link then
  }
  const uiLink = (id) => (temporal && temporal.ui_url
    ? h('a', { href: temporal.ui_url + '/namespaces/' + encodeURIComponent(temporal.namespace) + '/workflows/' + encodeURIComponent(id), target: '_blank', rel: 'noopener', class: 'temporal-link' }, 'Temporal UI')
    : null);
  const subject = h('input', { id: 'filter-subject', placeholder: 'subject, e.g. server:worker-01', size: 28 });
  const running = h('div', { id: 'running-workflows' });
  const recent = h('div', { id: 'recent-workflows' });
  const detail = h('div', { id: 'workflow-detail' });
  let typing;
  subject.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(() => live.now(), 300); });
  main.append(
    h('p', { class: 'muted' }, temporal
      ? 'Temporal: ' + temporal.description + ' at ' + temporal.target + ', namespace ' + temporal.namespace
        + (temporal.ui_url ? '' : ' (no Web UI known; set GROUPAI_TEMPORAL_UI_URL for an external cluster)')
      : ''),
    h('div', { class: 'filters' }, h('label', {}, 'Subject', subject)),
    detail,
    h('h2', {}, 'Running'), running,
    h('h2', {}, 'Recent'), recent);

  const columns = [
    { label: 'Workflow', value: (w) => h('button', { type: 'button', class: 'link', onclick: () => open(w.workflow_id) }, w.workflow_id) },
    { label: 'Type', value: (w) => w.workflow_type },
    { label: 'Subject', value: (w) => w.subject || '–' },
    { label: 'Status', value: (w) => badge(w.status) },
    { label: 'Started', value: (w) => ago(w.started_at) },
    { label: 'Closed', value: (w) => ago(w.closed_at) },
    { label: 'Outcome', value: (w) => w.progressLine || w.detail || '' },
    { label: '', value: (w) => uiLink(w.workflow_id) },
  ];

  const outcomes = new Map();
  const live = poll(async () => {
    const runs = await api('GET', GA + '/workflows' + (subject.value.trim() ? '?subject=' + encodeURIComponent(subject.value.trim()) + '&limit=100' : '?limit=100'));
    const active = runs.filter((w) => w.status === 'RUNNING');
    // Progress of the running ones (a query each; few run at a time, at most 10 are asked).
    await Promise.all(active.slice(0, 10).map(async (w) => {
      try {
        w.progressLine = progressText(await api('GET', GA + '/workflows/' + encodeURIComponent(w.workflow_id)));
      } catch {
        w.progressLine = '';
      }
    }));
    // Outcomes of the newest finished ones, asked once each (a finished workflow does not change).
    const finished = runs.filter((w) => w.status !== 'RUNNING');
    await Promise.all(finished.slice(0, 10).filter((w) => !outcomes.has(w.workflow_id)).map(async (w) => {
      try {
        const d = await api('GET', GA + '/workflows/' + encodeURIComponent(w.workflow_id));
        outcomes.set(w.workflow_id, d.failure || progressText(d));
      } catch {
        outcomes.set(w.workflow_id, '');
      }
    }));
    finished.forEach((w) => { w.progressLine = outcomes.get(w.workflow_id); });
    fill(running, table(columns, active, 'Nothing is running.'));
    fill(recent, table(columns, runs.filter((w) => w.status !== 'RUNNING'), 'No finished workflows yet.'));
  }, 3000);

  let detailPoll = null;
  function open(id) {
    history.replaceState(null, '', '?workflow=' + encodeURIComponent(id));
    if (detailPoll) detailPoll.stop();
    const body = h('div');
    fill(detail, h('div', { class: 'panel' },
      h('div', { class: 'row' }, h('h2', {}, id), uiLink(id), h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'link', onclick: () => { detailPoll.stop(); detail.replaceChildren(); history.replaceState(null, '', location.pathname); } }, 'Close')),
      body));
    detailPoll = poll(async () => {
      const w = await api('GET', GA + '/workflows/' + encodeURIComponent(id));
      fill(body,
        h('p', {}, badge(w.status), ' ', w.workflow_type, ' · ', w.subject || '', ' · started ', formatTime(w.started_at),
          w.closed_at ? ' · closed ' + formatTime(w.closed_at) : ''),
        h('p', { class: 'workflow-progress' }, progressText(w)),
        w.failure ? h('div', { class: 'message error' }, h('pre', {}, w.failure)) : null,
        Array.isArray(w.progress) ? table([
          { label: 'Step', value: (s) => s.step || s.account_id || s.node_id || '' },
          { label: 'State', value: (s) => badge(s.state || s.status) },
          { label: 'Detail', value: (s) => s.detail || s.message || s.server_id || '' },
          { label: 'Took', value: (s) => (s.duration_millis == null ? '' : (s.duration_millis / 1000).toFixed(1) + ' s'), class: 'num' },
        ], w.progress, 'No steps yet.') : null,
        w.result ? h('details', {}, h('summary', {}, 'Result'), h('pre', { class: 'small' }, JSON.stringify(w.result, null, 2))) : null);
      if (w.status !== 'RUNNING') detailPoll.stop();
    }, 2000);
  }
  if (params.get('workflow')) open(params.get('workflow'));
});
