// Run with: node --conditions=@flock-ts/source --import tsx tools/scripts/temporal-prod.ts
import { temporalProd } from '../src/cli/temporal-prod';
import { runMain } from '../src/cli/run-main';

runMain(() => temporalProd(process.argv.slice(2)));
