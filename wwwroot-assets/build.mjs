// Bundles our sources and their npm dependencies into ../Dashboard/wwwroot/dist (git-ignored build output).
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, '..', 'Dashboard', 'wwwroot', 'dist');

await esbuild.build({
  entryPoints: {
    ui: path.join(here, 'src', 'ui.js'),
    'ui-styles': path.join(here, 'src', 'ui.css'),
  },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['es2020'],
  outdir,
  logLevel: 'warning',
});
// ES modules the interactive components import through IJSObjectReference (CSP 'self': no import map, no inline script).
await esbuild.build({
  entryPoints: { charts: path.join(here, 'src', 'charts.js') },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2020'],
  outdir,
  logLevel: 'warning',
});
console.log(`assets built into ${outdir}`);
