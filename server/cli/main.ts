/**
 * The entry of the `iys-consent` command (bin/iys-consent.mjs loads it). Source maps first, so
 * that a stack trace from any compiled module below points at the TypeScript sources (the maps
 * ship with the sources inside); everything else is loaded after that.
 */
process.setSourceMapsEnabled(true);

export {}; // a module, for the top-level awaits

const { CommanderError } = await import('commander');
const { createProgram } = await import('./program.ts');
const { packageVersion } = await import('../runtime/package-root.ts');

try {
  await createProgram(packageVersion()).parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // commander has printed the usage or the error already: 0 after --help/--version, 2 for a usage error.
  process.exitCode = err.exitCode === 0 ? 0 : 2;
}
