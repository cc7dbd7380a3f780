/**
 * Workflow contract versions. A version is a workflow type: runs started on
 * a version stay on it, so an incompatible change ships as a new version
 * (and a new workflow type) while workers keep serving the old ones.
 */
export const LATEST_WORKFLOW_VERSION = 2;

/** Versions this build of the contracts knows how to start and serve. */
export const SUPPORTED_WORKFLOW_VERSIONS: readonly number[] = [1, 2];

/** Name of the workflow function/type of the first contract version. */
export const FLOCK_WORKFLOW_TYPE = 'FlockWorkflow';

/**
 * The workflow type of a contract version: `FlockWorkflow` for version 1,
 * `FlockWorkflowV<n>` after it.
 *
 * @example
 * flockWorkflowType(1) // 'FlockWorkflow'
 */
export function flockWorkflowType(version: number = LATEST_WORKFLOW_VERSION): string {
  if (!SUPPORTED_WORKFLOW_VERSIONS.includes(version)) {
    throw new Error(`Unsupported workflowVersion ${version}: this build serves versions ${SUPPORTED_WORKFLOW_VERSIONS.join(', ')}`);
  }
  return version === 1 ? FLOCK_WORKFLOW_TYPE : `${FLOCK_WORKFLOW_TYPE}V${version}`;
}

/**
 * `patched()` ids of changes made to released workflow versions, oldest
 * first. Runs recorded before a change replay without it; once no such run
 * can be open any more, the patch moves to `deprecatePatch()` and then goes.
 */
export const WORKFLOW_PATCHES = {
  /** v1: `FlockRunPhase = 'running'` is set when a run starts, so in-flight runs can be listed. */
  runPhaseAtStart: 'flock-run-phase-at-start',
  /**
   * v2: search attributes are written when a run waits, is paused and ends,
   * not at every step: `FlockRunPhase = 'running'` comes with the start
   * request, `CurrentAgent` names the agent a waiting run waits on (the
   * status query names the running one). Each upsert cost the server a
   * visibility write: five per three-step run were a third of its CPU.
   */
  fewerUpserts: 'flock-v2-fewer-upserts',
} as const;

/** The `patched()` ids of each workflow version, oldest first. */
export const PATCHES_BY_VERSION: Readonly<Record<number, readonly string[]>> = {
  1: [WORKFLOW_PATCHES.runPhaseAtStart],
  2: [WORKFLOW_PATCHES.fewerUpserts],
};
