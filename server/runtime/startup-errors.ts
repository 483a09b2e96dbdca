/**
 * A failed start, named by the setting the operator has to fix (docs/contract.md: a bad setting stops
 * the start with one line naming the variable). What the system said stays in the line, after it.
 */
export class StartupError extends Error {
  constructor(
    readonly setting: 'HOST' | 'PORT' | 'IYS_DATABASE_URL',
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'StartupError';
  }
}

/** Why the server could not listen on HOST:PORT, blamed on the one of the two that is wrong; undefined when neither explains it. */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): StartupError | undefined {
  const at = `cannot listen on ${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new StartupError('PORT', `${at}: port ${port} is in use by another process (${err.code})`);
    case 'EACCES':
      return new StartupError('PORT', `${at}: not allowed to use port ${port}; ports below 1024 need privileges (${err.code})`);
    case 'EADDRNOTAVAIL':
      return new StartupError('HOST', `${at}: ${host} is not an address of this machine (${err.code})`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError('HOST', `${at}: the name ${host} does not resolve (${err.code})`);
    default:
      return undefined;
  }
}

/** The ledger at IYS_DATABASE_URL could not be opened. A driver's message names host, port or path, never the URL's password. */
export function ledgerError(err: Error, databaseUrl: string): StartupError {
  const kind = databaseUrl.startsWith('file:') ? 'SQLite' : 'PostgreSQL';
  return new StartupError('IYS_DATABASE_URL', `cannot open the ${kind} ledger: ${err.message}`);
}
