/**
 * Workflow code of Flock. Everything exported here is a workflow function
 * that the worker registers; it runs in Temporal's deterministic sandbox.
 * `FlockWorkflow` (contract v1) stays registered so v1 runs in flight finish.
 */
export { FlockWorkflow } from './lib/flock-workflow-v1';
export { FlockWorkflowV2 } from './lib/flock-workflow-v2';
