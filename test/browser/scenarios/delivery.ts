import type { Scenario } from './scenario.ts';
export const DELIVERY_SCENARIOS: Scenario[] = [];
