// Workflows: not built yet.
import { page, h } from '/admin/fleet.js';

page('Workflows', (main) => {
  main.append(h('p', { class: 'muted' }, 'This page is not built yet; the REST API (see the README) has its data.'));
});
