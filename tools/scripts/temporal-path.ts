// Run with: node --conditions=@flock-ts/source --import tsx tools/scripts/temporal-path.ts
import { temporalPath } from '../src/cli/temporal-path';
import { runMain } from '../src/cli/run-main';

runMain(() => temporalPath(process.argv.slice(2)));
