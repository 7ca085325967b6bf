// A small code editor for the admin pages: a textarea with line numbers, and problems marked at
// their line (red line number with the message as its tooltip, plus a list under the editor whose
// entries move the cursor there). No build step, no library: the pages must work offline.
//   import { codeEditor } from '/admin/editor.js';
//   const ed = codeEditor({ value, onInput: (text) => ..., id: 'script-editor' });
//   main.append(ed.element); ed.setProblems([{line, column, message, field}]);
import { h, fill } from '/admin/fleet.js';

export function codeEditor({ value = '', onInput, id = 'code-editor', rows = 24 } = {}) {
  const gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' });
  const textarea = h('textarea', {
    id, class: 'code', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off',
    wrap: 'off', rows, 'aria-label': 'script YAML',
  });
  textarea.value = value;
  const list = h('ul', { class: 'problems', id: id + '-problems' });
  const frame = h('div', { class: 'code-editor' }, gutter, textarea);
  const element = h('div', { class: 'code-editor-wrap' }, frame, list);
  let problems = [];

  function lineCount() {
    return textarea.value.split('\n').length;
  }

  function renderGutter() {
    const byLine = new Map();
    for (const p of problems) {
      const l = Number(p.line) || 1;
      byLine.set(l, (byLine.has(l) ? byLine.get(l) + '\n' : '') + describe(p));
    }
    const n = Math.max(lineCount(), ...[...byLine.keys()]);
    const lines = [];
    for (let i = 1; i <= n; i++) {
      const msg = byLine.get(i);
      lines.push(h('div', {
        class: 'line-no' + (msg ? ' error' : ''), dataset: { line: i }, title: msg || null,
      }, String(i)));
    }
    fill(gutter, lines);
    gutter.scrollTop = textarea.scrollTop;
  }

  function renderList() {
    fill(list, problems.map((p) => h('li', { class: 'problem', dataset: { line: p.line || 1 } },
      h('button', { type: 'button', class: 'link', onclick: () => goTo(p.line, p.column) },
        'line ' + (p.line || '?') + (p.column ? ', column ' + p.column : '')),
      ': ' + (p.field ? p.field + ': ' : '') + (p.message || 'invalid'))));
  }

  function goTo(line, column) {
    const lines = textarea.value.split('\n');
    let offset = 0;
    for (let i = 0; i < Math.min((line || 1) - 1, lines.length); i++) offset += lines[i].length + 1;
    offset += Math.max(0, (column || 1) - 1);
    textarea.focus();
    textarea.setSelectionRange(offset, offset);
    const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
    textarea.scrollTop = Math.max(0, ((line || 1) - 4) * lineHeight);
  }

  textarea.addEventListener('scroll', () => { gutter.scrollTop = textarea.scrollTop; });
  textarea.addEventListener('input', () => {
    renderGutter();
    if (onInput) onInput(textarea.value);
  });
  textarea.addEventListener('keydown', (e) => {
    // Tab indents with two spaces (YAML has no tabs) instead of leaving the editor.
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey) {
      e.preventDefault();
      textarea.setRangeText('  ', textarea.selectionStart, textarea.selectionEnd, 'end');
      textarea.dispatchEvent(new Event('input'));
    }
  });
  renderGutter();

  return {
    element,
    textarea,
    getValue: () => textarea.value,
    setValue(text) {
      textarea.value = text;
      textarea.scrollTop = 0;
      renderGutter();
      if (onInput) onInput(text);
    },
    /** problems: [{line, column, field, message}]; [] clears them. */
    setProblems(next) {
      problems = Array.isArray(next) ? next : [];
      renderGutter();
      renderList();
    },
    goTo,
  };
}

function describe(p) {
  return 'line ' + (p.line || '?') + (p.column ? ', column ' + p.column : '') + ': '
    + (p.field ? p.field + ': ' : '') + (p.message || 'invalid');
}

/** Calls fn(...args) once no call came for ms milliseconds (the last call's arguments win). */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
