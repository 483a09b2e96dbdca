// Placeholder for contract commands whose work has not landed yet: one clear line, non-zero exit.
const what = process.argv[2] ?? 'this command';
console.error(`iys-consent: \`npm ${what === 'start' ? 'start' : `run ${what}`}\` is not built yet in this version.`);
process.exit(1);
