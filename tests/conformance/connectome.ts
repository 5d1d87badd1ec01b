/**
 * Connectome cases (`connectome/`, FUNCTIONS.md "Connectome cases"): `ConnectivityMeasure`,
 * `sym_matrix_to_vec`, `vec_to_sym_matrix`.
 *
 * @module
 */
import type { Check } from "./compare.ts";

/** A parsed connectome case. */
export interface ConnectomeCase {
  readonly name: string;
  readonly function: string;
  readonly args: Record<string, unknown>;
  readonly expect: unknown;
  readonly tolerance: { rtol: number; atol: number };
}

/** Run one connectome case folder. */
export function runConnectomeCase(_dir: string, c: ConnectomeCase): Promise<Check> {
  return Promise.resolve({ ok: false, reason: `${c.function} is not implemented yet` });
}
