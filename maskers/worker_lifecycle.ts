/**
 * Starting and ending the subject pool's web workers: whether a worker can start at all (its
 * modules must be readable), and a worker that ends itself saying so first.
 *
 * Web workers load niimask's modules again, under the process's permissions: in Deno they need
 * read access to the folder holding niimask's modules (`--allow-read`, or
 * `--allow-read=<that folder>,<data folders>`), or net access to its host when niimask is
 * imported over HTTPS. Without it the pool extracts in this thread, with one warning.
 *
 * @module
 */

/** The folder holding niimask's modules (its package root). */
export const MODULES_ROOT: URL = new URL("../", import.meta.url);

interface PermissionsLike {
  querySync?(desc: { name: string; path?: string | URL; host?: string }): { state: string };
}

/**
 * Why web workers of `moduleUrl` cannot start here, or null when they can (as far as can be
 * known before starting one): no `Worker` in this runtime, or Deno permissions that do not
 * grant reading the modules (a prompt counts as not granted: a worker would ask once per
 * module).
 *
 * @param moduleUrl the worker's module.
 * @param root the folder of every module the worker loads (default: niimask's package root).
 * @returns the reason, or null.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workerStartProblem } from "./worker_lifecycle.ts";
 * const url = new URL("./extract_worker.ts", import.meta.url);
 * const granted = Deno.permissions.querySync({ name: "read", path: new URL("../", url) });
 * assert.equal(workerStartProblem(url) === null, granted.state === "granted");
 * ```
 */
export function workerStartProblem(moduleUrl: URL, root: URL = MODULES_ROOT): string | null {
  if (typeof Worker === "undefined") return "web workers are not available in this runtime";
  const perms = (globalThis as { Deno?: { permissions?: PermissionsLike } }).Deno?.permissions;
  if (perms?.querySync === undefined) return null;
  let state: string;
  let need: string;
  if (moduleUrl.protocol === "file:") {
    const dir = decodeURIComponent(root.pathname);
    state = perms.querySync({ name: "read", path: root }).state;
    need = `read access to niimask's modules (${dir}; e.g. --allow-read=${dir},<data folders>)`;
  } else if (moduleUrl.protocol === "http:" || moduleUrl.protocol === "https:") {
    state = perms.querySync({ name: "net", host: moduleUrl.host }).state;
    need = `net access to ${moduleUrl.host}, where niimask's modules are (--allow-net)`;
  } else {
    return null;
  }
  return state === "granted" ? null : `web workers need ${need}, which is not granted`;
}

/**
 * The warning of a pool that extracts in this thread because its workers cannot start.
 *
 * @param reason why the workers cannot start.
 * @returns the warning text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inThreadWarning } from "./worker_lifecycle.ts";
 * assert.match(inThreadWarning("no workers here"), /^nJobs > 1: no workers here; extracting/);
 * ```
 */
export function inThreadWarning(reason: string): string {
  return `nJobs > 1: ${reason}; extracting the subjects in this thread instead (same results)`;
}

/**
 * In a worker: make `self.close()` and `Deno.exit()` post `{ kind: "exit" }` before ending the
 * worker, so the pool learns that a subject will never be answered (the host gets no event for
 * a worker that ends itself).
 *
 * @param post posts a message to the pool.
 * @example
 * ```ts ignore
 * // In the worker module, once its message handler is installed:
 * announceExit((msg) => self.postMessage(msg));
 * ```
 */
export function announceExit(post: (msg: { kind: "exit"; how: string }) => void): void {
  const scope = globalThis as unknown as { close?: () => void };
  const close = scope.close;
  if (typeof close === "function") {
    scope.close = () => {
      post({ kind: "exit", how: "self.close()" });
      close.call(globalThis);
    };
  }
  const deno = (globalThis as { Deno?: { exit?: (code?: number) => never } }).Deno;
  const exit = deno?.exit;
  if (deno !== undefined && typeof exit === "function") {
    deno.exit = (code?: number): never => {
      post({ kind: "exit", how: `Deno.exit(${code ?? ""})` });
      return exit.call(deno, code);
    };
  }
}
