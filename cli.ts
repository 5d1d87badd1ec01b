/**
 * The `niimask` command-line entry point: `deno task niimask extract ...`, or the binary built by
 * `deno task compile`. See `cli/main.ts` and `niimask --help`.
 *
 * @module
 */
import { main } from "./cli/main.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
