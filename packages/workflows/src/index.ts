/**
 * Workflow code of Flock. Everything exported here is a workflow function
 * that the worker registers; it runs in Temporal's deterministic sandbox.
 */
export { FlockWorkflow } from './lib/flock-workflow';
