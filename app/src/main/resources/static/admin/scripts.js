// Scripts: the stored scripts and their versions, an editor that validates as you type (problems
// at their line), saving a new version, a dry run, and deployment to chosen nodes with live
// progress per node.
import {
  page, api, poll, GA, h, fill, badge, table, formatTime, showError, showNotice, describeError, can, token, signOut, ApiError,
} from '/admin/fleet.js';
import { codeEditor, debounce } from '/admin/editor.js';

const TEMPLATE = `script_id: "my-script"
version: "1.0"
description: "What this script does"

scenes:
  - id: greeting
    triggers:
      - type: new_member
    responses:
      - template: "Welcome, {{first_name}}!"
`;

const enc = encodeURIComponent;

page('Scripts', async (main) => {
  // ---- state ----
  let current = null; // {script_id, version, versions[]} of the stored script shown, or null for a new one
  let lastValid = null; // the last validation answer
  let validationRun = 0;

  // ---- the list ----
  const listBox = h('div', { id: 'script-list' });
  main.append(h('section', { class: 'panel' }, h('h2', {}, 'Stored scripts'), listBox));

  // ---- the editor ----
  const title = h('span', { id: 'editor-title' }, 'New script');
  const versionSelect = h('select', { id: 'version-select', hidden: true, onchange: () => open(current.script_id, versionSelect.value) });
  const validity = h('span', { id: 'validity', class: 'validity' }, '');
  const saveButton = h('button', { type: 'button', class: 'primary', id: 'save-script', dataset: { minRole: 'operator' }, onclick: save }, 'Save as new version');
  const editor = codeEditor({ value: TEMPLATE, id: 'script-editor', onInput: debounce(validate, 400) });
  const saveMessages = h('div', { id: 'save-messages' });

  // ---- dry run ----
  const dryType = h('select', { id: 'dry-type' }, h('option', { value: 'new_member' }, 'a member joins'), h('option', { value: 'message' }, 'a message'));
  const dryText = h('input', { id: 'dry-text', placeholder: 'message text', size: 28 });
  const dryName = h('input', { id: 'dry-first-name', value: 'Ana', size: 10 });
  const dryChat = h('input', { id: 'dry-chat-title', value: 'Lobby', size: 14 });
  const dryScene = h('input', { id: 'dry-scene', placeholder: '(start)', size: 12, title: 'the scene the chat is in; empty: the start' });
  const dryResult = h('div', { id: 'dry-run-result' });
  const dryTarget = h('p', { class: 'muted', id: 'dry-run-target' });
  const syncDryText = () => { dryText.disabled = dryType.value !== 'message'; };
  dryType.addEventListener('change', syncDryText);
  syncDryText();

  // ---- deployment ----
  const deployTarget = h('p', { class: 'muted', id: 'deploy-target' });
  const nodePicks = h('div', { class: 'node-picks', id: 'node-picks' });
  const deployButton = h('button', { type: 'button', class: 'primary', id: 'deploy-button', onclick: deploy }, 'Deploy');
  const progressBox = h('div', { id: 'deploy-progress' });

  main.append(
    h('div', { class: 'layout-2' },
      h('section', { class: 'panel' },
        h('div', { class: 'row' },
          h('h2', { style: { margin: 0 } }, title), versionSelect, h('span', { class: 'spacer' }),
          h('button', { type: 'button', id: 'new-script', onclick: () => newScript() }, 'New script')),
        h('p', { class: 'muted' }, 'YAML as the nodes read it. Problems show at their line as you type (checked by the control plane, nothing is stored until you save). A stored version never changes: to change a script, give it a new version.'),
        editor.element,
        h('div', { class: 'row', style: { marginTop: '8px' } }, validity, h('span', { class: 'spacer' }), saveButton),
        saveMessages),
      h('div', {},
        h('section', { class: 'panel', id: 'dry-run' },
          h('h2', {}, 'Dry run'),
          dryTarget,
          h('div', { class: 'filters' },
            h('label', {}, 'Event ', dryType), h('label', {}, 'Text ', dryText),
            h('label', {}, 'First name ', dryName), h('label', {}, 'Chat title ', dryChat),
            h('label', {}, 'Scene ', dryScene),
            h('button', { type: 'button', id: 'dry-run-button', onclick: dryRun }, 'Dry run')),
          dryResult),
        h('section', { class: 'panel', id: 'deploy', dataset: { minRole: 'operator' } },
          h('h2', {}, 'Deploy to nodes'),
          deployTarget,
          h('div', { class: 'row' },
            h('button', { type: 'button', class: 'link', id: 'pick-all', onclick: () => pickAll(true) }, 'all'),
            h('button', { type: 'button', class: 'link', onclick: () => pickAll(false) }, 'none')),
          nodePicks,
          deployButton,
          progressBox))));

  // ---- behaviour ----
  async function loadList() {
    const scripts = await api('GET', GA + '/scripts');
    fill(listBox, table([
      { label: 'Script', value: (s) => s.script_id },
      { label: 'Latest version', value: (s) => s.version },
      { label: 'Description', value: (s) => s.description || '' },
      { label: 'Scenes', value: (s) => s.scenes, class: 'num' },
      { label: 'Stored', value: (s) => formatTime(s.created_at) },
      { label: '', value: (s) => h('button', { type: 'button', class: 'open-script', dataset: { scriptId: s.script_id }, onclick: () => open(s.script_id) }, 'Open') },
    ], scripts, 'No script stored yet: write one in the editor and save it.'));
    return scripts;
  }

  async function open(scriptId, version) {
    try {
      const q = version ? '?version=' + enc(version) : '';
      const view = await api('GET', GA + '/scripts/' + enc(scriptId) + q);
      const yaml = await text(GA + '/scripts/' + enc(scriptId) + '/download' + q);
      current = view;
      title.textContent = view.script_id + ' · version ' + view.version;
      fill(versionSelect, (view.versions || [view.version]).map((v) => h('option', { value: v, selected: v === view.version }, v)));
      versionSelect.hidden = false;
      editor.setValue(yaml);
      saveMessages.replaceChildren();
      showTargets();
    } catch (e) {
      showError(e);
    }
  }

  function newScript() {
    current = null;
    title.textContent = 'New script';
    versionSelect.hidden = true;
    editor.setValue(TEMPLATE);
    showTargets();
  }

  function showTargets() {
    const what = current ? current.script_id + ' version ' + current.version : null;
    dryTarget.textContent = what ? 'On the stored ' + what + '.' : 'Open (or save) a script to dry-run it.';
    deployTarget.textContent = what ? 'Installs ' + what + ' on the chosen nodes and reloads the accounts running it there.' : 'Open (or save) a script to deploy it.';
    deployButton.disabled = !current;
  }

  async function validate(yaml) {
    const run = ++validationRun;
    validity.className = 'validity';
    validity.textContent = 'checking…';
    try {
      const result = await api('POST', GA + '/scripts/validate', { yaml });
      if (run !== validationRun) return; // a later keystroke's answer wins
      lastValid = result;
      editor.setProblems(result.errors || []);
      if (result.valid) {
        validity.className = 'validity ok';
        validity.textContent = '✓ valid: ' + result.script_id + ' version ' + result.version + ', '
          + result.scenes + (result.scenes === 1 ? ' scene' : ' scenes') + ' — ' + result.note;
      } else {
        const n = (result.errors || []).length;
        validity.className = 'validity bad';
        validity.textContent = '✗ ' + n + (n === 1 ? ' problem' : ' problems') + ' (marked at the line)';
      }
      saveButton.disabled = !result.valid || result.stored === 'same';
    } catch (e) {
      if (run !== validationRun) return;
      validity.className = 'validity bad';
      validity.textContent = 'could not check: ' + describeError(e);
    }
  }

  async function save() {
    saveMessages.replaceChildren();
    try {
      const saved = await api('POST', GA + '/scripts', { yaml: editor.getValue() });
      showNotice('Saved ' + saved.script_id + ' version ' + saved.version + '.');
      await loadList();
      await open(saved.script_id, saved.version);
    } catch (e) {
      if (e instanceof ApiError && e.errors.some((p) => p.line)) editor.setProblems(e.errors);
      showError(e, saveMessages);
    }
  }

  async function dryRun() {
    if (!current) {
      showError('Open (or save) a script first: the dry run uses a stored version.', dryResult);
      return;
    }
    const event = { type: dryType.value, first_name: dryName.value || null, chat_title: dryChat.value || null };
    if (dryType.value === 'message') event.text = dryText.value;
    const body = { version: current.version, event };
    if (dryScene.value.trim()) body.state = { scene: dryScene.value.trim() };
    fill(dryResult, h('p', { class: 'muted' }, 'running…'));
    try {
      const r = await api('POST', GA + '/scripts/' + enc(current.script_id) + '/dry-run', body);
      const rows = [];
      const add = (k, v) => { if (v !== null && v !== undefined && v !== '') rows.push(h('dt', {}, k), h('dd', {}, v)); };
      add('Fires', r.fired ? 'yes' : 'no');
      add('Scene', r.scene);
      add('Action', r.action);
      add('Would send', r.text);
      add('AI prompt', r.ai_prompt);
      add('Delay', r.delay_seconds ? r.delay_seconds + ' s' : null);
      for (const l of r.lines || []) add('Line (' + l.role + ')', l.text + (l.delay_seconds ? ' — after ' + l.delay_seconds + ' s' : '') + (l.accounts && l.accounts.length ? ' — by ' + l.accounts.join(', ') : ''));
      add('Next scene', r.next_scene);
      add('Note', r.note);
      fill(dryResult, h('dl', { class: 'kv', id: 'dry-run-answer' }, rows));
    } catch (e) {
      fill(dryResult);
      showError(e, dryResult);
    }
  }

  async function loadNodes() {
    if (!can('operator')) return;
    const servers = await api('GET', GA + '/servers?size=1000');
    const chosen = new Set([...nodePicks.querySelectorAll('input:checked')].map((i) => i.value));
    fill(nodePicks, (servers.items || []).map((s) => h('label', {},
      h('input', { type: 'checkbox', value: s.node_id, class: 'node-pick', checked: chosen.has(s.node_id) }),
      s.node_id, ' ', badge(s.status))));
    if (!(servers.items || []).length) fill(nodePicks, h('span', { class: 'muted' }, 'No servers registered.'));
  }

  function pickAll(on) {
    nodePicks.querySelectorAll('input[type=checkbox]').forEach((i) => { i.checked = on; });
  }

  let follow = null;
  async function deploy() {
    const nodes = [...nodePicks.querySelectorAll('input:checked')].map((i) => i.value);
    progressBox.replaceChildren();
    if (!current) return;
    if (nodes.length === 0) {
      showError('Choose at least one node to deploy to.', progressBox);
      return;
    }
    deployButton.disabled = true;
    try {
      const started = await api('POST', GA + '/scripts/deploy', { script_id: current.script_id, version: current.version, node_ids: nodes });
      watch(started);
    } catch (e) {
      showError(e, progressBox);
      deployButton.disabled = false;
    }
  }

  function watch(started) {
    if (follow) follow.stop();
    const head = h('p', { id: 'deploy-state' }, 'Deploying ', started.script_id, ' version ', started.version, ' to ', started.node_ids.length, ' node(s)… ');
    const nodesBox = h('div', { id: 'deploy-nodes' });
    fill(progressBox, head, nodesBox,
      h('p', { class: 'muted' }, 'Workflow ', h('a', { href: '/admin/workflows.html' }, started.workflow_id)));
    const pending = started.node_ids.map((n) => ({ node_id: n, status: 'RUNNING' }));
    follow = poll(async () => {
      const run = await api('GET', started.status_url);
      const states = (run.result && run.result.nodes) || run.progress || pending;
      fill(nodesBox, table([
        { label: 'Node', value: (n) => n.node_id },
        { label: 'Status', value: (n) => h('span', { class: 'node-status', dataset: { node: n.node_id, status: n.status } }, badge(n.status)) },
        { label: 'Why / what', value: (n) => n.detail || '' },
        { label: 'Accounts reloaded', value: (n) => (n.reloaded_accounts || []).join(', ') },
      ], states));
      if (run.status !== 'RUNNING') {
        follow.stop();
        deployButton.disabled = false;
        const ok = run.result && run.result.ok;
        fill(head,
          h('span', { id: 'deploy-outcome', dataset: { outcome: ok ? 'ok' : 'failed' } },
            badge(ok ? 'completed' : 'failed'), ' ',
            run.result ? run.result.summary : (run.failure || 'the deployment ended ' + run.status)));
      }
    }, 1000);
  }

  await loadList();
  showTargets();
  validate(editor.getValue());
  await loadNodes();
  poll(loadList, 10000);
  poll(loadNodes, 15000);
});

/** A non-JSON answer (the script's YAML) with the signed-in token; problems as readable errors. */
async function text(path) {
  let response;
  try {
    response = await fetch(path, { headers: { Authorization: 'Bearer ' + token(), Accept: 'application/yaml, application/problem+json' }, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { title: 'The control plane did not answer', detail: e.message });
  }
  const body = await response.text();
  if (response.status === 401) signOut('your sign-in has ended; sign in again');
  if (!response.ok) {
    let problem;
    try { problem = JSON.parse(body); } catch { problem = { title: 'HTTP ' + response.status, detail: body.slice(0, 200) }; }
    throw new ApiError(response.status, problem);
  }
  return body;
}
