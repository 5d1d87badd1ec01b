/**
 * The toolkit version, from deno.json. Imported as a JSON module so that `deno compile` bundles
 * it: nothing is read relative to the source tree at run time.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };

/** niimask's version (deno.json `version`). */
export const VERSION: string = String((denoJson as { version?: unknown }).version ?? "unknown");
