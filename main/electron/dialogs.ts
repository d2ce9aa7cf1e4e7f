/**
 * Native open/save dialogs the renderer may ask for over IPC (channel `sngan:dialog`), as plain option
 * builders: the request schema, and the Electron dialog options for each kind.
 */
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import { z } from 'zod';

export const DialogRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('openDataset') }).strict(),
  z.object({ kind: z.literal('openRun') }).strict(),
  z
    .object({
      kind: z.literal('exportGenerator'),
      format: z.enum(['tfjs', 'onnx', 'html', 'png', 'gif']).optional(),
      defaultName: z.string().min(1).max(200).regex(/^[^/\\]+$/, 'a file name, not a path').optional(),
    })
    .strict(),
]);
export type DialogRequest = z.infer<typeof DialogRequest>;
export const DialogArgs = z.tuple([DialogRequest]);

export type DialogResult = { ok: true; value: { canceled: boolean; paths: string[] } };

const ARCHIVES = ['zip', 'npy', 'npz', 'gz', 'idx', 'idx1-ubyte', 'idx3-ubyte', 'bin'];

export function openDialogOptions(req: Extract<DialogRequest, { kind: 'openDataset' | 'openRun' }>, workspace: string): OpenDialogOptions {
  if (req.kind === 'openRun') {
    return { title: 'Open run folder', defaultPath: workspace, properties: ['openDirectory'] };
  }
  return {
    title: 'Open dataset',
    buttonLabel: 'Import',
    properties: ['openFile', 'openDirectory', 'multiSelections'],
    filters: [
      { name: 'Images and dataset archives', extensions: ['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp', ...ARCHIVES] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
}

const EXT: Record<string, { ext: string; name: string }> = {
  tfjs: { ext: '', name: 'TensorFlow.js model folder' },
  onnx: { ext: 'onnx', name: 'ONNX model' },
  html: { ext: 'html', name: 'HTML sampler' },
  png: { ext: 'png', name: 'PNG image' },
  gif: { ext: 'gif', name: 'Animated GIF' },
};

export function saveDialogOptions(req: Extract<DialogRequest, { kind: 'exportGenerator' }>, downloads: string): SaveDialogOptions {
  const f = EXT[req.format ?? 'onnx']!;
  const base = req.defaultName ?? 'generator';
  const name = f.ext && !base.endsWith(`.${f.ext}`) ? `${base}.${f.ext}` : base;
  return {
    title: 'Export generator',
    defaultPath: `${downloads}/${name}`,
    filters: f.ext ? [{ name: f.name, extensions: [f.ext] }] : [],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}
