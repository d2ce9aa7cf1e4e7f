/** Turn anything thrown across the API into a message a person can act on. */
export interface Readable {
  title: string;
  detail: string;
  hint?: string;
}

const HINTS: Record<string, string> = {
  transport: 'The app lost contact with its backend. Check that the server is still running, then try again.',
  invalid_request: 'Check the highlighted values and try again.',
  not_found: 'It may have been deleted. Refresh the list.',
  unknown_call: 'The backend is older or newer than this window. Restart the app.',
  internal: 'This is a bug on our side. The details below help when reporting it.',
  busy: 'Wait for the current operation to finish, then try again.',
  nan: 'Training diverged. Lower the learning rate, try another preset, or use spectral normalization.',
};

export function describeError(err: unknown, action: string): Readable {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = e && typeof e.code === 'string' ? e.code : undefined;
  const message = e && typeof e.message === 'string' ? e.message : String(err);
  if (err instanceof TypeError && /fetch/i.test(message)) {
    return { title: `Could not ${action}`, detail: 'No connection to the backend.', hint: HINTS.transport };
  }
  return { title: `Could not ${action}`, detail: message, hint: code ? HINTS[code] : undefined };
}
