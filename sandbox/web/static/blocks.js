// Block Kit and mrkdwn, rendered to DOM nodes the way Slack's client shows them.
//
// render(blocks, ctx) draws a list of blocks. ctx says where they live and what a person's
// input does: ctx.act(element, blockId, value) for an interaction Slack would send at once,
// ctx.form (a Map "blockId/actionId" -> value) for inputs kept until a modal is submitted,
// ctx.errors ({blockId: message}) for inline errors, ctx.users and ctx.channels for pickers.
"use strict";

const BlockKit = (() => {
  const EMOJI = {
    white_check_mark: "✅", warning: "⚠️", rotating_light: "🚨", palm_tree: "🌴",
    bar_chart: "📊", zzz: "💤", white_large_square: "⬜", white_circle: "⚪", tada: "🎉",
    speech_balloon: "💬", sparkles: "✨", red_circle: "🔴", memo: "📝",
    mailbox_with_no_mail: "📭", leftwards_arrow_with_hook: "↩️", large_red_square: "🟥",
    large_orange_square: "🟧", large_orange_circle: "🟠", large_green_square: "🟩",
    large_green_circle: "🟢", hourglass: "⌛", clap: "👏", ballot_box_with_check: "☑️",
    wave: "👋", calendar: "📅", x: "❌", heavy_check_mark: "✔️", bell: "🔔", star: "⭐",
  };
  let directory = { users: {}, channels: [] };

  function setDirectory(users, channels) { directory = { users, channels }; }

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  // Slack escapes &, < and > in message text; the client shows them as typed.
  const decode = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const emojify = (s) => s.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] || m);

  function userName(id) {
    const user = directory.users[id];
    return user ? (user.display_name || user.name) : id;
  }

  function channelName(id) {
    const channel = directory.channels.find((c) => c.id === id);
    return channel ? channel.name : id;
  }

  // One <...> token: a mention, a channel, a special mention or a link.
  function angle(inner) {
    const bar = inner.indexOf("|");
    const target = bar < 0 ? inner : inner.slice(0, bar);
    const label = bar < 0 ? "" : inner.slice(bar + 1);
    if (target.startsWith("@")) {
      return `<span class="mention">@${escapeHtml(userName(target.slice(1)))}</span>`;
    }
    if (target.startsWith("#")) {
      return `<span class="mention">#${escapeHtml(label || channelName(target.slice(1)))}</span>`;
    }
    if (target.startsWith("!")) {
      const word = target.slice(1).split("^")[0];
      if (["channel", "here", "everyone"].includes(word)) {
        return `<span class="mention">@${word}</span>`;
      }
      return escapeHtml(decode(label || word));
    }
    const url = decode(target);
    if (!/^(https?:|mailto:)/i.test(url)) return escapeHtml(decode(inner));
    const text = label ? styled(escapeHtml(emojify(decode(label)))) : escapeHtml(url);
    return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${text}</a>`;
  }

  // Bold, italic and strike: delimiters must sit at word edges, as in Slack.
  function styled(html) {
    return html
      .replace(/(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])/g, "<b>$1</b>")
      .replace(/(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])/g, "<i>$1</i>")
      .replace(/(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])/g, "<s>$1</s>");
  }

  // A line of mrkdwn: code spans and <...> tokens are set aside, the rest is styled.
  function inline(line) {
    const kept = [];
    const keep = (html) => `\u0000${kept.push(html) - 1}\u0000`;
    let text = line.replace(/`([^`\n]+)`/g, (m, code) => keep(`<code>${escapeHtml(decode(code))}</code>`));
    text = text.replace(/<([^<>\u0000]+)>/g, (m, inner) => keep(angle(inner)));
    const html = styled(escapeHtml(emojify(decode(text))));
    return html.replace(/\u0000(\d+)\u0000/g, (m, i) => kept[Number(i)]);
  }

  function mrkdwnHtml(text) {
    return String(text).split("```").map((part, index) => {
      if (index % 2) return `<pre>${escapeHtml(decode(part.replace(/^\n/, "")))}</pre>`;
      const out = [];
      let quote = [];
      const flush = () => {
        if (quote.length) out.push(`<blockquote>${quote.join("<br>")}</blockquote>`);
        quote = [];
      };
      part.split("\n").forEach((line, i, lines) => {
        const quoted = /^(?:>|&gt;) ?(.*)$/.exec(line);
        if (quoted) { quote.push(inline(quoted[1])); return; }
        flush();
        out.push(inline(line) + (i < lines.length - 1 ? "<br>" : ""));
      });
      flush();
      return out.join("");
    }).join("");
  }

  function mrkdwn(text) {
    const span = h("span", { className: "mrkdwn" });
    span.innerHTML = mrkdwnHtml(text || "");
    return span;
  }

  function textObject(obj) {
    if (!obj) return h("span");
    if (obj.type === "mrkdwn") return mrkdwn(obj.text);
    return h("span", { className: "plain" }, obj.emoji === false ? obj.text : emojify(obj.text));
  }

  const plain = (obj) => (obj ? emojify(obj.text || "") : "");

  // ---- elements --------------------------------------------------------------------------

  function options(element) {
    const all = [...(element.options || [])];
    for (const group of element.option_groups || []) all.push(...(group.options || []));
    return all;
  }

  // The element's current value: what the person set, else its initial value.
  function current(element, blockId, ctx) {
    const key = `${blockId}/${element.action_id}`;
    if (ctx.form && ctx.form.has(key)) return ctx.form.get(key);
    switch (element.type) {
      case "static_select": case "radio_buttons":
        return element.initial_option ? element.initial_option.value : null;
      case "multi_static_select": case "checkboxes":
        return (element.initial_options || []).map((o) => o.value);
      case "users_select": return element.initial_user || null;
      case "multi_users_select": return element.initial_users || [];
      case "conversations_select": return element.initial_conversation || null;
      case "channels_select": return element.initial_channel || null;
      case "datepicker": return element.initial_date || null;
      case "timepicker": return element.initial_time || null;
      default: return element.initial_value ?? null;
    }
  }

  // A change: kept in the form inside input blocks, sent at once elsewhere.
  function changed(element, blockId, ctx, value, dispatch) {
    if (ctx.form) ctx.form.set(`${blockId}/${element.action_id}`, value);
    if (dispatch) ctx.act(element, blockId, value);
  }

  function withConfirm(confirm, go) {
    if (!confirm) { go(); return; }
    const close = () => overlay.remove();
    const overlay = h("div", { className: "confirm-overlay", role: "dialog", "aria-modal": "true" },
      h("div", { className: "confirm" },
        h("h3", {}, plain(confirm.title) || "Are you sure?"),
        h("div", { className: "confirm-text" }, textObject(confirm.text)),
        h("div", { className: "confirm-buttons" },
          h("button", { className: "bk-button", onclick: close }, plain(confirm.deny) || "Cancel"),
          h("button", {
            className: `bk-button ${confirm.style === "danger" ? "danger" : "primary"}`,
            onclick: () => { close(); go(); },
          }, plain(confirm.confirm) || "Yes"))));
    document.body.append(overlay);
  }

  function selectBox(element, blockId, ctx, dispatch, choices, multiple) {
    const value = current(element, blockId, ctx);
    const chosen = new Set(multiple ? value || [] : value ? [value] : []);
    const select = h("select", {
      className: "bk-select", multiple, "data-action-id": element.action_id,
      "aria-label": plain(element.placeholder) || element.action_id,
    });
    if (!multiple) select.append(h("option", { value: "" }, plain(element.placeholder) || "Select…"));
    const add = (parent, option) => parent.append(
      h("option", { value: option.value, selected: chosen.has(option.value) }, option.label));
    if (element.option_groups) {
      for (const group of element.option_groups) {
        const node = h("optgroup", { label: plain(group.label) });
        for (const o of group.options) add(node, { value: o.value, label: plain(o.text) });
        select.append(node);
      }
    } else {
      for (const choice of choices) add(select, choice);
    }
    select.addEventListener("change", () => {
      const picked = [...select.selectedOptions].map((o) => o.value).filter((v) => v !== "");
      changed(element, blockId, ctx, multiple ? picked : picked[0] || null, dispatch);
    });
    return select;
  }

  const people = () => Object.values(directory.users)
    .filter((u) => !u.deleted && u.id !== "USLACKBOT")
    .map((u) => ({ value: u.id, label: u.real_name }));

  function element(element, blockId, ctx, dispatch) {
    const id = element.action_id;
    switch (element.type) {
      case "button": {
        const style = element.style ? ` ${element.style}` : "";
        return h("button", {
          className: `bk-button${style}`, "data-action-id": id, "data-value": element.value,
          onclick: () => withConfirm(element.confirm, () => {
            if (element.url) window.open(element.url, "_blank", "noopener");
            ctx.act(element, blockId, element.value ?? null);
          }),
        }, plain(element.text));
      }
      case "overflow": {
        const menu = h("div", { className: "bk-overflow-menu", hidden: true },
          options(element).map((o) => h("button", {
            className: "bk-overflow-item", "data-value": o.value,
            onclick: () => {
              menu.hidden = true;
              withConfirm(element.confirm, () => ctx.act(element, blockId, o.value));
            },
          }, plain(o.text))));
        return h("span", { className: "bk-overflow", "data-action-id": id },
          h("button", { className: "bk-button bk-overflow-toggle", "aria-label": "More options",
            onclick: () => { menu.hidden = !menu.hidden; } }, "⋯"), menu);
      }
      case "static_select": case "multi_static_select":
        return selectBox(element, blockId, ctx, dispatch,
          options(element).map((o) => ({ value: o.value, label: plain(o.text) })),
          element.type.startsWith("multi"));
      case "users_select": case "multi_users_select":
        return selectBox(element, blockId, ctx, dispatch, people(), element.type.startsWith("multi"));
      case "conversations_select": case "channels_select":
      case "multi_conversations_select": case "multi_channels_select":
        return selectBox(element, blockId, ctx, dispatch,
          directory.channels.map((c) => ({ value: c.id, label: `#${c.name}` })),
          element.type.startsWith("multi"));
      case "datepicker": case "timepicker": {
        const input = h("input", {
          type: element.type === "datepicker" ? "date" : "time", className: "bk-input",
          "data-action-id": id, value: current(element, blockId, ctx) || "",
          "aria-label": plain(element.placeholder) || id,
        });
        input.addEventListener("change", () => changed(element, blockId, ctx, input.value || null, dispatch));
        return input;
      }
      case "checkboxes": case "radio_buttons": {
        const multiple = element.type === "checkboxes";
        const value = current(element, blockId, ctx);
        const chosen = new Set(multiple ? value || [] : value ? [value] : []);
        const name = `${blockId}-${id}-${Math.random().toString(36).slice(2)}`;
        const group = h("div", { className: `bk-${element.type}`, "data-action-id": id, role: "group" });
        for (const o of options(element)) {
          const box = h("input", { type: multiple ? "checkbox" : "radio", name, value: o.value,
            checked: chosen.has(o.value) });
          box.addEventListener("change", () => {
            const picked = [...group.querySelectorAll("input")].filter((b) => b.checked).map((b) => b.value);
            changed(element, blockId, ctx, multiple ? picked : picked[0] || null, dispatch);
          });
          group.append(h("label", { className: "bk-choice" }, box,
            h("span", {}, textObject(o.text), o.description ? h("small", {}, textObject(o.description)) : null)));
        }
        return group;
      }
      case "plain_text_input": case "url_text_input": case "email_text_input": case "number_input": {
        const multiline = element.type === "plain_text_input" && element.multiline;
        const type = { url_text_input: "url", email_text_input: "email", number_input: "number" }[element.type] || "text";
        const input = h(multiline ? "textarea" : "input", {
          className: "bk-input", type: multiline ? null : type, "data-action-id": id,
          placeholder: plain(element.placeholder) || null,
          maxlength: element.max_length || null,
          min: element.min_value ?? null, max: element.max_value ?? null,
          step: element.type === "number_input" ? (element.is_decimal_allowed ? "any" : "1") : null,
          rows: multiline ? 3 : null,
        });
        input.value = current(element, blockId, ctx) ?? "";
        input.addEventListener("input", () => changed(element, blockId, ctx, input.value === "" ? null : input.value, false));
        if (dispatch) input.addEventListener("change", () => ctx.act(element, blockId, input.value));
        return input;
      }
      case "image":
        return h("img", { className: "bk-image-element", src: element.image_url, alt: element.alt_text });
      default:
        return h("span", { className: "bk-unknown" }, `[${element.type}]`);
    }
  }

  // ---- blocks ----------------------------------------------------------------------------

  function block(b, ctx) {
    const id = b.block_id;
    switch (b.type) {
      case "header":
        return h("div", { className: "bk-header", "data-block": "header" }, textObject(b.text));
      case "divider":
        return h("hr", { className: "bk-divider", "data-block": "divider" });
      case "section":
        return h("div", { className: "bk-section", "data-block": "section", "data-block-id": id },
          h("div", { className: "bk-section-main" },
            b.text ? h("div", { className: "bk-section-text" }, textObject(b.text)) : null,
            b.fields ? h("div", { className: "bk-fields" }, b.fields.map((f) => h("div", { className: "bk-field" }, textObject(f)))) : null),
          b.accessory ? h("div", { className: "bk-accessory" }, element(b.accessory, id, ctx, true)) : null);
      case "context":
        return h("div", { className: "bk-context", "data-block": "context" },
          (b.elements || []).map((e) => (e.type === "image"
            ? h("img", { className: "bk-context-image", src: e.image_url, alt: e.alt_text })
            : textObject(e))));
      case "image":
        return h("figure", { className: "bk-image", "data-block": "image" },
          b.title ? h("figcaption", {}, textObject(b.title)) : null,
          h("img", { src: b.image_url, alt: b.alt_text }));
      case "actions":
        return h("div", { className: "bk-actions", "data-block": "actions", "data-block-id": id },
          (b.elements || []).map((e) => element(e, id, ctx, true)));
      case "input": {
        const error = ctx.errors && ctx.errors[id];
        const control = element(b.element, id, ctx, Boolean(b.dispatch_action));
        control.setAttribute("aria-label", plain(b.label));
        return h("div", { className: `bk-input-block${error ? " has-error" : ""}`, "data-block": "input", "data-block-id": id },
          h("label", { className: "bk-label" }, plain(b.label), b.optional ? h("span", { className: "bk-optional" }, " (optional)") : null),
          control,
          b.hint ? h("div", { className: "bk-hint" }, textObject(b.hint)) : null,
          error ? h("div", { className: "bk-error", role: "alert" }, error) : null);
      }
      case "rich_text":
        return h("div", { className: "bk-rich-text", "data-block": "rich_text" },
          (b.elements || []).map((s) => h("p", {}, (s.elements || []).map((e) => e.text || ""))));
      default:
        return h("div", { className: "bk-unknown", "data-block": b.type }, `[unsupported block: ${b.type}]`);
    }
  }

  function render(blocks, ctx) {
    return h("div", { className: "bk-blocks" }, (blocks || []).map((b) => block(b, ctx)));
  }

  return { render, mrkdwn, textObject, plain, h, setDirectory, withConfirm, escapeHtml };
})();
