// Settings a runtime entry point installs for api.js (internal: not re-exported).

/** The default transport when the caller passes no `fetch` (node.js installs node:http's);
 * null: the global `fetch`. */
export const runtime = { fetch: null };
