export * from './lib/errors';
export * from './lib/run-types';
export * from './lib/model-turns';
export * from './lib/usage';
export * from './lib/fingerprint';
export * from './lib/run-loop';
export { budgetLeft, budgetPause, budgetPauseReason, checkBudget, isBudgetCrossing, raiseBudget, runBudget } from './lib/budget';
export * from './lib/storable';
export * from './lib/waits';
