// The workerd config of a bundled Worker, shared by tests/support/runtimes.mjs and
// benches/runtimes.mjs: the modules embedded from `dir` (the first one is the main module),
// served on 127.0.0.1:port, its fetches sent through a network service that may reach local
// addresses (the mocks listen on 127.0.0.1). Writes dir/config.capnp and returns its path.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** modules: [name, kind] pairs, kind `esModule` or `wasm`. */
export function writeWorkerdConfig(dir, port, modules) {
  const file = path.join(dir, 'config.capnp');
  writeFileSync(file, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
${modules.map(([name, kind]) => `    (name = "${name}", ${kind} = embed "${name}"),`).join('\n')}
  ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "internet",
);
`);
  return file;
}
