/**
 * nilearn's snake_case argument names to niimask's camelCase option names.
 *
 * @module
 */

/** snake_case to camelCase; `__` counts as one separator (`butterworth__order` → `butterworthOrder`, `t_r` → `tR`). */
export function snakeToCamel(key: string): string {
  return key.split("_").filter((p) => p !== "").map((p, i) =>
    i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1)
  ).join("");
}
