/** Routes a call by name to its handler, validating the request and the response against shared/api.ts. */
import { ApiError, type ApiResult, type CallName, type CallResponse, calls, isCallName, parseRequest } from '../../shared/api';
import type { z } from 'zod';

export type Handlers = {
  [K in CallName]: (req: z.infer<(typeof calls)[K]['req']>) => Promise<CallResponse<K>>;
};

export async function dispatch(handlers: Handlers, name: unknown, rawReq: unknown): Promise<ApiResult<unknown>> {
  if (!isCallName(name)) return { ok: false, error: { code: 'unknown_call', message: `Unknown call: ${String(name).slice(0, 100)}` } };
  const req = parseRequest(name, rawReq);
  if (!req.ok) return req;
  try {
    const value = await (handlers[name] as (r: unknown) => Promise<unknown>)(req.value);
    const checked = calls[name].res.safeParse(value);
    if (!checked.success) {
      console.error(`[api] ${name} produced an invalid response`, checked.error.issues);
      return { ok: false, error: { code: 'internal', message: `${name} produced an invalid response` } };
    }
    return { ok: true, value: checked.data };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, error: err.toShape() };
    const message = err instanceof Error ? err.message : String(err);
    console.error(`[api] ${name} failed:`, err);
    return { ok: false, error: { code: 'internal', message } };
  }
}
