/**
 * The library bundles for browsers with nothing Deno- or Node-specific imported: `deno bundle
 * --platform browser` of `mod.ts` (every public module) must not leave a `node:` import or a
 * `require` call, nor Node's `Buffer`, in the output (a browser has none of them). The headless-Chromium test
 * (`web_chromium_test.ts`) runs the page itself; this check needs only Deno.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

for (const entry of ["mod.ts", "maskers/extract_worker.ts", "web/app.ts"]) {
  Deno.test(`browser bundle of ${entry}: no node: imports, require or Buffer`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "niimask_bundle_" });
    try {
      const out = `${dir}/bundle.js`;
      const r = await new Deno.Command(Deno.execPath(), {
        args: ["bundle", "--quiet", "--platform", "browser", "--format", "esm", "-o", out, entry],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(r.success, `deno bundle ${entry}: ${new TextDecoder().decode(r.stderr)}`);
      // JSDoc kept in the bundle shows `import ... from "node:assert/strict"` in its examples:
      // only code counts, so block comments are left out.
      const code = (await Deno.readTextFile(out)).replace(/\/\*[\s\S]*?\*\//g, "");
      assert.ok(code.length > 10_000, "a real bundle");
      // Static imports of node: modules break loading in a browser. The one dynamic import
      // allowed is the node:zlib inflate backend's, which only Deno and Node ever run
      // (image/inflate_zlib.ts checks the runtime first; browsers use DecompressionStream).
      const nodeImports = code.match(/(?:from|import)\s*\(?\s*["']node:[^"']+["']/g) ?? [];
      const allowed = /^import\s*\(\s*["']node:zlib["']$/;
      assert.deepEqual(
        nodeImports.filter((m) => !allowed.test(m)),
        [],
        "node: imports in the browser bundle",
      );
      const requires = code.match(/\brequire\(\s*["'][^"']+["']\s*\)/g) ?? [];
      assert.deepEqual(requires, [], "require() calls in the browser bundle");
      // Node's Buffer global does not exist in browsers (csv-parse's Node build used it).
      const buffers = code.match(/(?<![\w$.])Buffer\b/g) ?? [];
      assert.deepEqual(buffers, [], "uses of Node's Buffer in the browser bundle");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
