// The sandbox page: a Telegram-like chat with the real bot through the emulated Telegram.
// Plain ES module, no build step. State comes from /sandbox/api/state; /sandbox/api/events
// (Server-Sent Events) says when to fetch it again.

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) if (child !== undefined && child !== null) node.append(child);
  return node;
};

const ui = {
  user: $('user'),
  messages: $('messages'),
  status: $('chat-status'),
  title: $('chat-title'),
  chatUser: $('chat-user'),
  replyKeyboard: $('reply-keyboard'),
  composer: $('composer'),
  input: $('message'),
  attach: $('attach'),
  attachment: $('attachment'),
  attachmentName: $('attachment-name'),
  sendAs: $('send-as'),
  record: $('record'),
  nextTask: $('next-task'),
  providerMode: $('provider-mode'),
  providerHint: $('provider-hint'),
  subscriptionList: $('subscription-list'),
  toast: $('toast'),
};

let current = Number(new URLSearchParams(location.search).get('user')) || Number(localStorage.getItem('sandbox.user')) || 0;
let lastState;
const rendered = new Map(); // message id → { version, node }

// ------------------------------------------------------------------ talking to the server
async function api(path, { method = 'GET', json, body, headers } = {}) {
  const res = await fetch(path, {
    method,
    headers: json !== undefined ? { 'content-type': 'application/json' } : headers,
    body: json !== undefined ? JSON.stringify(json) : body,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || `${res.status} ${res.statusText}`);
  return data;
}

let refreshing = false;
let again = false;
async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    do {
      again = false;
      const asked = current;
      const state = await api(`/sandbox/api/state?user=${asked}`);
      // The user was switched while this was on its way: fetch again for the new one.
      if (current !== asked) again = true;
      else render(state);
    } while (again);
  } catch (err) {
    showToast(`Could not reach the sandbox: ${err.message}`);
  } finally {
    refreshing = false;
  }
}

function listen() {
  const events = new EventSource('/sandbox/api/events');
  events.addEventListener('change', () => void refresh());
  events.addEventListener('open', () => void refresh());
}

let toastTimer;
function showToast(text, { alert = false } = {}) {
  ui.toast.textContent = text;
  ui.toast.hidden = false;
  ui.toast.classList.toggle('alert', alert);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (ui.toast.hidden = true), alert ? 6000 : 3000);
}

// ------------------------------------------------------------------ rendering
function render(state) {
  lastState = state;
  if (current !== state.current) {
    current = state.current;
    localStorage.setItem('sandbox.user', String(current));
  }
  renderPeople(state);
  renderProvider(state.provider);
  renderSubscriptions(state.subscriptions);
  ui.title.textContent = state.bot.name;
  const person = state.people.find((p) => p.id === state.current);
  ui.chatUser.textContent = person ? `You are ${person.name}${person.admin ? ' (admin)' : ''} · ${person.language}` : '';
  renderMessages(state.chat.messages);
  renderReplyKeyboard(state.chat.replyKeyboard);
  renderAction(state.chat.action);
}

function renderPeople(state) {
  const wanted = state.people.map((p) => `${p.id}:${p.name}:${p.language}:${p.admin}`).join('|');
  if (ui.user.dataset.people !== wanted) {
    ui.user.replaceChildren(...state.people.map((p) => el('option', { value: String(p.id), text: `${p.name}${p.admin ? ' (admin)' : ''} · ${p.language}` })));
    ui.user.dataset.people = wanted;
  }
  ui.user.value = String(state.current);
}

function renderProvider(provider) {
  const emulated = provider.kie === 'emulated' || provider.kling === 'emulated';
  const name = { emulated: 'emulated', real: 'real (your keys)', off: 'not configured' };
  ui.providerMode.textContent = `KIE: ${name[provider.kie]} · Kling: ${name[provider.kling]}`;
  ui.nextTask.disabled = !emulated;
  if (document.activeElement !== ui.nextTask) ui.nextTask.value = provider.next;
  ui.providerHint.textContent = emulated
    ? `An emulated video takes about ${Math.round(provider.delayMs / 100) / 10} s. The choice applies to the next task, then it goes back to "succeeds".`
    : 'Real providers are in use: their answers cannot be scripted.';
}

const day = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10);

function renderSubscriptions(subs) {
  const wanted = JSON.stringify(subs);
  if (ui.subscriptionList.dataset.key === wanted) return;
  ui.subscriptionList.dataset.key = wanted;
  const state = { active: 'active', canceled: 'cancelled', ended: 'ended' };
  ui.subscriptionList.replaceChildren(
    ...(subs.length === 0
      ? [el('li', { class: 'hint', text: 'None yet: send /subscribe and pay a plan.' })]
      : subs.map((s) =>
          el('li', {
            text: `${s.title} · ${s.amount} ⭐ · ${state[s.state]} · ${s.state === 'active' ? 'renews' : s.state === 'canceled' ? 'ends' : 'ended'} ${day(s.expiration)} · ${s.payments} ${s.payments === 1 ? 'payment' : 'payments'}`,
          }),
        )),
  );
}

let actionTimer;
function renderAction(action) {
  clearTimeout(actionTimer);
  ui.status.textContent = action ? action.label : 'bot';
  ui.status.classList.toggle('busy', Boolean(action));
  if (action) actionTimer = setTimeout(() => void refresh(), Math.max(50, action.remainingMs + 50));
}

function renderReplyKeyboard(rows) {
  if (!rows || rows.length === 0) {
    ui.replyKeyboard.hidden = true;
    ui.replyKeyboard.replaceChildren();
    return;
  }
  const key = JSON.stringify(rows);
  if (ui.replyKeyboard.dataset.key === key && !ui.replyKeyboard.hidden) return;
  ui.replyKeyboard.dataset.key = key;
  ui.replyKeyboard.replaceChildren(
    ...rows.map((row) => el('div', { class: 'row' }, ...row.map((b) => el('button', { type: 'button', text: b.text, onclick: () => void sendText(b.text) })))),
  );
  ui.replyKeyboard.hidden = false;
}

function renderMessages(messages) {
  const list = ui.messages;
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const wanted = new Set(messages.map((m) => m.id));
  for (const [id, entry] of rendered) {
    if (!wanted.has(id)) {
      entry.node.remove();
      rendered.delete(id);
    }
  }
  let added = false;
  let previous = null;
  for (const m of messages) {
    let entry = rendered.get(m.id);
    if (!entry || entry.version !== m.version) {
      const node = messageNode(m);
      if (entry) entry.node.replaceWith(node);
      entry = { version: m.version, node };
      rendered.set(m.id, entry);
      added = true;
    }
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (expected !== entry.node) list.insertBefore(entry.node, expected);
    previous = entry.node;
  }
  if (added && (nearBottom || messages.at(-1)?.from === 'user')) list.scrollTop = list.scrollHeight;
}

const time = (date) => new Date(date * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

function messageNode(m) {
  if (m.service && !m.text && !m.media) return el('li', { class: 'service', 'data-id': String(m.id) }, el('span', { text: m.service }));
  const bubble = el('div', { class: 'bubble' });
  if (m.media) bubble.append(mediaNode(m.media));
  if (m.invoice) bubble.append(invoiceNode(m));
  for (const b of m.buttons.flat()) if (b.link) bubble.append(linkNode(b));
  if (m.text) bubble.append(el('div', { class: 'text' }, formatText(m.text, m.entities)));
  if (m.service) bubble.append(el('div', { class: 'text' }, m.service));
  bubble.append(el('div', { class: 'meta' }, m.edited ? el('span', { class: 'edited', text: 'edited' }) : null, el('time', { text: time(m.date) })));
  const item = el('li', { class: `message ${m.from}`, 'data-id': String(m.id) }, bubble);
  if (m.buttons.length) item.append(inlineKeyboard(m));
  return item;
}

function mediaNode(media) {
  switch (media.kind) {
    case 'photo':
    case 'sticker':
      return el('img', { class: 'media', src: media.url, alt: media.kind === 'photo' ? 'Photo' : 'Sticker', loading: 'lazy' });
    case 'video':
    case 'animation':
    case 'video_note': {
      const video = el('video', {
        class: `media ${media.kind}`,
        src: media.url,
        controls: true,
        preload: 'metadata',
        playsInline: true,
        'aria-label': media.kind === 'video_note' ? 'Video message' : 'Video',
      });
      if (media.kind === 'animation') Object.assign(video, { autoplay: true, loop: true, muted: true });
      return video;
    }
    case 'voice':
    case 'audio':
      return el(
        'div',
        { class: 'audio' },
        el('span', {
          class: 'label',
          text: media.kind === 'voice' ? `Voice message${media.duration ? ` · ${media.duration} s` : ''}` : media.fileName || 'Audio',
        }),
        el('audio', { src: media.url, controls: true, preload: 'metadata', 'aria-label': media.kind === 'voice' ? 'Voice message' : 'Audio' }),
      );
    default:
      return el('a', { class: 'document', href: media.url, download: media.fileName || 'file', text: `📄 ${media.fileName || 'File'}` });
  }
}

/** Runs pre-checkout → successful payment for an invoice message. */
async function pay(m, button) {
  button.disabled = true;
  button.textContent = 'Paying…';
  try {
    const result = await api(`/sandbox/api/chats/${current}/pay`, { method: 'POST', json: { messageId: m.id } });
    if (!result.ok) showToast(result.error, { alert: true });
  } catch (err) {
    showToast(err.message, { alert: true });
  } finally {
    void refresh();
  }
}

/** Pays an invoice link (a subscription offer): pre-checkout → successful payment. */
async function payLink(url, button) {
  button.disabled = true;
  button.textContent = 'Paying…';
  try {
    const result = await api(`/sandbox/api/chats/${current}/pay-link`, { method: 'POST', json: { url } });
    if (!result.ok) showToast(result.error, { alert: true });
  } catch (err) {
    showToast(err.message, { alert: true });
  } finally {
    void refresh();
  }
}

const starsText = (inv) => (inv.currency === 'XTR' ? `${inv.amount} ⭐` : `${inv.amount} ${inv.currency}`);
const linkPrice = (link) => `${starsText(link)}${link.period ? ' a month' : ''}`;

/** An invoice link as Telegram's payment form shows it: what, how much, how often, and Pay. */
function linkNode(b) {
  const link = b.link;
  return el(
    'div',
    { class: 'invoice' },
    el('strong', { text: link.title }),
    el('p', { text: link.description }),
    el('p', { class: 'amount', text: linkPrice(link) }),
    el('button', {
      type: 'button',
      class: 'pay',
      text: link.paid ? 'Paid' : `Pay ${linkPrice(link)}`,
      disabled: link.paid,
      onclick: (e) => payLink(b.url, e.currentTarget),
    }),
  );
}

function invoiceNode(m) {
  const inv = m.invoice;
  const card = el(
    'div',
    { class: 'invoice' },
    el('strong', { text: inv.title }),
    el('p', { text: inv.description }),
    el('p', { class: 'amount', text: starsText(inv) }),
  );
  // Without a Pay button in its keyboard, Telegram shows its own under the invoice.
  if (!m.buttons.flat().some((b) => b.pay)) {
    card.append(
      el('button', {
        type: 'button',
        class: 'pay',
        text: inv.paid ? 'Paid' : `Pay ${starsText(inv)}`,
        disabled: inv.paid,
        onclick: (e) => pay(m, e.currentTarget),
      }),
    );
  }
  return card;
}

function inlineKeyboard(m) {
  return el(
    'div',
    { class: 'inline-keyboard', role: 'group', 'aria-label': 'Buttons' },
    ...m.buttons.map((row) =>
      el(
        'div',
        { class: 'row' },
        ...row.map((b) => {
          // An invoice link (a Stars subscription offer) opens Telegram's payment form: here, Pay.
          if (b.link) {
            return el('button', { type: 'button', class: 'pay', text: b.text, disabled: b.link.paid, onclick: (e) => payLink(b.url, e.currentTarget) });
          }
          if (b.url) return el('a', { class: 'button', href: b.url, target: '_blank', rel: 'noopener noreferrer', text: `${b.text} ↗` });
          if (b.pay && m.invoice) {
            const paid = m.invoice.paid;
            return el('button', { type: 'button', class: 'pay', text: paid ? 'Paid' : b.text, disabled: paid, onclick: (e) => pay(m, e.currentTarget) });
          }
          return el('button', {
            type: 'button',
            text: b.text,
            disabled: !b.data,
            onclick: async (event) => {
              const button = event.currentTarget;
              button.classList.add('pending');
              try {
                const answer = await api(`/sandbox/api/chats/${current}/tap`, { method: 'POST', json: { messageId: m.id, data: b.data } });
                if (answer.text) showToast(answer.text, { alert: answer.alert });
              } catch (err) {
                showToast(err.message);
              } finally {
                button.classList.remove('pending');
              }
            },
          });
        }),
      ),
    ),
  );
}

/** Text with Telegram entities (offsets in UTF-16 code units, as in JavaScript strings). */
function formatText(text, entities) {
  const fragment = document.createDocumentFragment();
  const list = (entities || []).filter((e) => e && typeof e.offset === 'number' && typeof e.length === 'number' && e.length > 0);
  const cuts = new Set([0, text.length]);
  for (const e of list) {
    cuts.add(e.offset);
    cuts.add(Math.min(text.length, e.offset + e.length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i++) {
    const [from, to] = [points[i], points[i + 1]];
    let node = document.createTextNode(text.slice(from, to));
    const covering = list.filter((e) => e.offset <= from && e.offset + e.length >= to).sort((a, b) => b.length - a.length);
    for (const e of covering.reverse()) node = wrap(e, node, text.slice(e.offset, e.offset + e.length));
    fragment.append(node);
  }
  return fragment;
}

function wrap(entity, child, whole) {
  switch (entity.type) {
    case 'bold':
      return el('strong', {}, child);
    case 'italic':
      return el('em', {}, child);
    case 'underline':
      return el('u', {}, child);
    case 'strikethrough':
      return el('s', {}, child);
    case 'spoiler':
      return el('span', { class: 'spoiler', title: 'Spoiler', onclick: (e) => e.currentTarget.classList.add('shown') }, child);
    case 'code':
      return el('code', {}, child);
    case 'pre':
      return el('pre', {}, child);
    case 'blockquote':
    case 'expandable_blockquote':
      return el('blockquote', {}, child);
    case 'text_link':
      return el('a', { href: entity.url, target: '_blank', rel: 'noopener noreferrer' }, child);
    case 'url':
      return el('a', { href: /^https?:/i.test(whole) ? whole : `https://${whole}`, target: '_blank', rel: 'noopener noreferrer' }, child);
    case 'bot_command':
      return el('span', { class: 'command' }, child);
    default:
      return child;
  }
}

// ------------------------------------------------------------------ sending
async function sendText(text) {
  try {
    await api(`/sandbox/api/chats/${current}/text`, { method: 'POST', json: { text } });
  } catch (err) {
    showToast(err.message);
  }
}

/** The kind of message a picked file becomes, as a Telegram client would send it. */
function autoKind(file) {
  const type = file.type || '';
  if (/^image\/(jpeg|png|webp)$/.test(type)) return 'photo';
  if (/^audio\/(ogg|opus)/.test(type) || /\.(oga|opus)$/i.test(file.name)) return 'voice';
  if (type.startsWith('audio/')) return 'audio';
  if (type === 'video/mp4' || type === 'video/quicktime') return 'video';
  return 'document';
}

/** Duration and size of an audio or video file, read by the browser (best effort, 3 s at most). */
function mediaInfo(file) {
  if (!/^(audio|video)\//.test(file.type)) return Promise.resolve({});
  return new Promise((resolve) => {
    const media = document.createElement(file.type.startsWith('video/') ? 'video' : 'audio');
    const url = URL.createObjectURL(file);
    const done = (info) => {
      clearTimeout(timer);
      URL.revokeObjectURL(url);
      resolve(info);
    };
    const timer = setTimeout(() => done({}), 3000);
    media.preload = 'metadata';
    media.onloadedmetadata = () =>
      done({
        duration: Number.isFinite(media.duration) ? Math.max(1, Math.round(media.duration)) : undefined,
        width: media.videoWidth || undefined,
        height: media.videoHeight || undefined,
      });
    media.onerror = () => done({});
    media.src = url;
  });
}

async function sendFile(file, kind, { caption, duration, mime } = {}) {
  const info = duration ? { duration } : await mediaInfo(file);
  const query = new URLSearchParams({ kind, name: file.name || 'file' });
  const type = mime || file.type;
  if (type) query.set('mime', type);
  if (caption) query.set('caption', caption);
  for (const key of ['duration', 'width', 'height']) if (info[key]) query.set(key, String(info[key]));
  await api(`/sandbox/api/chats/${current}/file?${query}`, { method: 'POST', body: file, headers: { 'content-type': 'application/octet-stream' } });
}

function clearAttachment() {
  ui.attach.value = '';
  ui.attachment.hidden = true;
  ui.sendAs.value = 'auto';
}

ui.attach.addEventListener('change', () => {
  const file = ui.attach.files?.[0];
  if (!file) return clearAttachment();
  ui.attachmentName.textContent = `📎 ${file.name} (${Math.max(1, Math.round(file.size / 1024))} KB)`;
  ui.sendAs.value = autoKind(file);
  ui.attachment.hidden = false;
  ui.input.focus();
});
$('attachment-remove').addEventListener('click', clearAttachment);

ui.composer.addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = ui.input.value.trim();
  const file = ui.attach.files?.[0];
  if (!text && !file) return;
  const button = $('send');
  button.disabled = true;
  try {
    if (file) {
      const kind = ui.sendAs.value === 'auto' ? autoKind(file) : ui.sendAs.value;
      await sendFile(file, kind, { caption: text || undefined });
      clearAttachment();
    } else {
      await api(`/sandbox/api/chats/${current}/text`, { method: 'POST', json: { text } });
    }
    ui.input.value = '';
    autosize();
  } catch (err) {
    showToast(err.message);
  } finally {
    button.disabled = false;
    ui.input.focus();
  }
});

function autosize() {
  ui.input.style.height = 'auto';
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 160)}px`;
}
ui.input.addEventListener('input', autosize);
ui.input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

// ------------------------------------------------------------------ voice notes
let recorder;
ui.record.addEventListener('click', async () => {
  if (recorder) {
    recorder.stop();
    return;
  }
  if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
    showToast('This browser cannot record audio here. Pick a voice file with Attach instead.');
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    showToast(`No microphone: ${err.message}`);
    return;
  }
  const ogg = MediaRecorder.isTypeSupported('audio/ogg;codecs=opus');
  const chunks = [];
  const started = performance.now();
  recorder = new MediaRecorder(stream, ogg ? { mimeType: 'audio/ogg;codecs=opus' } : undefined);
  recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  recorder.onstop = async () => {
    stream.getTracks().forEach((t) => t.stop());
    recorder = undefined;
    ui.record.setAttribute('aria-pressed', 'false');
    ui.record.classList.remove('recording');
    const seconds = Math.max(1, Math.round((performance.now() - started) / 1000));
    try {
      const recorded = new Blob(chunks, { type: chunks[0]?.type || recorder?.mimeType || 'audio/webm' });
      // Telegram voice notes are OGG/Opus. Browsers that record only WebM get a WAV instead,
      // which the bot (and the providers) accept too.
      const voice = ogg ? new File([recorded], 'voice.ogg', { type: 'audio/ogg' }) : await toWav(recorded);
      await sendFile(voice, 'voice', { duration: seconds, mime: voice.type });
    } catch (err) {
      showToast(`Could not send the recording: ${err.message}`);
    }
  };
  recorder.start();
  ui.record.setAttribute('aria-pressed', 'true');
  ui.record.classList.add('recording');
  showToast('Recording… press the microphone again to send.');
});

/** Decodes a recording and writes it as 16 kHz mono 16-bit WAV. */
async function toWav(blob) {
  const context = new AudioContext();
  const decoded = await context.decodeAudioData(await blob.arrayBuffer());
  await context.close();
  const rate = 16000;
  const offline = new OfflineAudioContext(1, Math.max(1, Math.ceil(decoded.duration * rate)), rate);
  const source = offline.createBufferSource();
  source.buffer = decoded;
  source.connect(offline.destination);
  source.start();
  const samples = (await offline.startRendering()).getChannelData(0);
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const ascii = (offset, s) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, s)) * 0x7fff, true));
  return new File([buffer], 'voice.wav', { type: 'audio/wav' });
}

// ------------------------------------------------------------------ people, providers, subscriptions
ui.user.addEventListener('change', () => {
  current = Number(ui.user.value);
  localStorage.setItem('sandbox.user', String(current));
  for (const entry of rendered.values()) entry.node.remove();
  rendered.clear();
  delete ui.replyKeyboard.dataset.key;
  void refresh();
});

$('new-person').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const data = new FormData(form);
  try {
    const person = await api('/sandbox/api/people', { method: 'POST', json: { name: String(data.get('name') || ''), language: String(data.get('language')) } });
    form.reset();
    current = person.id;
    localStorage.setItem('sandbox.user', String(current));
    for (const entry of rendered.values()) entry.node.remove();
    rendered.clear();
    await refresh();
    showToast(`${person.name} joined. Send /start to begin.`);
  } catch (err) {
    showToast(err.message);
  }
});

ui.nextTask.addEventListener('change', async () => {
  try {
    await api('/sandbox/api/provider', { method: 'POST', json: { next: ui.nextTask.value } });
  } catch (err) {
    showToast(err.message);
  }
  void refresh();
});

$('next-month').addEventListener('click', async () => {
  try {
    const { renewed } = await api('/sandbox/api/next-month', { method: 'POST', json: {} });
    showToast(renewed === 1 ? 'A month passed: one subscription renewed.' : `A month passed: ${renewed} subscriptions renewed.`);
  } catch (err) {
    showToast(err.message);
  }
  void refresh();
});

listen();
void refresh();
window.sandbox = {
  refresh,
  get state() {
    return lastState;
  },
};
