/**
 * The warnings a masker keeps for its report: raised at fit (and by its resampling cache, at fit
 * or at a later transform) and by transforms, each kept once, in order.
 *
 * @module
 */

/** The warnings of one fitted masker, each once, in the order raised. */
export class MaskerWarnings {
  readonly #list: string[] = [];
  readonly #seen = new Set<string>();

  /**
   * Keep `message` unless it was kept already.
   *
   * @param message the warning.
   * @returns true when it is new.
   */
  add(message: string): boolean {
    if (this.#seen.has(message)) return false;
    this.#seen.add(message);
    this.#list.push(message);
    return true;
  }

  /** The warnings so far (a copy). */
  list(): string[] {
    return [...this.#list];
  }
}
