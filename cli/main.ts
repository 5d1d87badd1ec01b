/**
 * The `niimask` command: subcommand dispatch, exit codes, signal handling.
 *
 * To add a subcommand, append a {@link Command} to {@link COMMANDS}.
 *
 * @module
 */
import { errorMessage, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError } from "./errors.ts";
import { parseExtractArgs } from "./extract_args.ts";
import { runExtract } from "./extract.ts";
import { statusCommand } from "./status.ts";
import { groupCommand } from "./group.ts";
import { bidsHelp, parseBidsArgs } from "./bids_args.ts";
import { runBids } from "./bids.ts";
import { confoundsStrategyLoader } from "./bids_confounds.ts";
import { extractHelp, mainHelp } from "./help.ts";
import { writeStderr } from "./io.ts";
import { VERSION } from "./version.ts";
import { withFlagNames } from "./flag_names.ts";

/** What a subcommand gets besides its arguments. */
export interface CommandContext {
  /** Aborted on SIGINT (Ctrl-C) or SIGTERM. */
  readonly signal: AbortSignal;
  /** stderr is a terminal. */
  readonly isTerminal: boolean;
  /** Writes to stdout. */
  readonly stdout: (text: string) => void;
  /** Writes to stderr. */
  readonly stderr: (text: string) => void;
}

/** A subcommand. */
export interface Command {
  /** Its name (`niimask <name> ...`). */
  readonly name: string;
  /** One-line description for the top-level help. */
  readonly summary: string;
  /** Runs it; resolves to the exit status. Throws {@link UsageError} for a bad command line. */
  run(args: readonly string[], ctx: CommandContext): Promise<number>;
}

/** The `extract` subcommand. */
export const extractCommand: Command = {
  name: "extract",
  summary: "Extract map time series from images into BIDS-derivatives TSV/JSON files.",
  run(args, ctx) {
    const opts = parseExtractArgs(args);
    if ("help" in opts) {
      ctx.stdout(extractHelp());
      return Promise.resolve(EXIT_OK);
    }
    return runExtract(opts, { signal: ctx.signal, isTerminal: ctx.isTerminal, write: ctx.stderr });
  },
};

/** The `bids` subcommand (BIDS App over an fMRIPrep folder). */
export const bidsCommand: Command = {
  name: "bids",
  summary: "BIDS App: denoised map time series of every run of an fMRIPrep folder.",
  run(args, ctx) {
    const opts = parseBidsArgs(args);
    if ("help" in opts) {
      ctx.stdout(bidsHelp());
      return Promise.resolve(EXIT_OK);
    }
    const loader = confoundsStrategyLoader((line) => {
      if (!opts.quiet) ctx.stderr(`niimask: warning: ${line}\n`);
    });
    return runBids(
      opts,
      { signal: ctx.signal, isTerminal: ctx.isTerminal, write: ctx.stderr },
      loader,
    );
  },
};

/** Every subcommand, in help order. */
export const COMMANDS: Command[] = [extractCommand, bidsCommand, statusCommand, groupCommand];

const encoder = new TextEncoder();

function writeStdout(text: string): void {
  const bytes = encoder.encode(text);
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/**
 * Run the command line and return the exit status (does not exit). SIGINT/SIGTERM abort the
 * running command cleanly; a second signal exits at once.
 *
 * @param args `Deno.args`.
 * @returns the exit status.
 * @example
 * ```ts ignore
 * Deno.exit(await main(Deno.args));
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  const first = args[0];
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const topic = first === "help" ? args[1] : undefined;
    if (topic === "extract") writeStdout(extractHelp());
    else if (topic !== undefined && !COMMANDS.some((c) => c.name === topic)) {
      writeStderr(`niimask: unknown command "${topic}"\n`);
      return EXIT_USAGE;
    } else if (topic !== undefined) {
      return COMMANDS.find((c) => c.name === topic)!.run(
        ["--help"],
        context(new AbortController()),
      );
    } else {
      writeStdout(mainHelp(VERSION, COMMANDS));
    }
    if (first === undefined) {
      writeStderr("niimask: no command given\n");
      return EXIT_USAGE;
    }
    return EXIT_OK;
  }
  if (first === "--version" || first === "-V") {
    writeStdout(`niimask ${VERSION}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) {
    writeStderr(
      `niimask: unknown command "${first}" (commands: ${
        COMMANDS.map((c) => c.name).join(", ")
      }; see niimask --help)\n`,
    );
    return EXIT_USAGE;
  }
  const controller = new AbortController();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const handlers = signals.map((sig) => {
    const handler = () => {
      if (controller.signal.aborted) Deno.exit(sig === "SIGTERM" ? 143 : EXIT_INTERRUPTED);
      writeStderr(
        `\nniimask: ${sig} received: stopping after the outputs being written ` +
          `(${sig} again to quit at once)\n`,
      );
      controller.abort(sig);
    };
    Deno.addSignalListener(sig, handler);
    return [sig, handler] as const;
  });
  try {
    const code = await command.run(args.slice(1), context(controller));
    if (controller.signal.aborted && controller.signal.reason === "SIGTERM") return 143;
    return code;
  } catch (e) {
    if (e instanceof UsageError) {
      writeStderr(`niimask ${command.name}: error: ${e.message}\n`);
      writeStderr(`Run "niimask ${command.name} --help" for the flags.\n`);
      return EXIT_USAGE;
    }
    writeStderr(`niimask ${command.name}: error: ${withFlagNames(errorMessage(e))}\n`);
    return 1;
  } finally {
    for (const [sig, handler] of handlers) Deno.removeSignalListener(sig, handler);
  }
}

function context(controller: AbortController): CommandContext {
  return {
    signal: controller.signal,
    isTerminal: Deno.stderr.isTerminal(),
    stdout: writeStdout,
    stderr: writeStderr,
  };
}
