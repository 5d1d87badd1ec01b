/**
 * A subject-pool worker for the fault tests: the real worker, except that a subject named
 * "close-me" makes it call `self.close()` when asked to extract it (a subject in flight), and one
 * named "exit-me" `Deno.exit()` when asked to open it (a worker that ends without answering).
 */
import "../maskers/extract_worker.ts";
import type { ToWorker } from "../maskers/worker_protocol.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  close(): void;
};
const real = scope.onmessage!;
/** Ids of the subjects opened under the name "close-me". */
const closing = new Set<number>();
scope.onmessage = (event) => {
  const msg = event.data;
  if (msg.kind === "open" && msg.source.name === "exit-me") return Deno.exit(0);
  if (msg.kind === "open" && msg.source.name === "close-me") closing.add(msg.id);
  if (msg.kind === "extract" && closing.has(msg.id)) return scope.close();
  return real(event);
};
