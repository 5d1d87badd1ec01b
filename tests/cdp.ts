/**
 * A minimal headless-Chromium driver over the DevTools protocol (WebSocket), for the browser
 * tests: open a page, evaluate expressions, take a screenshot. Every wait is bounded.
 */
import { CHROMIUM_HEADLESS_ARGS, chromiumPath } from "./report_fixtures.ts";

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

/** A running headless Chromium with one DevTools connection. */
export class Chromium {
  #proc: Deno.ChildProcess;
  #ws: WebSocket;
  #profile: string;
  #next = 1;
  #pending = new Map<number, Pending>();
  #drained: Promise<void> = Promise.resolve();
  /** Console messages and uncaught exceptions of the pages, for failure messages. */
  readonly log: string[] = [];

  private constructor(proc: Deno.ChildProcess, ws: WebSocket, profile: string) {
    this.#proc = proc;
    this.#ws = ws;
    this.#profile = profile;
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data));
      if (typeof msg.id === "number") {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`CDP: ${JSON.stringify(msg.error)}`));
        else p?.resolve(msg.result ?? {});
      } else if (msg.method === "Runtime.consoleAPICalled") {
        const args = (msg.params.args ?? []).map((a: { value?: unknown; description?: string }) =>
          a.value ?? a.description
        );
        this.log.push(`console.${msg.params.type}: ${args.join(" ")}`);
      } else if (msg.method === "Runtime.exceptionThrown") {
        const d = msg.params.exceptionDetails;
        this.log.push(`exception: ${d?.exception?.description ?? d?.text}`);
      }
    };
  }

  /** Start Chromium (fresh profile) and connect to it; gives up after `timeoutMs`. */
  static async launch(timeoutMs = 60_000): Promise<Chromium> {
    const profile = await Deno.makeTempDir({ prefix: "niimask_chromium_" });
    const proc = new Deno.Command(chromiumPath(), {
      args: [
        ...CHROMIUM_HEADLESS_ARGS,
        "--remote-debugging-port=0",
        `--user-data-dir=${profile}`,
        "about:blank",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = proc.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    let wsUrl: string | null = null;
    const deadline = setTimeout(() => reader.cancel().catch(() => {}), timeoutMs);
    try {
      while (wsUrl === null) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
        wsUrl = /DevTools listening on (ws:\/\/\S+)/.exec(text)?.[1] ?? null;
      }
    } finally {
      clearTimeout(deadline);
    }
    // Keep draining stderr so that Chromium never blocks on a full pipe.
    const drained = (async () => {
      try {
        while (!(await reader.read()).done) { /* discard */ }
      } catch { /* closed */ }
    })();
    if (wsUrl === null) {
      try {
        proc.kill();
      } catch { /* gone */ }
      await proc.status;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
      throw new Error(`chromium did not start its DevTools endpoint: ${text.slice(-1500)}`);
    }
    const ws = new WebSocket(wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`cannot connect to ${wsUrl}`));
    });
    const browser = new Chromium(proc, ws, profile);
    browser.#drained = drained;
    return browser;
  }

  /** Send a command (to a page session when `sessionId` is given). */
  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = this.#next++;
    const msg = { id, method, params, ...(sessionId !== undefined ? { sessionId } : {}) };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#ws.send(JSON.stringify(msg));
    });
  }

  /** Open `url` in a new tab of `width` x `height` px; returns its session id. */
  async open(url: string, width = 1200, height = 1800): Promise<string> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    const s = sessionId as string;
    await this.send("Runtime.enable", {}, s);
    await this.send("Page.enable", {}, s);
    await this.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    }, s);
    await this.send("Page.navigate", { url }, s);
    return s;
  }

  /** Evaluate an expression in a page; returns its JSON value. */
  async evaluate(sessionId: string, expression: string): Promise<unknown> {
    const r = await this.send("Runtime.evaluate", { expression, returnByValue: true }, sessionId);
    const result = r.result as { value?: unknown } | undefined;
    return result?.value;
  }

  /** Poll `expression` until it gives a non-null value; null after `timeoutMs`. */
  async waitFor(sessionId: string, expression: string, timeoutMs: number): Promise<unknown> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const v = await this.evaluate(sessionId, expression);
      if (v !== null && v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
    return null;
  }

  /** Give local files to an `<input type="file">` of a page (as if chosen by the user). */
  async setFiles(sessionId: string, selector: string, files: readonly string[]): Promise<void> {
    const { root } = await this.send("DOM.getDocument", {}, sessionId);
    const { nodeId } = await this.send("DOM.querySelector", {
      nodeId: (root as { nodeId: number }).nodeId,
      selector,
    }, sessionId);
    if (!nodeId) throw new Error(`no element ${selector} in the page`);
    await this.send("DOM.setFileInputFiles", { nodeId, files: [...files] }, sessionId);
  }

  /** PNG screenshot of a page's viewport. */
  async screenshot(sessionId: string): Promise<Uint8Array> {
    const { data } = await this.send("Page.captureScreenshot", { format: "png" }, sessionId);
    const bin = atob(data as string);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }

  /** Close the browser and remove its profile. */
  async close(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.send("Browser.close"),
        new Promise((r) => (timer = setTimeout(r, 5000))),
      ]);
    } catch {
      /* already gone */
    } finally {
      clearTimeout(timer);
    }
    try {
      this.#ws.close();
    } catch { /* closed */ }
    try {
      this.#proc.kill();
    } catch { /* exited */ }
    await this.#proc.status;
    await this.#drained;
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}
