export { createFlockActivities, toApplicationFailure, type FlockActivitiesOptions } from './lib/flock-activities';
export * from './lib/errors';
