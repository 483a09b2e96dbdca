import type { Scenario } from './scenario.ts';
export const PAGE_SCENARIOS: Scenario[] = [];
