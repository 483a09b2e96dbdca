export { createSandbox, type Sandbox, type SandboxView, type SandboxSnapshot, type RequestLogEntry, type ShowLogEntry } from './sandbox-app.ts';
export { startSandboxServer, logSandboxBanner } from './sandbox-server.ts';
export {
  SandboxLedger,
  type SandboxRules,
  type SandboxRecord,
  type HeldRecord,
  type RecordOrigin,
  type Judgement,
  type ShowJudgement,
  type ShownConsentBody,
  type ChangeVerdict,
} from './sandbox-ledger.ts';
export { outsideChangeSchema, applyOutsideChange, type OutsideChange } from './outside-changes.ts';
export { sandboxPatchSchema, type SandboxInit, type SandboxPatch, type SandboxFaults, type SandboxOptions } from './sandbox-controls.ts';
