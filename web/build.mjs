// Bundles JsSIP (pinned in package.json / package-lock.json) into one browser file:
// web/static/vendor/jssip.min.js, exposing the global `JsSIP`. Run by bin/install-deps after
// `npm ci`; the output is not committed. Nothing is fetched from a CDN.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: [path.join(here, "node_modules/jssip/lib/JsSIP.js")],
  outfile: path.join(here, "static/vendor/jssip.min.js"),
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "JsSIP",
  platform: "browser",
  target: ["es2019"],
  legalComments: "eof",
  logLevel: "warning",
});
