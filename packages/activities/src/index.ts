export { createFlockActivities, toApplicationFailure, type FlockActivitiesOptions } from './lib/flock-activities';
export * from './lib/errors';
export { DEFAULT_STEP_HEARTBEAT_INTERVAL_MS, STEP_TEXT_TAIL_CHARS, appendTail, startStepHeartbeats, type StepHeartbeatDetails, type StepHeartbeats } from './lib/step-heartbeat';
