// Run with: node --conditions=@flock-ts/source --import tsx tools/scripts/measure-temporal.ts
import { measureTemporal } from '../src/cli/measure-temporal';
import { runMain } from '../src/cli/run-main';

runMain(() => measureTemporal(process.argv.slice(2)));
