/**
 * Runs a script's main function: an error ends the process with code 1 and
 * its message on stderr (no stack for expected failures such as a missing
 * binary, whose message already says what to do).
 */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (error: unknown) => {
      const coded = typeof (error as { code?: unknown })?.code === 'string';
      process.stderr.write(`${coded ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
      process.exitCode = 1;
    },
  );
}
