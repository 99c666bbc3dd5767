// The local workspace page: who you are, a sidebar, a conversation or the App Home,
// a composer, modals, and a clock control. Everything shown comes from /local/api/state,
// fetched again whenever the server-sent event stream says something changed.
"use strict";

const { h } = BlockKit;
const page = {
  workspace: null,
  me: null,
  data: null,           // the last /local/api/state answer
  open: null,           // conversation id shown
  tab: "messages",      // "messages" or "home" when the app's DM is open
  forms: new Map(),     // view id -> Map("blockId/actionId" -> value)
  errors: new Map(),    // view id -> {blockId: message}
  drawn: {},            // region -> JSON last drawn, so unchanged regions keep focus and caret
  fetchedAt: 0,
};

// ---- server ------------------------------------------------------------------------------

async function api(name, body) {
  const response = await fetch(`/local/api/${name}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: page.me, ...body }),
  });
  const answer = await response.json();
  if (!answer.ok && answer.error) toast(answer.error);
  refresh();
  return answer;
}

let fetching = null;
let again = false;
async function refresh() {
  if (fetching) { again = true; return fetching; }
  fetching = (async () => {
    do {
      again = false;
      const asked = page.me;
      const response = await fetch(`/local/api/state?user=${encodeURIComponent(asked)}`);
      const data = await response.json();
      if (asked !== page.me) { again = true; continue; }  // someone else's view: look again
      page.data = data;
      page.fetchedAt = Date.now();
      draw();
      // The first full draw, for the benchmark (tests/bench/bench_local.py).
      if (window.firstDrawAt === undefined) window.firstDrawAt = performance.now();
    } while (again);
  })();
  try { await fetching; } finally { fetching = null; }
}

function listen() {
  const events = new EventSource("/local/api/events");
  events.onmessage = () => refresh();
}

function toast(text) {
  const node = document.getElementById("toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, 5000);
}

// ---- people and time -----------------------------------------------------------------------

const user = (id) => page.workspace.users[id] || { id, real_name: id, name: id, tz: "UTC" };
const initials = (name) => name.split(" ").map((w) => w[0]).join("").slice(0, 2).toUpperCase();

function now() {
  const base = page.data ? Date.parse(page.data.now) : Date.now();
  return new Date(base + (Date.now() - page.fetchedAt));
}

function formatTime(date, withDay) {
  const options = { timeZone: user(page.me).tz, hour: "2-digit", minute: "2-digit", hour12: false };
  if (withDay) Object.assign(options, { weekday: "short", day: "numeric", month: "short" });
  return date.toLocaleString("en-GB", options);
}

// ---- drawing -----------------------------------------------------------------------------

function draw() {
  if (!page.data.conversations.some((c) => c.id === page.open)) page.open = page.workspace.bot_dm;
  drawOnce("sidebar", [page.data.conversations, page.open, page.tab], drawSidebar);
  drawOnce("clock", [page.data.now], drawClock);
  const messages = page.data.messages[page.open] || [];
  const ephemerals = page.data.ephemerals.filter((e) => e.channel === page.open);
  if (page.tab === "home") drawOnce("main", ["home", page.data.home], drawHome);
  else drawOnce("main", [page.open, messages, ephemerals], () => drawConversation(messages, ephemerals));
  const modal = page.data.modals[page.data.modals.length - 1] || null;
  drawOnce("modal", [modal, modal && page.errors.get(modal.id)], () => drawModal(modal));
}

function drawOnce(region, inputs, paint) {
  const key = JSON.stringify(inputs);
  if (page.drawn[region] === key) return;
  page.drawn[region] = key;
  paint();
}

function drawSidebar() {
  const list = document.getElementById("conversations");
  list.replaceChildren();
  for (const c of page.data.conversations) {
    const label = c.kind === "im" ? `● ${c.name}` : `# ${c.name}`;
    list.append(h("li", {},
      h("button", {
        className: `conversation${c.id === page.open ? " active" : ""}`, "data-conversation": c.id,
        onclick: () => openConversation(c.id, "messages"),
      }, label)));
  }
}

function drawClock() {
  const tz = user(page.me).tz;
  document.getElementById("clock-now").textContent = `${formatTime(now(), true)} · ${tz}`;
}

function header(title, tabs) {
  const bar = document.getElementById("conversation-header");
  bar.replaceChildren(h("h2", {}, title));
  if (tabs) {
    const dm = page.workspace.bot_dm;
    bar.append(h("nav", { className: "tabs" },
      ["home", "messages"].map((tab) => h("button", {
        className: `tab${page.tab === tab ? " active" : ""}`, "data-tab": tab,
        onclick: () => openConversation(dm, tab),
      }, tab === "home" ? "Home" : "Messages"))));
  }
}

function drawHome() {
  header(page.workspace.bot.name, true);
  document.getElementById("composer").hidden = true;
  const main = document.getElementById("messages");
  const view = page.data.home;
  main.replaceChildren(view
    ? h("div", { className: "home", "data-view-id": view.id }, BlockKit.render(view.blocks, viewContext(view)))
    : h("p", { className: "empty" }, "Loading Home…"));
}

function drawConversation(messages, ephemerals) {
  const conversation = page.data.conversations.find((c) => c.id === page.open);
  header(conversation.kind === "im" ? conversation.name : `# ${conversation.name}`, conversation.kind === "im");
  document.getElementById("composer").hidden = false;
  document.getElementById("composer-text").placeholder = conversation.kind === "im"
    ? `Message ${conversation.name}` : `Message #${conversation.name}`;
  const all = [
    ...messages.map((m) => ({ message: m, ephemeral: false })),
    ...ephemerals.map((e) => ({ message: e.message, ephemeral: true })),
  ].sort((a, b) => Number(a.message.ts) - Number(b.message.ts));
  const replies = new Map();
  const top = [];
  for (const item of all) {
    const { ts, thread_ts: thread } = item.message;
    if (thread && thread !== ts && all.some((o) => o.message.ts === thread)) {
      if (!replies.has(thread)) replies.set(thread, []);
      replies.get(thread).push(item);
    } else top.push(item);
  }
  const main = document.getElementById("messages");
  const atBottom = main.scrollHeight - main.scrollTop - main.clientHeight < 80;
  main.replaceChildren(...(top.length ? [] : [h("p", { className: "empty" },
    conversation.kind === "im" ? "Type /delegate to hand over a task, or pick a hint below." : "No messages yet.")]));
  let day = "";
  for (const item of top) {
    const when = new Date(Number(item.message.ts) * 1000);
    const label = when.toLocaleDateString("en-GB", { timeZone: user(page.me).tz, weekday: "long", day: "numeric", month: "long" });
    if (label !== day) { day = label; main.append(h("div", { className: "day" }, label)); }
    const node = drawMessage(item);
    const thread = replies.get(item.message.ts);
    if (thread) {
      node.append(h("div", { className: "thread", "aria-label": "Thread" },
        h("div", { className: "thread-count" }, `${thread.length} ${thread.length === 1 ? "reply" : "replies"}`),
        thread.map(drawMessage)));
    }
    main.append(node);
  }
  if (atBottom || !main.dataset.seen) main.scrollTop = main.scrollHeight;
  main.dataset.seen = "1";
}

function drawMessage({ message, ephemeral }) {
  const author = message.bot_id ? { real_name: page.workspace.bot.name, id: message.user } : user(message.user);
  const ctx = {
    act: (element, blockId, value) => api("action", {
      action_id: element.action_id, block_id: blockId, value,
      channel: page.open, message_ts: message.ts, ephemeral,
    }),
  };
  const content = message.blocks && message.blocks.length
    ? BlockKit.render(message.blocks, ctx)
    : BlockKit.mrkdwn(message.text);
  const files = (message.files || []).map((f) => h("a", {
    className: "file", href: `/local/files/${f.id}`, download: f.name,
  }, `📄 ${f.title || f.name}`));
  const menu = h("div", { className: "message-menu", hidden: true },
    h("button", { onclick: () => { menu.hidden = true; api("shortcut", { message_ts: message.ts, channel: page.open }); } },
      "Delegate this message"));
  return h("div", {
    className: `message${ephemeral ? " ephemeral" : ""}${message.bot_id ? " from-bot" : ""}`,
    "data-ts": message.ts,
  },
  h("div", { className: "avatar", "aria-hidden": "true" }, message.bot_id ? "🤖" : initials(author.real_name)),
  h("div", { className: "message-body" },
    h("div", { className: "meta" },
      h("b", {}, author.real_name),
      message.bot_id ? h("span", { className: "app-tag" }, "APP") : null,
      h("time", {}, formatTime(new Date(Number(message.ts) * 1000), false)),
      message.edited ? h("span", { className: "edited" }, "(edited)") : null,
      ephemeral ? h("span", { className: "only-you" }, "Only visible to you") : null),
    content, files),
  ephemeral ? null : h("div", { className: "message-actions" },
    h("button", { className: "more", title: "More actions", "aria-label": "More actions",
      onclick: () => { menu.hidden = !menu.hidden; } }, "⋯"), menu));
}

// ---- modals and views ----------------------------------------------------------------------

function formOf(viewId) {
  if (!page.forms.has(viewId)) page.forms.set(viewId, new Map());
  return page.forms.get(viewId);
}

function valuesOf(view) {
  const values = {};
  const present = new Set();
  for (const b of view.blocks) {
    for (const e of [b.element, b.accessory, ...(b.elements || [])]) {
      if (e && e.action_id) present.add(`${b.block_id}/${e.action_id}`);
    }
  }
  for (const [key, value] of formOf(view.id)) {
    if (!present.has(key)) continue;
    const [blockId, actionId] = key.split("/");
    values[blockId] = { ...(values[blockId] || {}), [actionId]: value };
  }
  return values;
}

function viewContext(view) {
  return {
    form: formOf(view.id),
    errors: page.errors.get(view.id),
    act: (element, blockId, value) => api("action", {
      action_id: element.action_id, block_id: blockId, value, view_id: view.id, values: valuesOf(view),
    }),
  };
}

function drawModal(view) {
  const root = document.getElementById("modal-root");
  if (!view) { root.replaceChildren(); root.hidden = true; return; }
  root.hidden = false;
  const submit = async () => {
    const button = root.querySelector(".modal-submit");
    button.disabled = true;
    const answer = await api("submit", { view_id: view.id, values: valuesOf(view) });
    button.disabled = false;
    page.errors.set(view.id, answer.errors || null);
    page.drawn.modal = null;
    draw();
  };
  const close = () => api("close", { view_id: view.id });
  const pushed = page.data.modals.length > 1;
  root.replaceChildren(h("div", { className: "modal", role: "dialog", "aria-modal": "true", "data-view-id": view.id,
    "data-callback-id": view.callback_id },
  h("header", {},
    pushed ? h("button", { className: "modal-back", "aria-label": "Back", onclick: close }, "←") : null,
    h("h2", {}, BlockKit.plain(view.title)),
    h("button", { className: "modal-x", "aria-label": "Close", onclick: close }, "✕")),
  h("div", { className: "modal-body" }, BlockKit.render(view.blocks, viewContext(view))),
  h("footer", {},
    h("button", { className: "bk-button modal-close", onclick: close }, BlockKit.plain(view.close) || "Cancel"),
    view.submit ? h("button", { className: "bk-button primary modal-submit", onclick: submit },
      BlockKit.plain(view.submit)) : null)));
}

// ---- composer ------------------------------------------------------------------------------

// Slack escapes what people type and turns @name into a mention before the bot sees it.
function asSlackText(typed) {
  const escaped = typed.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return escaped.replace(/(^|\s)@([a-z][\w.-]*)/gi, (match, space, name) => {
    const found = Object.values(page.workspace.users).find((u) => !u.deleted
      && [u.name, u.display_name.toLowerCase()].includes(name.toLowerCase()));
    return found ? `${space}<@${found.id}|${found.name}>` : match;
  });
}

function hintFill(usage) {
  const words = [];
  for (const word of usage.split(" ")) {
    if (!/^\/?[a-z]+$/.test(word)) break;
    words.push(word);
  }
  return `${words.join(" ")} `;
}

function drawHints() {
  const input = document.getElementById("composer-text");
  const list = document.getElementById("hints");
  const typed = input.value;
  const t = typed.trim();
  const fits = (hint) => {
    const fill = hintFill(hint.usage).trim();
    return fill.startsWith(t) || t.startsWith(`${fill} `) || t === fill;
  };
  const shown = t.startsWith("/") && !typed.includes("\n") ? page.workspace.hints.filter(fits) : [];
  list.hidden = shown.length === 0;
  list.replaceChildren(...shown.map((hint) => h("li", {},
    h("button", { className: "hint", onclick: () => { input.value = hintFill(hint.usage); input.focus(); drawHints(); } },
      h("code", {}, hint.usage), h("span", {}, hint.description)))));
}

async function send() {
  const input = document.getElementById("composer-text");
  const typed = input.value.trim();
  if (!typed) return;
  input.value = "";
  drawHints();
  await api("send", { channel: page.open, text: asSlackText(typed) });
}

// ---- navigation ----------------------------------------------------------------------------

function openConversation(id, tab) {
  page.open = id;
  page.tab = tab;
  const query = new URLSearchParams({ as: page.me, c: id, tab });
  history.replaceState(null, "", `?${query}`);
  if (tab === "home") api("home", {});
  document.getElementById("messages").dataset.seen = "";
  if (page.data) draw();
}

function becomePerson(id) {
  page.me = id;
  page.data = null;  // the previous person's view must not be drawn for this one
  page.forms.clear();
  page.errors.clear();
  page.drawn = {};
  page.workspace.bot_dm = `D${id.slice(1)}`;
  openConversation(page.workspace.bot_dm, "messages");
  refresh();
}

async function start() {
  page.workspace = await (await fetch("/local/api/workspace")).json();
  BlockKit.setDirectory(page.workspace.users, page.workspace.channels);
  const params = new URLSearchParams(location.search);
  const who = document.getElementById("who");
  for (const id of page.workspace.people) {
    const u = user(id);
    who.append(h("option", { value: id }, `${u.real_name}${id === page.workspace.lead_id ? " (lead)" : ""} · ${u.tz}`));
  }
  const me = page.workspace.people.includes(params.get("as")) ? params.get("as") : page.workspace.lead_id;
  who.value = me;
  who.addEventListener("change", () => becomePerson(who.value));
  page.me = me;
  page.workspace.bot_dm = `D${me.slice(1)}`;
  page.open = params.get("c") || page.workspace.bot_dm;
  page.tab = params.get("tab") === "home" ? "home" : "messages";
  if (page.tab === "home") api("home", {});
  const input = document.getElementById("composer-text");
  input.addEventListener("input", drawHints);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(); }
  });
  document.getElementById("send").addEventListener("click", send);
  document.getElementById("new-delegation").addEventListener("click", () => api("shortcut", {}));
  document.getElementById("jump-next").addEventListener("click", () => moveClock("next"));
  document.getElementById("plus-day").addEventListener("click", () => moveClock("day"));
  setInterval(() => page.data && drawClock(), 30000);
  listen();
  await refresh();
}

async function moveClock(move) {
  const answer = await api("clock", { move });
  await refresh();
  if (answer.ok) toast(answer.message);
  // Tests and people can tell a move has been fully drawn.
  document.body.dataset.moves = String(Number(document.body.dataset.moves || 0) + 1);
}

start();
