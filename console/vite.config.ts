/**
 * Builds the compliance console (`npm run build:console`) into dist/console/, served by the
 * collector at /admin/ (server/runtime/console-route.ts). Plain files only: no inline script or
 * style (the console's CSP allows none), asset names that carry their content hash (kept a year).
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: '/admin/',
  publicDir: false,
  logLevel: 'warn',
  // Lit's production build whatever NODE_ENV says (vitest sets `test`, which would pick dev mode).
  mode: 'production',
  resolve: { conditions: ['module', 'browser', 'production'] },
  build: {
    outDir: resolve(here, '../dist/console'),
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill is an inline-free module, but the console loads one chunk: nothing to preload.
    modulePreload: { polyfill: false },
    // Never a data: URI for a file the CSP would then have to allow.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
  },
});
