/**
 * `deno task niimask ...` runs in the folder of deno.json, not where the user typed the command;
 * Deno sets `INIT_CWD` to the latter. The task marks itself with `NIIMASK_DENO_TASK=1`, so that
 * relative paths are resolved against the user's folder there, and only there (a stale `INIT_CWD`
 * inherited from another tool is ignored when niimask is not run through its task). Deno keeps an
 * `INIT_CWD` already in the environment, so a task started from inside another npm/deno task
 * resolves against that outer task's folder. Pure.
 *
 * @module
 */

/**
 * The folder to change to before running the command line, or null to stay.
 *
 * @param env the environment (e.g. `Deno.env.toObject()`).
 * @param cwd the current folder.
 * @returns the user's folder when run through the `niimask` task and it differs, else null.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskWorkingDirectory } from "./task_cwd.ts";
 * assert.equal(taskWorkingDirectory({ NIIMASK_DENO_TASK: "1", INIT_CWD: "/home/me" }, "/repo"), "/home/me");
 * assert.equal(taskWorkingDirectory({ INIT_CWD: "/home/me" }, "/repo"), null);
 * ```
 */
export function taskWorkingDirectory(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string | null {
  const init = env.INIT_CWD;
  if (env.NIIMASK_DENO_TASK !== "1" || init === undefined || init === "" || init === cwd) {
    return null;
  }
  return init;
}
