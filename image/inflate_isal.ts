/**
 * Inflate backend on Intel ISA-L (`libisal.so.2`) through Deno's FFI: `isal_inflate` on raw
 * deflate data, `crc32_gzip_refl` for the checksum. Loaded only when FFI permission is already
 * granted (queried, never prompted) and the library opens; a self-test on a known stream checks
 * the `inflate_state` layout before the backend is used.
 *
 * @module
 */
import type { InflateStep, RawInflater } from "./inflate_types.ts";

// struct inflate_state (ISA-L 2.2x-2.31, include/igzip_lib.h), x86-64 / aarch64 LP64:
// next_out u8* @0, avail_out u32 @8, total_out u32 @12, next_in u8* @16, read_in u64 @24,
// avail_in u32 @32, read_in_length i32 @36, lit_huff_code (u32[4096] + u16[1264]) @40,
// dist_huff_code (u16[1024] + u16[80]) @18952, block_state @21160, dict_length, bfinal,
// crc_flag @21172, crc @21176, ... tmp_out_buffer[2 * 32768 + 288] ending at 87368.
const OFF_NEXT_OUT = 0;
const OFF_AVAIL_OUT = 8;
const OFF_NEXT_IN = 16;
const OFF_AVAIL_IN = 32;
const OFF_READ_IN_LENGTH = 36;
const OFF_BLOCK_STATE = 21160;
const OFF_CRC_FLAG = 21172;
/** sizeof(struct inflate_state) is 87368; allocate with room to spare. */
const STATE_BYTES = 96 * 1024;
const ISAL_BLOCK_FINISH = 5;
const ISAL_DEFLATE = 0;

const SYMBOLS = {
  isal_inflate_init: { parameters: ["buffer"], result: "void" },
  isal_inflate: { parameters: ["buffer"], result: "i32" },
  crc32_gzip_refl: { parameters: ["u32", "buffer", "u64"], result: "u32" },
} as const;

type IsalLib = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const ERRORS: Record<number, string> = {
  [-1]: "invalid deflate block",
  [-2]: "invalid deflate symbol",
  [-3]: "invalid look-back distance",
};

function address(bytes: Uint8Array): bigint {
  const p = Deno.UnsafePointer.of(bytes as Uint8Array<ArrayBuffer>);
  return p === null ? 0n : BigInt(Deno.UnsafePointer.value(p));
}

class IsalInflater implements RawInflater {
  readonly backend = "isal" as const;
  #lib: IsalLib;
  #state = new Uint8Array(STATE_BYTES);
  #view = new DataView(this.#state.buffer);
  #ended = false;

  constructor(lib: IsalLib) {
    this.#lib = lib;
    this.reset();
  }

  inflate(input: Uint8Array, out: Uint8Array): InflateStep {
    if (this.#ended) return { read: 0, written: 0, ended: true };
    const v = this.#view;
    v.setBigUint64(OFF_NEXT_IN, address(input), true);
    v.setUint32(OFF_AVAIL_IN, input.length, true);
    v.setBigUint64(OFF_NEXT_OUT, address(out), true);
    v.setUint32(OFF_AVAIL_OUT, out.length, true);
    const rc = this.#lib.isal_inflate(this.#state);
    let read = input.length - v.getUint32(OFF_AVAIL_IN, true);
    const written = out.length - v.getUint32(OFF_AVAIL_OUT, true);
    // The state must not keep pointers into buffers that may be released.
    v.setBigUint64(OFF_NEXT_IN, 0n, true);
    v.setBigUint64(OFF_NEXT_OUT, 0n, true);
    if (rc < 0) {
      return { read, written, ended: false, error: ERRORS[rc] ?? `ISA-L error ${rc}` };
    }
    const ended = v.getUint32(OFF_BLOCK_STATE, true) === ISAL_BLOCK_FINISH;
    // At the end, whole bytes still in the bit buffer follow the deflate data (the gzip trailer):
    // give them back. They may have been read by an earlier call, so `read` can be negative.
    if (ended) read -= v.getInt32(OFF_READ_IN_LENGTH, true) >> 3;
    this.#ended = ended;
    return { read, written, ended };
  }

  crc32(crc: number, bytes: Uint8Array): number {
    if (bytes.length === 0) return crc;
    return this.#lib.crc32_gzip_refl(crc, bytes as Uint8Array<ArrayBuffer>, BigInt(bytes.length));
  }

  reset(): void {
    this.#ended = false;
    this.#lib.isal_inflate_init(this.#state);
    this.#view.setUint32(OFF_CRC_FLAG, ISAL_DEFLATE, true);
  }

  close(): void {}
}

/** A fixed-Huffman deflate stream of "abcabcabcabc" followed by 3 bytes that are not part of it. */
const PROBE = Uint8Array.from([0x4b, 0x4c, 0x4a, 0x4e, 0x84, 0x21, 0x00, 0xee, 0xee, 0xee]);
const PROBE_TEXT = "abcabcabcabc";
const PROBE_CRC = 0x5a6e2a34;

/** Whether the struct layout and the library agree, on a known stream in two output pieces. */
function selfTest(lib: IsalLib): boolean {
  const inf = new IsalInflater(lib);
  const out = new Uint8Array(64);
  const a = inf.inflate(PROBE, out.subarray(0, 5));
  if (a.error !== undefined || a.ended || a.written !== 5) return false;
  const b = inf.inflate(PROBE.subarray(a.read), out.subarray(5));
  if (b.error !== undefined || !b.ended) return false;
  const text = new TextDecoder().decode(out.subarray(0, 5 + b.written));
  if (text !== PROBE_TEXT || PROBE.length - a.read - b.read !== 3) return false;
  return inf.crc32(0, out.subarray(0, 5 + b.written)) === PROBE_CRC;
}

let loaded: Promise<IsalLib | null> | null = null;

async function loadIsal(): Promise<IsalLib | null> {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (deno?.dlopen === undefined || deno.permissions === undefined) return null;
  try {
    const status = await deno.permissions.query({ name: "ffi" });
    if (status.state !== "granted") return null;
    const lib = deno.dlopen("libisal.so.2", SYMBOLS).symbols;
    return selfTest(lib) ? lib : null;
  } catch {
    return null;
  }
}

/**
 * An ISA-L raw inflater, or null when ISA-L cannot be used here (no FFI permission, no library,
 * not Deno, or a library whose state layout fails the self-test).
 *
 * @returns a new inflater, or null.
 * @example
 * ```ts ignore
 * import { isalInflater } from "./inflate_isal.ts";
 * const inf = await isalInflater();
 * console.log(inf === null ? "no ISA-L" : inf.backend);
 * ```
 */
export async function isalInflater(): Promise<RawInflater | null> {
  const lib = await (loaded ??= loadIsal());
  return lib === null ? null : new IsalInflater(lib);
}
