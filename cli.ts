/**
 * The `niimask` command-line entry point: `deno task niimask extract ...`, or the binary built by
 * `deno task compile`. See `cli/main.ts` and `niimask --help`.
 *
 * @module
 */
import { main } from "./cli/main.ts";
import { taskWorkingDirectory } from "./cli/task_cwd.ts";

if (import.meta.main) {
  // Through `deno task niimask`, relative paths are the user's, not the repository's.
  const userDir = taskWorkingDirectory(Deno.env.toObject(), Deno.cwd());
  if (userDir !== null) Deno.chdir(userDir);
  Deno.exit(await main(Deno.args));
}
