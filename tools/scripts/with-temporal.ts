// Run with: node --conditions=@flock-ts/source --import tsx tools/scripts/with-temporal.ts
import { withTemporal } from '../src/cli/with-temporal';
import { runMain } from '../src/cli/run-main';

runMain(() => withTemporal(process.argv.slice(2)));
