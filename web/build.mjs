// Browser assets from the npm packages pinned in package.json / package-lock.json, written to
// web/static/vendor/ (not committed; nothing is fetched from a CDN). Run by bin/install-deps
// after `npm ci`:
// - JsSIP bundled into one browser file, jssip.min.js, exposing the global `JsSIP`;
// - Leaflet's ready-made dist (leaflet.js, leaflet.css, images/) copied to vendor/leaflet/
//   for the safety map;
// - uPlot's ready-made dist (uPlot.iife.min.js, uPlot.min.css) copied to vendor/uplot/ for
//   the dashboard's charts.
import { build } from "esbuild";
import { cpSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const vendor = path.join(here, "static/vendor");

await build({
  entryPoints: [path.join(here, "node_modules/jssip/lib/JsSIP.js")],
  outfile: path.join(vendor, "jssip.min.js"),
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "JsSIP",
  platform: "browser",
  target: ["es2019"],
  legalComments: "eof",
  logLevel: "warning",
});

const leaflet = path.join(here, "node_modules/leaflet/dist");
mkdirSync(path.join(vendor, "leaflet"), { recursive: true });
for (const name of ["leaflet.js", "leaflet.css", "images"]) {
  cpSync(path.join(leaflet, name), path.join(vendor, "leaflet", name), { recursive: true });
}

const uplot = path.join(here, "node_modules/uplot/dist");
mkdirSync(path.join(vendor, "uplot"), { recursive: true });
for (const name of ["uPlot.iife.min.js", "uPlot.min.css"]) {
  cpSync(path.join(uplot, name), path.join(vendor, "uplot", name));
}
