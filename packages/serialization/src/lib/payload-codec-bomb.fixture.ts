/**
 * Decompression bombs for the payload codec's specs, and an RSS probe:
 * run as a script, it decodes a 1 GiB bomb (about 1 MB of gzip, like the
 * one of issue 12) in a fresh process and prints the process's RSS before
 * and at its peak, as one JSON line.
 *
 *   node --conditions=@flock-ts/source --import tsx payload-codec-bomb.fixture.ts --rss-probe capped|strict|unbounded [bytes]
 *
 * `capped`: a gzip-only reader with the default 4 MiB cap; `strict`: a reader
 * with a key, which refuses the gzip-only payload before decompressing it;
 * `unbounded`: the codec before issue 12 (every chunk read, then joined).
 */
import type { Payload } from '@temporalio/common';
import { encode } from '@temporalio/common/lib/encoding';

import { createFlockPayloadCodec, pipe, readAll } from './payload-codec';

/** `size` zero bytes, gzipped without ever holding them: a bomb of about size / 1030 bytes. */
export async function gzipZeros(size: number): Promise<Uint8Array> {
  const stream = new CompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const zeros = new Uint8Array(Math.min(size, 1 << 20));
  const writing = (async () => {
    for (let left = size; left > 0; left -= zeros.byteLength) await writer.write(zeros.subarray(0, Math.min(left, zeros.byteLength)));
    await writer.close();
  })();
  const out = await readAll(stream.readable);
  await writing;
  return out;
}

/** A payload marked gzip-only by the Flock codec whose data inflates to `size` bytes. */
export async function gzipBomb(size: number): Promise<Payload> {
  return { metadata: { encoding: encode('binary/gzip'), 'flock-codec': encode('gzip') }, data: await gzipZeros(size) };
}

/** The codec's decode before issue 12: every decompressed chunk kept, then joined. */
async function unboundedGunzip(bytes: Uint8Array): Promise<number> {
  return (await pipe(bytes, new DecompressionStream('gzip'))).byteLength;
}

const MiB = 1024 * 1024;

async function probe(mode: string, size: number): Promise<void> {
  const bomb = await gzipBomb(size);
  const key = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i)));
  const codec = mode === 'strict' ? createFlockPayloadCodec({ compression: 'gzip', encryption: { keyId: 'k1', key } }) : createFlockPayloadCodec({ compression: 'gzip' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
  const started = Date.now();
  let outcome: string;
  try {
    outcome = mode === 'unbounded' ? `inflated ${await unboundedGunzip(bomb.data!)} bytes` : `decoded ${(await codec.decode([bomb])).length} payload`;
  } catch (error) {
    outcome = `${(error as Error).name} (${(error as { reason?: string }).reason}): ${(error as Error).message}`;
  }
  const ms = Date.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const report = {
    mode,
    bombBytes: bomb.data!.byteLength,
    inflatesTo: size,
    rssBeforeMiB: Math.round((before / MiB) * 10) / 10,
    rssPeakMiB: Math.round((peak / MiB) * 10) / 10,
    rssGrowthMiB: Math.round(((peak - before) / MiB) * 10) / 10,
    ms,
    outcome,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const at = process.argv.indexOf('--rss-probe');
if (at !== -1) {
  probe(process.argv[at + 1] ?? 'capped', Number(process.argv[at + 2] ?? 1024 * MiB)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
