/** A run, checkpoint, snapshot or output file that cannot be used, named so the user can find it. */
export class ExportError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ExportError';
  }
}
