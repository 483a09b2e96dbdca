#!/usr/bin/env node
// Runs the TypeScript command line under tsx (no build step). Paths resolve from this file, so it
// works from any directory, through `npx iys-consent` as well as `npm run import`.
import { register } from 'tsx/esm/api';

const commands = { import: ['../server/cli/import.ts', 'runImport'] };
const [name, ...args] = process.argv.slice(2);
const command = commands[name];
if (!command) {
  process.stderr.write(`usage: iys-consent import FILE.csv\n${name ? `unknown command: ${name}\n` : ''}`);
  process.exit(2);
}
register();
const module = await import(new URL(command[0], import.meta.url).href);
process.exitCode = await module[command[1]](args);
