/**
 * A subject-pool worker for the fault tests: the real worker, except that a subject named
 * "close-me" makes it call `self.close()` and one named "exit-me" `Deno.exit()` (a worker that
 * ends without answering).
 */
import "../maskers/extract_worker.ts";
import type { ToWorker } from "../maskers/worker_protocol.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  close(): void;
};
const real = scope.onmessage!;
scope.onmessage = (event) => {
  const msg = event.data;
  if (msg.kind === "job" && msg.source.name === "close-me") return scope.close();
  if (msg.kind === "job" && msg.source.name === "exit-me") return Deno.exit(0);
  return real(event);
};
