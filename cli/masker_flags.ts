/**
 * The command-line flags of the masker parameters, taken from the parameter table
 * (`maskers/param_table.ts`): their place in a command's help, and the translation of parsed
 * flag values into a masker configuration. Pure.
 *
 * @module
 */
import type { MultiMapsMaskerConfig } from "../maskers/types.ts";
import { MASKER_PARAMS, type MaskerFlag, type MaskerFlagGroup } from "../maskers/param_table.ts";
import type { FlagSpec, FlagValue } from "./flags.ts";

/** A masker configuration as the commands build it (maps and mask are the commands' inputs). */
export type MaskerFlagsConfig = Omit<MultiMapsMaskerConfig, "mapsImg" | "maskImg">;

/** Every masker flag, with the parameter it sets, in the table's order. */
export const MASKER_FLAGS: readonly (MaskerFlag & { readonly param: string })[] = MASKER_PARAMS
  .flatMap((p) => p.flags.map((f: MaskerFlag) => ({ ...f, param: p.name })));

/**
 * A command's flags in help order: `layout` lists the command's own flags and, by name, where
 * the masker flags go; a masker flag the layout does not place is listed after the last flag of
 * its group (so a new parameter needs no edit here). Group keys become the command's headings.
 *
 * @param layout the command's flags and masker flag names, in help order.
 * @param headings the heading of each masker flag group.
 * @returns the full flag table.
 * @throws Error when the layout names a flag the parameter table does not declare.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layoutFlags } from "./masker_flags.ts";
 * const headings = { confounds: "C", signal: "S", clean: "F", maps: "M", run: "R" };
 * const flags = layoutFlags(["t-r"], headings);
 * assert.equal(flags[0]?.name, "t-r");
 * assert.equal(flags[0]?.group, "S");
 * assert.ok(flags.some((f) => f.name === "low-pass"));
 * ```
 */
export function layoutFlags(
  layout: readonly (FlagSpec | string)[],
  headings: Readonly<Record<MaskerFlagGroup, string>>,
): FlagSpec[] {
  const byName = new Map(MASKER_FLAGS.map((f) => [f.spec.name, f.spec]));
  const placed = new Set<string>();
  const out: FlagSpec[] = layout.map((item) => {
    if (typeof item !== "string") return item;
    const spec = byName.get(item);
    if (spec === undefined) throw new Error(`no masker parameter has the flag --${item}`);
    placed.add(item);
    return { ...spec, group: headings[spec.group] };
  });
  for (const { spec } of MASKER_FLAGS) {
    if (placed.has(spec.name)) continue;
    const group = headings[spec.group];
    const last = out.findLastIndex((s) => s.group === group);
    out.splice(last < 0 ? out.length : last + 1, 0, { ...spec, group });
  }
  return out;
}

/**
 * The masker configuration (minus maps and mask) selected by parsed flags: only the parameters
 * given on the command line are set (and those a flag's absence sets, such as `reports`).
 *
 * @param v parsed flag values.
 * @returns the partial masker configuration.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maskerConfigFromFlags } from "./masker_flags.ts";
 * const values = new Map<string, string | number>([["t-r", 2], ["filter", "cosine"]]);
 * assert.deepEqual(maskerConfigFromFlags(values), {
 *   tR: 2,
 *   reports: false,
 *   clean: { filter: "cosine" },
 * });
 * ```
 */
export function maskerConfigFromFlags(v: ReadonlyMap<string, FlagValue>): MaskerFlagsConfig {
  const c: Record<string, unknown> = {};
  const clean: Record<string, unknown> = {};
  for (const flag of MASKER_FLAGS) {
    const given = v.get(flag.spec.name);
    const value = given === undefined ? flag.whenAbsent?.(v) : flag.read ? flag.read(given) : given;
    if (value === undefined) continue;
    if (flag.cleanKey !== undefined) clean[flag.cleanKey] = value;
    else c[flag.param] = value;
  }
  if (Object.keys(clean).length > 0) c.clean = clean;
  return c as MaskerFlagsConfig;
}
