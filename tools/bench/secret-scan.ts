/**
 * Benchmark: the secret scanner on long texts (it runs over every run input,
 * failure message and log line). Prints ms per text; it must grow linearly
 * with the text (a quadratic pattern once took 95 s for 200 KB of letters).
 *
 *   node --conditions=@flock-ts/source --import tsx tools/bench/secret-scan.ts
 */
import { redactSecretsInText, looksLikeSecret } from '@flock-ts/secrets';
for (const [name, text] of [
  ['x', 'x'.repeat(50_000)],
  ['y2M', 'y'.repeat(2_100_000)],
  ['words', 'lorem ipsum dolor sit amet '.repeat(4000)],
  ['mixed', Array.from({ length: 20000 }, (_, i) => `k${i}=v${i}`).join(' ')],
] as const) {
  const t = Date.now();
  redactSecretsInText(text);
  const a = Date.now() - t;
  const t2 = Date.now();
  looksLikeSecret(text);
  console.log(name, text.length, 'redact', a, 'ms, looksLike', Date.now() - t2, 'ms');
}
