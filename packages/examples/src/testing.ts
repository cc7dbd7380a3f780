/**
 * Test aids: the parity scenarios, flocks that must behave the same on the
 * local executor and on Temporal (the parity tests and the history capture use them).
 */
export * from './lib/parity-scenarios';
