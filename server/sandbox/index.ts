export { createSandbox, type Sandbox, type SandboxView, type SandboxSnapshot, type RequestLogEntry } from './sandbox-app.ts';
export { startSandboxServer, logSandboxBanner } from './sandbox-server.ts';
export { SandboxLedger, type SandboxRules, type SandboxRecord, type Judgement } from './sandbox-ledger.ts';
export { sandboxPatchSchema, type SandboxInit, type SandboxPatch, type SandboxFaults, type SandboxOptions } from './sandbox-controls.ts';
