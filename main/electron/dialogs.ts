/**
 * Native open/save dialogs the renderer may ask for over IPC (channel `sngan:dialog`), as plain option
 * builders: the request schema, and the Electron dialog options for each kind.
 */
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import { z } from 'zod';
import { DialogRequest } from '../../shared/api';

export { DialogRequest };
export const DialogArgs = z.tuple([DialogRequest]);

export type DialogResult = { ok: true; value: { canceled: boolean; paths: string[] } };

const ARCHIVES = ['zip', 'npy', 'npz', 'gz', 'idx', 'idx1-ubyte', 'idx3-ubyte', 'bin'];

export function openDialogOptions(req: Extract<DialogRequest, { kind: 'openDataset' | 'openRun' | 'chooseWorkspace' | 'choosePackageFolder' }>, workspace: string): OpenDialogOptions {
  if (req.kind === 'openRun') {
    return { title: 'Open run folder', defaultPath: workspace, properties: ['openDirectory'] };
  }
  if (req.kind === 'choosePackageFolder') {
    return { title: 'Write the PyTorch package into (an empty folder)', buttonLabel: 'Write here', properties: ['openDirectory', 'createDirectory'] };
  }
  if (req.kind === 'chooseWorkspace') {
    return { title: 'Choose the workspace folder', buttonLabel: 'Use this folder', defaultPath: workspace, properties: ['openDirectory', 'createDirectory'] };
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

const WHAT: Record<string, string> = {
  tfjs: 'TensorFlow.js model',
  onnx: 'ONNX model',
  html: 'HTML sampler',
  png: 'PNG samples',
  gif: 'GIF timelapse',
};

/** Every export is a new folder (the model or images plus manifest.json): the dialog names that folder. */
export function saveDialogOptions(req: Extract<DialogRequest, { kind: 'exportGenerator' }>, downloads: string): SaveDialogOptions {
  const format = req.format ?? 'onnx';
  const base = req.defaultName ?? `generator-${format}`;
  return {
    title: `Export ${WHAT[format]} — name the new folder`,
    buttonLabel: 'Export',
    defaultPath: `${downloads}/${base}`,
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}
