// Simulated chat (demo): the control plane's SIMULATED Telegram network — watch its groups live,
// post as a human, add a member, create a group. Nothing here reaches Telegram.
import { page, api, poll, h, fill, showError, showNotice } from '/admin/fleet.js';

const SIM = '/api/v1/sim-telegram';

page('Simulated chat (demo)', (main) => {
  let selected = null; // chat_id
  let shown = -1; // how many messages are drawn for the selected group
  const groupList = h('div', { class: 'group-list', id: 'group-list' });
  const chatTitle = h('h2', { id: 'chat-title' }, 'Choose a group');
  const members = h('p', { class: 'muted', id: 'chat-members' });
  const chat = h('div', { class: 'chat', id: 'chat-messages' });
  const fromName = h('input', { id: 'post-from', value: 'Ana', size: 10, 'aria-label': 'your first name' });
  const postText = h('input', { id: 'post-text', placeholder: 'say something, e.g. hello', size: 40, 'aria-label': 'message' });
  const memberName = h('input', { id: 'member-name', placeholder: 'first name, e.g. Zoe', size: 16, 'aria-label': 'new member first name' });
  const newGroup = h('input', { id: 'group-title', placeholder: 'group title', size: 18, 'aria-label': 'new group title' });

  main.append(
    h('div', { class: 'sim-banner', id: 'sim-banner' },
      'SIMULATED Telegram network (demo): these groups, people and messages live in this control plane only; nothing is sent to Telegram. '
      + 'Accounts that run on nodes with TELEGRAM_RUNTIME=simulated (the demo nodes) chat here.'),
    h('div', { class: 'layout-2', style: { gridTemplateColumns: 'minmax(200px, 1fr) minmax(0, 3fr)' } },
      h('section', { class: 'panel' },
        h('h2', {}, 'Groups'), groupList,
        h('form', { class: 'row', dataset: { minRole: 'operator' }, onsubmit: createGroup },
          newGroup, h('button', { type: 'submit', id: 'create-group' }, 'Create group'))),
      h('section', { class: 'panel' },
        chatTitle, members, chat,
        h('form', { class: 'row', style: { marginTop: '10px' }, dataset: { minRole: 'operator' }, onsubmit: post },
          h('label', {}, 'As ', fromName), postText, h('button', { type: 'submit', class: 'primary', id: 'post-button' }, 'Post as a human')),
        h('form', { class: 'row', style: { marginTop: '8px' }, dataset: { minRole: 'operator' }, onsubmit: addMember },
          h('label', {}, 'Add a member ', memberName), h('button', { type: 'submit', id: 'add-member' }, 'Add member'),
          h('span', { class: 'muted' }, 'the group\'s accounts see them join (a welcome script greets them)')))));

  async function loadGroups() {
    const groups = await api('GET', SIM + '/groups');
    if (selected === null && groups.length) selected = groups[0].chat_id;
    fill(groupList, groups.length === 0
      ? h('p', { class: 'muted' }, 'No simulated group yet. The local demo creates "Group AI demo lobby (simulated)"; or create one.')
      : groups.map((g) => h('button', {
        type: 'button', class: 'group' + (g.chat_id === selected ? ' selected' : ''), dataset: { chatId: g.chat_id },
        onclick: () => { selected = g.chat_id; shown = -1; groupsPoll.now(); messagesPoll.now(); },
      }, g.title, h('span', { class: 'muted' }, ' · ' + g.member_ids.length + ' members'))));
    const current = groups.find((g) => g.chat_id === selected);
    chatTitle.textContent = current ? current.title : 'Choose a group';
    members.textContent = current ? 'chat id ' + current.chat_id + ' · ' + current.member_ids.length + ' members' : '';
  }

  async function loadMessages() {
    if (selected === null) {
      fill(chat, h('p', { class: 'muted' }, 'No group chosen.'));
      return;
    }
    const chatId = selected;
    const messages = await api('GET', SIM + '/groups/' + chatId + '/messages');
    if (chatId !== selected || messages.length === shown) return; // nothing new: keep the scroll position
    const atBottom = chat.scrollTop + chat.clientHeight >= chat.scrollHeight - 20;
    fill(chat, messages.length === 0
      ? h('p', { class: 'muted' }, 'No messages yet.')
      : messages.map((m) => {
        const account = /^Account /.test(m.from_first_name || '');
        return h('div', { class: 'msg' + (account ? ' account' : ''), dataset: { messageId: m.message_id } },
          h('div', {}, h('span', { class: 'from' }, m.from_first_name + (account ? ' (account)' : '')),
            h('span', { class: 'when' }, new Date(m.date).toLocaleTimeString())),
          h('div', { class: 'text' }, m.text));
      }));
    if (atBottom || shown < 0) chat.scrollTop = chat.scrollHeight;
    shown = messages.length;
  }

  async function post(e) {
    e.preventDefault();
    if (selected === null) return showError('Choose a group first.');
    try {
      await api('POST', SIM + '/groups/' + selected + '/messages', { from_first_name: fromName.value.trim(), text: postText.value });
      postText.value = '';
      await messagesPoll.now();
    } catch (err) {
      showError(err);
    }
  }

  async function addMember(e) {
    e.preventDefault();
    if (selected === null) return showError('Choose a group first.');
    const name = memberName.value.trim();
    try {
      const user = await api('POST', SIM + '/groups/' + selected + '/members', { first_name: name });
      showNotice(user.first_name + ' joined the group; its members were told.');
      memberName.value = '';
      await groupsPoll.now();
    } catch (err) {
      showError(err);
    }
  }

  async function createGroup(e) {
    e.preventDefault();
    try {
      const g = await api('POST', SIM + '/groups', { title: newGroup.value.trim() });
      newGroup.value = '';
      selected = g.chat_id;
      shown = -1;
      await groupsPoll.now();
      await messagesPoll.now();
    } catch (err) {
      showError(err);
    }
  }

  const groupsPoll = poll(loadGroups, 3000);
  const messagesPoll = poll(loadMessages, 1000);
});
