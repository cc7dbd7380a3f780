// Run with: node --conditions=@flock-ts/source --import tsx tools/scripts/temporal-dev.ts
import { temporalDev } from '../src/cli/temporal-dev';
import { runMain } from '../src/cli/run-main';

runMain(() => temporalDev(process.argv.slice(2)));
