// Pieces the Overview, Servers, Accounts, Allocation and Workflows pages share.
import { h, badge, table, ago } from '/admin/fleet.js';

export function workflowTable(runs) {
  return table([
    { label: 'Workflow', value: (w) => h('a', { href: '/admin/workflows.html?workflow=' + encodeURIComponent(w.workflow_id) }, w.workflow_id) },
    { label: 'Type', value: (w) => w.workflow_type },
    { label: 'Status', value: (w) => badge(w.status) },
    { label: 'Started', value: (w) => ago(w.started_at) },
    { label: 'Closed', value: (w) => ago(w.closed_at) },
    { label: 'Detail', value: (w) => w.detail || '' },
  ], runs, 'No operations yet.');
}

export function select(id, values, anyLabel) {
  return h('select', { id }, values.map((v) => h('option', { value: v }, v || anyLabel)));
}

/** A small line chart (inline SVG) of values 0..max; gaps where a value is missing. */
export function chart(label, values) {
  const W = 220;
  const H = 60;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('width', W);
  svg.setAttribute('height', H);
  svg.setAttribute('class', 'chart');
  const known = values.filter((v) => v != null);
  const max = Math.max(100, ...known);
  const step = values.length > 1 ? W / (values.length - 1) : W;
  let d = '';
  const y = (v) => (H - (v / max) * (H - 4) - 2).toFixed(1);
  if (values.length === 1 && values[0] != null) {
    // One sample so far: a flat line at its level.
    d = 'M0 ' + y(values[0]) + 'L' + W + ' ' + y(values[0]);
  } else {
    values.forEach((v, i) => {
      if (v == null) return;
      d += (d && values[i - 1] != null ? 'L' : 'M') + (i * step).toFixed(1) + ' ' + y(v);
    });
  }
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d || 'M0 ' + H);
  path.setAttribute('class', 'line');
  svg.append(path);
  const last = known.length ? known[known.length - 1] : null;
  return h('div', { class: 'chart-box' }, h('div', { class: 'muted' }, label + ': ' + (last == null ? '–' : Number(last).toFixed(1))), svg);
}

/** One line for a workflow's progress: placed/failed counts, the current step, or deployed nodes. */
export function progressText(w) {
  const p = w.progress;
  const r = w.result;
  if (r && typeof r === 'object' && 'placed' in r && 'requested' in r) {
    return r.placed + ' of ' + r.requested + ' placed, ' + r.failed + ' failed';
  }
  if (r && typeof r === 'object' && typeof r.message === 'string' && r.message) {
    return ('success' in r ? (r.success ? 'succeeded: ' : 'failed: ') : '') + r.message;
  }
  if (p && typeof p === 'object' && !Array.isArray(p) && 'accounts' in p && 'placed' in p) {
    return p.placed + ' of ' + p.accounts + ' placed, ' + p.failed + ' failed, ' + p.running + ' in progress';
  }
  if (Array.isArray(p) && p.length) {
    const done = p.filter((s) => s.state === 'DONE' || s.state === 'done' || s.state === 'SUCCEEDED').length;
    const last = p[p.length - 1];
    const name = last.step || last.account_id || last.node_id || '';
    const state = last.state || last.status || '';
    return done + ' of ' + p.length + ' steps done' + (name ? ' · ' + name + ' ' + String(state).toLowerCase() : '');
  }
  return '';
}
