#!/usr/bin/env node
// The `iys-consent` command. Installed, the package holds the CLI compiled to JavaScript
// (dist/server/cli/main.js) and no TypeScript. In a checkout, where the sources are, it runs them
// through tsx (a dev dependency), so `npm run import`, `npm start` and the tests need no build.
import { existsSync } from 'node:fs';

const source = new URL('../server/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/server/cli/main.js', import.meta.url).href);
}
