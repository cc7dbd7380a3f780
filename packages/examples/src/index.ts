export * from './lib/schemas';
export * from './lib/text-stats';
export * from './lib/ranking';
export * from './lib/report';
export * from './lib/corpus-path';
export * from './lib/corpus-report-flock';
export * from './lib/collatz-flock';
export * from './lib/parity-scenarios';
