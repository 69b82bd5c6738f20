// PlanRepair: a pair ended out of sync; picks the next pass its policy allows, or none.
import { outOfSync, repairPlan } from '../core/messages.ts';
import { planRepair } from '../core/pair-sync.ts';
import { step } from '../core/step.ts';

export const handler = step('PlanRepair', { input: outOfSync, output: repairPlan }, async (input) => planRepair(input));
