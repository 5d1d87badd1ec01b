/**
 * Stopping a transform call with an `AbortSignal`: the error of an aborted subject and a volume
 * source that stops at its next volume.
 *
 * @module
 */
import type { VoxelData } from "../types.ts";
import type { VolumeSource } from "./volume_source.ts";

/** The error of a subject stopped by an abort signal (`name` "AbortError", `cause` the reason). */
export function abortError(signal: AbortSignal | undefined, what: string): Error {
  const err = new Error(`${what}: not extracted, the transform was aborted`, {
    cause: signal?.reason,
  });
  err.name = "AbortError";
  return err;
}

/** Whether `e` is the error of an aborted subject (`name` "AbortError"). */
export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === "AbortError";
}

/** A volume source that stops (AbortError) at the next volume once `signal` is aborted. */
export function abortable(src: VolumeSource, signal: AbortSignal): VolumeSource {
  const guard = (volumes: () => AsyncIterable<VoxelData>) =>
    async function* () {
      for await (const vol of volumes()) {
        if (signal.aborted) throw abortError(signal, src.name);
        yield vol;
      }
    };
  const reread = src.reread;
  return {
    ...src,
    volumes: guard(() => src.volumes()),
    ...(reread !== undefined ? { reread: guard(() => reread.call(src)) } : {}),
  };
}
