/** `sngan-studio import <path…> --workspace DIR [--size 32] [--channels 1|3] [--fit crop|letterbox] [--name N] [--json]` */
import { UsageError, intFlag, parseFlags } from './args';
import { importInChild } from '../services/import-host';
import { ImportError } from '../datasets/errors';

export const importHelp = `sngan-studio import <path…> --workspace DIR [--size 28|32|64|128] [--channels 1|3] [--fit crop|letterbox] [--name N] [--json]
  Import folders (one sub-folder per class), image files, zip/npz archives, IDX, CIFAR-10 batches or .npy arrays
  into DIR/datasets/. Prints a summary and every skipped file with its reason; --json prints
  {id, count, width, height, channels, classes, skipped:[{path, reason}]}.`;

export async function importCommand(argv: string[]): Promise<number> {
  let flags: Record<string, string | boolean | string[]>;
  let positional: string[];
  let size: number | undefined;
  let channels: number | undefined;
  try {
    ({ flags, positional } = parseFlags(argv, { workspace: 'string', size: 'string', channels: 'string', fit: 'string', name: 'string', json: 'boolean', help: 'boolean' }));
    if (flags.help) {
      console.log(importHelp);
      return 0;
    }
    if (positional.length === 0) throw new UsageError('give at least one path to import');
    if (typeof flags.workspace !== 'string' || !flags.workspace) throw new UsageError('--workspace DIR is required');
    size = intFlag(flags.size, 'size');
    if (size !== undefined && ![28, 32, 64, 128].includes(size)) throw new UsageError('--size must be 28, 32, 64 or 128');
    channels = intFlag(flags.channels, 'channels');
    if (channels !== undefined && channels !== 1 && channels !== 3) throw new UsageError('--channels must be 1 or 3');
    if (flags.fit !== undefined && flags.fit !== 'crop' && flags.fit !== 'letterbox') throw new UsageError('--fit must be crop or letterbox');
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sngan-studio import: ${err.message}\n\n${importHelp}`);
      return 2;
    }
    throw err;
  }
  const json = flags.json === true;
  let lastLine = 0;
  try {
    // in a process of its own, like every import: a hostile file may exhaust its heap, not this one's
    const { manifest, skipped } = await importInChild(
      positional,
      {
        workspace: flags.workspace as string,
        size: size as 28 | 32 | 64 | 128 | undefined,
        channels: channels as 1 | 3 | undefined,
        fit: flags.fit as 'crop' | 'letterbox' | undefined,
        name: flags.name as string | undefined,
      },
      {
        onProgress:
          json || !process.stderr.isTTY
            ? undefined
            : (p) => {
                if (Date.now() - lastLine < 500) return;
                lastLine = Date.now();
                process.stderr.write(`\r${p.phase}: ${p.decoded}/${p.total ?? '?'} decoded, ${p.skipped} skipped${p.etaSec !== undefined ? `, ~${Math.ceil(p.etaSec)} s left` : ''}   `);
              },
      },
    );
    if (lastLine) process.stderr.write('\n');
    if (json) {
      const { id, count, width, height, channels: c, classes } = manifest;
      console.log(JSON.stringify({ id, count, width, height, channels: c, classes, skipped: skipped.map((s) => ({ path: s.path, reason: s.reason })) }));
      return 0;
    }
    console.log(`Imported ${manifest.count} images as '${manifest.id}' (${manifest.width}×${manifest.height}×${manifest.channels})`);
    if (manifest.classes.length) console.log(`Classes: ${manifest.classes.map((c, i) => `${c} (${manifest.classCounts[i]})`).join(', ')}`);
    if (skipped.length) {
      console.log(`Skipped ${skipped.length} file(s):`);
      for (const s of skipped) console.log(`  ${s.reason.padEnd(17)} ${s.path}${s.detail ? ` — ${s.detail}` : ''}`);
    }
    return 0;
  } catch (err) {
    if (lastLine) process.stderr.write('\n');
    if (err instanceof ImportError) {
      if (json) console.log(JSON.stringify({ error: err.message, skipped: err.skipped.map((s) => ({ path: s.path, reason: s.reason })) }));
      console.error(`sngan-studio import: ${err.message}`);
      for (const s of err.skipped) console.error(`  ${s.reason.padEnd(17)} ${s.path}${s.detail ? ` — ${s.detail}` : ''}`);
      return 1;
    }
    throw err;
  }
}
