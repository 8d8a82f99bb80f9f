// The demo chat page: plain DOM and the client bundle socket.io serves itself. Text from the
// server only ever reaches the page through textContent or text nodes, never as HTML.
// The protocol is described in server/demo/namespaces/chat-rooms.ts.
import { io } from '/socket.io/socket.io.esm.min.js';

const MAX_LOG = 200;
const ROOMS_REFRESH_MS = 5000;
const TYPING_REPEAT_MS = 2000;
const TYPING_IDLE_MS = 3000;
const TYPING_SHOWN_MS = 4000;

const $ = (id) => document.getElementById(id);
let socket = null;
let room = null;
/** Why an operator removed us, from `sockscope:kicked`, shown when the disconnect follows. */
let removal = null;
const members = new Map(); // socket id → name
const typists = new Map(); // name → timer that forgets them

function el(tag, text, attributes = {}) {
	const node = document.createElement(tag);
	if (text !== undefined) node.textContent = text;
	for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
	return node;
}

function log(...parts) {
	const list = $('log');
	const item = el('li');
	item.append(...parts);
	list.append(item);
	while (list.childElementCount > MAX_LOG) list.firstElementChild.remove();
	list.scrollTop = list.scrollHeight;
	return item;
}

const notice = (text, kind = 'notice') => (log(text).className = kind);
const showMessage = (m) =>
	log(el('time', new Date(m.at).toLocaleTimeString()), el('b', m.from), ': ', m.text);

/** Emits with an ack and unwraps `{ data } | { error }`; a refusal or a timeout throws. */
async function request(event, ...args) {
	const reply = await socket.timeout(5000).emitWithAck(event, ...args);
	if (reply && 'error' in reply) throw new Error(reply.error);
	return reply?.data;
}

function connect(name, namespace, wanted) {
	socket?.disconnect();
	room = null;
	$('login-error').textContent = '';
	const s = (socket = io(namespace, { auth: { name } }));
	s.on('connect', async () => {
		$('status').textContent = `${name} on ${namespace}`;
		$('status').classList.remove('removed');
		$('chat').hidden = false;
		try {
			const rooms = await refreshRooms();
			// After a reconnection the server has forgotten our room: go back to it.
			await join(room ?? wanted ?? rooms[0]?.name);
		} catch (err) {
			notice(err.message, 'error');
		}
	});
	s.on('connect_error', (err) => {
		// A refusal by the server's middleware is final (`active` is false); a network error retries.
		if (s.active) return void ($('status').textContent = 'reconnecting…');
		$('login-error').textContent = err.message;
		$('status').textContent = 'not connected';
		$('chat').hidden = true;
	});
	s.on('disconnect', (reason) => {
		const removed = removal !== null && reason === 'io server disconnect';
		const text = removed
			? `Removed by an operator${removal ? `: ${removal}` : ''}`
			: `disconnected (${reason})`;
		$('status').textContent = text;
		$('status').classList.toggle('removed', removed);
		if (removed) notice(text, 'error');
		removal = null;
	});
	// Sockscope's agent tells a socket why before an operator disconnects it (see docs/admin-actions.md).
	s.on(
		'sockscope:kicked',
		(kick) => (removal = typeof kick?.reason === 'string' ? kick.reason : '')
	);
	// …and tells it when an operator moved it: the server's chat state still has the old room, so
	// rejoin through the app's own protocol, which updates both sides and the member list.
	s.on('sockscope:moved', (move) => {
		const to = typeof move?.to === 'string' ? move.to : null;
		notice(
			to ? `An operator moved you to ${to}` : `An operator took you out of ${room ?? 'the room'}`
		);
		const synced = to ? join(to) : leave();
		synced.catch((err) => notice(err.message, 'error'));
	});
	// The server's presence check: answered at once, so its acknowledgement latency is the round trip.
	s.on('presence:check', (ack) => ack());
	s.on('message:new', (message) => {
		forgetTypist(message.from);
		showMessage(message);
	});
	s.on('member:joined', (member) => {
		members.set(member.id, member.name);
		renderMembers();
		notice(`${member.name} joined`);
	});
	s.on('member:left', (member) => {
		members.delete(member.id);
		forgetTypist(member.name);
		renderMembers();
		notice(`${member.name} left`);
	});
	s.on('typing:update', (update) => {
		forgetTypist(update.name);
		if (update.typing) {
			typists.set(
				update.name,
				setTimeout(() => forgetTypist(update.name), TYPING_SHOWN_MS)
			);
		}
		renderTypists();
	});
}

async function join(name) {
	if (!name) return;
	const presence = await request('room:join', name);
	const changed = presence.room !== room;
	room = presence.room;
	members.clear();
	for (const member of presence.members) members.set(member.id, member.name);
	renderMembers(presence.total);
	if (changed) notice(`You joined ${room}`);
	await refreshRooms();
}

async function refreshRooms() {
	if (!socket?.connected) return [];
	const rooms = await request('rooms:list');
	$('rooms').replaceChildren(
		...rooms.map(({ name, members: count }) => {
			const button = el('button', undefined, { type: 'button', class: 'plain' });
			if (name === room) button.setAttribute('aria-current', 'true');
			button.append(el('span', name), el('span', String(count)));
			button.addEventListener('click', () =>
				join(name).catch((err) => notice(err.message, 'error'))
			);
			const item = el('li');
			item.append(button);
			return item;
		})
	);
	return rooms;
}

function renderMembers(total = members.size) {
	$('members-title').textContent = room ? `In ${room} (${total})` : 'Not in a room';
	$('members').replaceChildren(...[...members.values()].sort().map((name) => el('li', name)));
}

function forgetTypist(name) {
	clearTimeout(typists.get(name));
	if (typists.delete(name)) renderTypists();
}

function renderTypists() {
	const names = [...typists.keys()];
	$('typing').textContent = names.length
		? `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} typing…`
		: '';
}

let typingSentAt = 0;
let typingIdle;
function typing(active) {
	clearTimeout(typingIdle);
	if (active) typingIdle = setTimeout(() => typing(false), TYPING_IDLE_MS);
	if (active && Date.now() - typingSentAt < TYPING_REPEAT_MS) return;
	typingSentAt = active ? Date.now() : 0;
	if (room && socket?.connected) socket.emit('typing:update', active);
}

$('login').addEventListener('submit', (event) => {
	event.preventDefault();
	const form = new FormData(event.currentTarget);
	$('log').replaceChildren();
	connect(
		String(form.get('name')),
		String(form.get('namespace')),
		String(form.get('room')).trim() || null
	);
});

$('send').addEventListener('submit', async (event) => {
	event.preventDefault();
	const input = event.currentTarget.elements.text;
	if (!input.value.trim()) return;
	typing(false);
	try {
		// The server sends our own message back only in the ack, so it shows exactly once.
		showMessage(await request('message:send', input.value));
		input.value = '';
	} catch (err) {
		notice(err.message, 'error');
	}
});
$('send').elements.text.addEventListener('input', () => typing(true));

$('create').addEventListener('submit', async (event) => {
	event.preventDefault();
	const input = event.currentTarget.elements.room;
	try {
		await join(input.value);
		input.value = '';
	} catch (err) {
		notice(err.message, 'error');
	}
});

async function leave() {
	if (!room) return;
	await request('room:leave');
	notice(`You left ${room}`);
	room = null;
	members.clear();
	renderMembers();
	await refreshRooms();
}

$('leave').addEventListener('click', () => leave().catch((err) => notice(err.message, 'error')));

setInterval(() => refreshRooms().catch(() => {}), ROOMS_REFRESH_MS);
