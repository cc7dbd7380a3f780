import { existsSync, readFileSync } from 'node:fs';
import { parseLedger, type LedgerEntry } from '../fixtures/ledger-flock';

/** flock-worker from its sources, and the ledger flock module it hosts. */
export const WORKER = 'apps/worker/src/main.ts';
export const LEDGER_FLOCK = 'apps/worker/integration/fixtures/ledger-flock.ts';

export function readLedger(...files: string[]): LedgerEntry[] {
  return files.flatMap((file) => (existsSync(file) ? parseLedger(readFileSync(file, 'utf8')) : []));
}

/** How many ledger entries match. */
export function count(entries: LedgerEntry[], match: Partial<LedgerEntry>): number {
  return entries.filter((entry) => Object.entries(match).every(([key, value]) => entry[key as keyof LedgerEntry] === value)).length;
}

/** A figure the issue asks for: printed plainly, so CI logs and the bench show it the same way. */
export function report(line: string): void {
  process.stdout.write(`\n[reliability] ${line}\n`);
}
