// Internals shared by api.js and the runtime entry points (not re-exported): the settings an
// entry point installs, and small helpers both sides need.

/** The default transport when the caller passes no `fetch` (node.js installs node:http's);
 * null: the global `fetch`. */
export const runtime = { fetch: null };

/** The `[name, value]` pairs of a `HeadersInit`: a `Headers`, an array of pairs, or a record. */
export function headerEntries(init) {
  if (Array.isArray(init)) return init;
  if (typeof init.entries === 'function' && typeof init.forEach === 'function') return init.entries();
  return Object.entries(init);
}
