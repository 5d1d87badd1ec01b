/**
 * `deno task web`: builds the page (`web/build.ts`) and serves `web/` on 127.0.0.1 (default port
 * 8000; `--port N`). Static files only, read-only, never outside the served folders. The page is
 * served cross-origin isolated (COOP/COEP headers), so its workers share the maps' weights in
 * shared memory as Deno's do.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { buildWeb } from "./build.ts";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  map: "application/json",
  png: "image/png",
  svg: "image/svg+xml",
  tsv: "text/tab-separated-values; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  gz: "application/gzip",
  nii: "application/octet-stream",
};

/** Options of {@link serveStatic}. */
export interface ServeOptions {
  /** URL path prefix (ending in `/`) to folder: `{ "/": "web", "/data/": "/tmp/x" }`. */
  readonly mounts: Readonly<Record<string, string>>;
  /** TCP port (0: any free port). */
  readonly port: number;
  /** Stops the server when aborted. */
  readonly signal?: AbortSignal;
  /** Called once listening, with the port. */
  readonly onListen?: (port: number) => void;
}

/** The file a URL path maps to, or null when outside every mount (or trying to leave it). */
function resolvePath(mounts: Readonly<Record<string, string>>, pathname: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (path.split("/").some((seg) => seg === ".." || seg.includes("\\")) || path.includes("\0")) {
    return null;
  }
  const prefix = Object.keys(mounts).filter((p) => path.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) return null;
  const rest = path.slice(prefix.length);
  return `${mounts[prefix]!.replace(/\/$/, "")}/${rest === "" ? "index.html" : rest}`;
}

/**
 * Serve folders on 127.0.0.1 (GET and HEAD only).
 *
 * @param options mounts, port, stop signal.
 * @returns the server (await `finished` after aborting).
 */
export function serveStatic(options: ServeOptions): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({
    hostname: "127.0.0.1",
    port: options.port,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    onListen: ({ port }) => options.onListen?.(port),
  }, async (req) => {
    const headers = new Headers({
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Cache-Control": "no-store",
    });
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers });
    }
    const file = resolvePath(options.mounts, new URL(req.url).pathname);
    if (file === null) return new Response("not found\n", { status: 404, headers });
    try {
      const info = await Deno.stat(file);
      if (!info.isFile) return new Response("not found\n", { status: 404, headers });
      const ext = file.slice(file.lastIndexOf(".") + 1).toLowerCase();
      headers.set("Content-Type", TYPES[ext] ?? "application/octet-stream");
      headers.set("Content-Length", String(info.size));
      if (req.method === "HEAD") return new Response(null, { headers });
      const f = await Deno.open(file, { read: true });
      return new Response(f.readable, { headers });
    } catch {
      return new Response("not found\n", { status: 404, headers });
    }
  });
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--port");
  const port = i >= 0 ? Number(Deno.args[i + 1]) : 8000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port: expected an integer from 0 to 65535, got ${Deno.args[i + 1]}`);
    Deno.exit(2);
  }
  const written = await buildWeb();
  console.log(`web build: ${written.join(", ")}`);
  const web = fileURLToPath(new URL(".", import.meta.url));
  serveStatic({
    mounts: { "/": web },
    port,
    onListen: (p) => console.log(`niimask page: http://127.0.0.1:${p}/ (Ctrl-C to stop)`),
  });
}
