// A searchable model picker: a text input with a listbox of suggestions (the ARIA 1.2 combobox
// pattern). Free text is allowed; the list only helps. Keys: ↓/↑ move, Enter picks, Esc closes.
import { el } from './util.js';

let uid = 0;

/**
 * @param input the <input> (it keeps its own <label>)
 * @param search (query) => [{ value, label?, detail? }] (already limited), or `{ items, more }`
 * @param onPick (value) => void, called when a suggestion is picked
 */
export function combobox(input, { search, onPick = () => {} }) {
  const id = `combo-${++uid}`;
  const list = el('ul', { id: `${id}-list`, role: 'listbox', className: 'combo-list', 'aria-label': 'Suggestions' });
  const more = el('div', { className: 'combo-more', 'aria-hidden': 'true' });
  const pop = el('div', { className: 'combo-pop', hidden: true }, list, more);
  input.after(pop);
  input.parentElement.classList.add('combo');
  Object.entries({ role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': list.id, autocomplete: 'off' })
    .forEach(([k, v]) => input.setAttribute(k, v));
  let items = [];
  let active = -1;

  function open(query) {
    const found = search(query);
    items = Array.isArray(found) ? found : found.items;
    const extra = Array.isArray(found) ? 0 : found.more;
    list.replaceChildren(...items.map((it, i) => el('li', { id: `${id}-${i}`, role: 'option', 'aria-selected': 'false', dataset: { i } },
      el('span', { className: 'combo-value' }, it.label ?? it.value), it.detail ? el('span', { className: 'combo-detail' }, it.detail) : null)));
    more.textContent = extra > 0 ? `${extra} more — keep typing to narrow` : items.length ? '' : 'No match (any model name works)';
    pop.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    setActive(-1);
  }

  function close() {
    pop.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function setActive(i) {
    list.children[active]?.setAttribute('aria-selected', 'false');
    active = i;
    const li = list.children[i];
    if (li) {
      li.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function pick(i) {
    const it = items[i];
    if (!it) return;
    input.value = it.value;
    close();
    onPick(it.value);
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }

  input.addEventListener('input', () => open(input.value));
  input.addEventListener('click', () => (pop.hidden ? open('') : close()));
  input.addEventListener('blur', () => setTimeout(close, 120));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (pop.hidden) return open(input.value);
      const n = items.length;
      if (n) setActive(e.key === 'ArrowDown' ? (active + 1) % n : (active - 1 + n) % n);
    } else if (e.key === 'Enter' && !pop.hidden && active >= 0) {
      e.preventDefault();
      pick(active);
    } else if (e.key === 'Escape' && !pop.hidden) {
      e.preventDefault();
      close();
    }
  });
  // mousedown, not click: the input must not lose focus first
  list.addEventListener('mousedown', (e) => {
    const li = e.target.closest('li');
    if (!li) return;
    e.preventDefault();
    pick(Number(li.dataset.i));
  });
  return { close };
}

/**
 * A search over `entries` ({ value, label?, detail?, text }) for `combobox`: every word of the
 * query must occur; names starting with the query come first; at most `limit` suggestions.
 * `initial`: the suggestions for an empty query (e.g. popular models).
 */
export function searcher(entries, { limit = 40, initial = null } = {}) {
  return (query) => {
    const q = query.trim().toLowerCase();
    if (!q && initial) return { items: initial, more: entries.length - initial.length };
    const words = q.split(/\s+/).filter(Boolean);
    const starts = [], contains = [];
    for (const e of entries) {
      if (!words.every((w) => e.text.includes(w))) continue;
      (q && e.value.toLowerCase().startsWith(q) ? starts : contains).push(e);
    }
    const all = starts.concat(contains);
    return { items: all.slice(0, limit), more: Math.max(0, all.length - limit) };
  };
}
