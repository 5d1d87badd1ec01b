/**
 * A small, pure command-line flag parser driven by a table of {@link FlagSpec}s, and the help
 * text rendered from the same table (so every flag is documented exactly once).
 *
 * Accepted forms: `--name value`, `--name=value`, `--flag` / `--no-flag` for booleans (when
 * negatable), `--` to end the flags. A flag taking a value always consumes the next argument, so
 * negative numbers work (`--jobs -1`). No Deno APIs here.
 *
 * @module
 */
import { UsageError } from "./errors.ts";

/** What kind of value a flag takes. */
export type FlagKind =
  | "boolean"
  | "string"
  | "number"
  | "integer"
  | "choice"
  | "list"
  | "numbers";

/** One flag of a command. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `"low-pass"`. */
  readonly name: string;
  /** Kind of value. */
  readonly kind: FlagKind;
  /** Placeholder of the value in help text, e.g. `"HZ"`. */
  readonly metavar?: string;
  /** Allowed values of a `"choice"` flag. */
  readonly choices?: readonly string[];
  /** A boolean flag that also accepts `--no-NAME`. */
  readonly negatable?: boolean;
  /**
   * A flag whose value is optional: bare `--name` means {@link FlagSpec.implicit}, a value needs
   * `--name=VALUE`.
   */
  readonly optionalValue?: boolean;
  /** Value of a bare optional-value flag. */
  readonly implicit?: string;
  /** Lower bound of a numeric value (inclusive unless `exclusiveMin`). */
  readonly min?: number;
  /** The lower bound is exclusive (value must be greater). */
  readonly exclusiveMin?: boolean;
  /** Extra accepted integer values outside the bounds (e.g. `-1` for "all cores"). */
  readonly special?: readonly number[];
  /** Required flag. */
  readonly required?: boolean;
  /** Default shown in help, e.g. `"5"`, `"none"`. */
  readonly defaultText?: string;
  /** Help text (units included). */
  readonly help: string;
  /** Heading under which the flag is listed in help. */
  readonly group?: string;
}

/** A parsed flag value. */
export type FlagValue = string | number | boolean | readonly string[] | readonly number[];

/** The result of {@link parseFlags}: flag values by name (only flags given) and positionals. */
export interface ParsedFlags {
  /** Values of the flags present on the command line, by long name. */
  readonly values: ReadonlyMap<string, FlagValue>;
  /** Positional arguments, in order. */
  readonly positionals: readonly string[];
}

function describeExpected(spec: FlagSpec): string {
  switch (spec.kind) {
    case "integer": {
      let s = spec.min === undefined
        ? "an integer"
        : spec.min === 0
        ? "a non-negative integer"
        : `an integer >= ${spec.min}`;
      if (spec.special?.length) s += ` (or ${spec.special.join(", ")})`;
      return s;
    }
    case "number":
      if (spec.min === 0 && spec.exclusiveMin) return "a positive number";
      if (spec.min === 0) return "a non-negative number";
      return spec.min === undefined ? "a number" : `a number >= ${spec.min}`;
    case "numbers":
      return "a number or comma-separated numbers";
    case "choice":
      return `one of ${spec.choices!.join(", ")}`;
    case "list":
      return "a comma-separated list";
    default:
      return "a value";
  }
}

function parseNumber(text: string, spec: FlagSpec, integer: boolean): number {
  const t = text.trim();
  const n = t === "" ? NaN : Number(t);
  const bad = () =>
    new UsageError(`--${spec.name}: expected ${describeExpected(spec)}, got "${text}"`);
  if (!Number.isFinite(n)) throw bad();
  if (integer && !Number.isInteger(n)) throw bad();
  if (spec.special?.includes(n)) return n;
  if (spec.min !== undefined && (spec.exclusiveMin ? n <= spec.min : n < spec.min)) throw bad();
  return n;
}

function parseValue(spec: FlagSpec, text: string): FlagValue {
  switch (spec.kind) {
    case "string":
      if (text === "") throw new UsageError(`--${spec.name}: expected a non-empty value`);
      return text;
    case "number":
      return parseNumber(text, spec, false);
    case "integer":
      return parseNumber(text, spec, true);
    case "numbers":
      return text.split(",").map((part) => parseNumber(part, spec, false));
    case "choice":
      if (!spec.choices!.includes(text)) {
        throw new UsageError(`--${spec.name}: expected ${describeExpected(spec)}, got "${text}"`);
      }
      return text;
    case "list": {
      const items = text.split(",").map((s) => s.trim());
      if (items.some((s) => s === "")) {
        throw new UsageError(
          `--${spec.name}: expected a comma-separated list without empty items, got "${text}"`,
        );
      }
      return items;
    }
    default:
      throw new UsageError(`--${spec.name} does not take a value`);
  }
}

/** Edit distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function unknownFlag(arg: string, specs: readonly FlagSpec[]): UsageError {
  const name = arg.replace(/^-+/, "").split("=")[0]!;
  let best: string | undefined;
  let bestD = Infinity;
  for (const s of specs) {
    for (const candidate of s.negatable ? [s.name, `no-${s.name}`] : [s.name]) {
      const d = distance(name, candidate);
      if (d < bestD) {
        bestD = d;
        best = candidate;
      }
    }
  }
  const hint = best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3))
    ? ` (did you mean --${best}?)`
    : "";
  return new UsageError(`unknown flag "${arg}"${hint}`);
}

/**
 * Parse command-line arguments against a flag table.
 *
 * @param args the arguments (after the subcommand).
 * @param specs the flags accepted.
 * @returns flag values (only those given; a repeated flag keeps its last value) and positionals.
 * @throws UsageError on an unknown flag, a missing value or a bad value, naming the flag.
 * @example
 * ```ts
 * import { parseFlags } from "./flags.ts";
 * const specs = [{ name: "t-r", kind: "number", min: 0, exclusiveMin: true, help: "TR (s)" }] as const;
 * const { values, positionals } = parseFlags(["--t-r", "2", "a.nii"], specs);
 * console.log(values.get("t-r"), positionals); // 2 ["a.nii"]
 * ```
 */
export function parseFlags(args: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, FlagValue>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith("--")) {
      throw new UsageError(
        `unknown flag "${arg}": niimask has long flags only (e.g. --help); ` +
          `a file name starting with "-" goes after "--"`,
      );
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    let spec = byName.get(name);
    if (spec === undefined && name.startsWith("no-")) {
      const positive = byName.get(name.slice(3));
      if (positive?.kind === "boolean" && positive.negatable) {
        if (inline !== undefined) throw new UsageError(`--${name} does not take a value`);
        values.set(positive.name, false);
        continue;
      }
    }
    if (spec === undefined) throw unknownFlag(arg, specs);
    if (spec.kind === "boolean") {
      if (inline !== undefined) {
        if (inline !== "true" && inline !== "false") {
          throw new UsageError(`--${name}: expected no value (or =true/=false), got "${inline}"`);
        }
        values.set(name, inline === "true");
      } else {
        values.set(name, true);
      }
      continue;
    }
    if (spec.optionalValue) {
      values.set(name, parseValue(spec, inline ?? spec.implicit ?? ""));
      continue;
    }
    let text = inline;
    if (text === undefined) {
      if (i + 1 >= args.length) {
        throw new UsageError(
          `--${name}: missing value (expected ${spec.metavar ?? describeExpected(spec)})`,
        );
      }
      const next = args[i + 1]!;
      if (next.startsWith("--") && next.length > 2) {
        // `--report --out DIR` would take "--out" as the report's name: say so instead.
        throw new UsageError(
          `--${name}: missing value (expected ${
            spec.metavar ?? describeExpected(spec)
          }), found the flag ${next} (write --${name}=VALUE for a value that starts with --)`,
        );
      }
      text = args[++i]!;
    }
    values.set(name, parseValue(spec, text));
    spec = undefined;
  }
  for (const s of specs) {
    if (s.required && !values.has(s.name)) throw new UsageError(`--${s.name} is required`);
  }
  return { values, positionals };
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/ +/)) {
      if (line !== "" && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line === "" ? word : `${line} ${word}`;
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * The usage form of one flag, e.g. `--low-pass HZ` or `--[no-]detrend`.
 *
 * @param spec the flag.
 * @returns its synopsis.
 * @example
 * ```ts
 * import { flagSynopsis } from "./flags.ts";
 * flagSynopsis({ name: "t-r", kind: "number", metavar: "S", help: "" }); // "--t-r S"
 * ```
 */
export function flagSynopsis(spec: FlagSpec): string {
  if (spec.kind === "boolean") return spec.negatable ? `--[no-]${spec.name}` : `--${spec.name}`;
  const meta = spec.metavar ??
    (spec.kind === "choice" ? spec.choices!.join("|") : spec.name.toUpperCase());
  return spec.optionalValue ? `--${spec.name}[=${meta}]` : `--${spec.name} ${meta}`;
}

/**
 * Help text listing flags (grouped by {@link FlagSpec.group}), each with its description, its
 * accepted values and its default.
 *
 * @param specs the flags.
 * @param width line width (default 100).
 * @returns the text (no trailing newline).
 * @example
 * ```ts
 * import { formatFlagHelp } from "./flags.ts";
 * console.log(formatFlagHelp([{ name: "detrend", kind: "boolean", help: "Remove linear trends.", defaultText: "off" }]));
 * ```
 */
export function formatFlagHelp(specs: readonly FlagSpec[], width = 100): string {
  const out: string[] = [];
  let group: string | undefined;
  const indent = "      ";
  for (const s of specs) {
    if (s.group !== group) {
      group = s.group;
      if (out.length > 0) out.push("");
      if (group !== undefined) out.push(`${group}:`);
    }
    out.push(`  ${flagSynopsis(s)}`);
    let help = s.help;
    if (s.kind === "choice" && !help.includes(s.choices!.join("|"))) {
      help += ` Values: ${s.choices!.join(", ")}.`;
    }
    if (s.required) help += " Required.";
    else if (s.defaultText !== undefined) {
      help += ` Default: ${s.defaultText}${s.defaultText.endsWith(".") ? "" : "."}`;
    }
    for (const line of wrap(help, width - indent.length)) out.push(indent + line);
  }
  return out.join("\n");
}
