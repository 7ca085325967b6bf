// Sign-in: POST /api/v1/auth/token, keep the access token in this tab's sessionStorage, go on.
import { api, rememberSignIn, showError, showNotice } from '/admin/fleet.js';

const params = new URLSearchParams(location.search);
if (params.get('reason')) showNotice(params.get('reason'));

/** Only a page of ours: never send the user on to another site after signing in. */
function next() {
  const n = params.get('next') || '';
  return /^\/admin\/[A-Za-z0-9._\-/]*(\?[^#]*)?$/.test(n) && !n.startsWith('/admin/login.html') ? n : '/admin/';
}

document.getElementById('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = document.getElementById('sign-in-button');
  const username = document.getElementById('username').value.trim();
  const password = document.getElementById('password').value;
  button.disabled = true;
  try {
    const answer = await api('POST', '/api/v1/auth/token', { username, password }, { noRedirect: true, anonymous: true });
    rememberSignIn(answer.access_token, username, answer.role);
    location.assign(next());
  } catch (e) {
    document.getElementById('fleet-messages').replaceChildren();
    showError(e);
    button.disabled = false;
  }
});
