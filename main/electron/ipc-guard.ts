/**
 * Every IPC handler goes through here: the channel must be on the allow-list, the sender must be the app's
 * own top-level page (event.senderFrame), and the arguments must pass the channel's schema. Rejections are
 * returned as ApiResult errors (never thrown across IPC) and logged.
 */
import { z } from 'zod';
import { isCallName, type ApiResult } from '../../shared/api';
import { IPC, type IpcChannel } from './channels';
import { isAppUrl } from './security';

export { IPC, type IpcChannel };
/** The only channels the renderer may invoke. */
export const INVOKE_CHANNELS: readonly IpcChannel[] = [IPC.call, IPC.dialog];

/** The part of an IpcMainInvokeEvent the guard reads (a fake in tests). */
export interface IpcEventLike {
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
}

export const forbidden = (message: string): ApiResult<never> => ({ ok: false, error: { code: 'forbidden', message } });
export const badRequest = (message: string): ApiResult<never> => ({ ok: false, error: { code: 'invalid_request', message } });

/** True when the event comes from the app's own page in the top frame (not an iframe, not another origin). */
export function isTrustedSender(event: IpcEventLike, appUrl: string): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // destroyed or navigated away
  if (frame.parent) return false; // subframes never talk to the API
  return isAppUrl(frame.url, appUrl);
}

/** The argument schema of the API call channel: a known call name and a request (checked again by the services). */
export const CallArgs = z.tuple([z.string().refine(isCallName, 'unknown call'), z.unknown()]);

export interface GuardOptions {
  appUrl: () => string;
  log?: (message: string) => void;
}

export function createIpcGuard(ipc: IpcMainLike, opts: GuardOptions) {
  const registered = new Set<string>();
  const log = opts.log ?? ((m: string) => console.warn(`[ipc] ${m}`));
  return {
    /** Register `handler` on an allow-listed channel; `schema` validates the argument tuple first. */
    handle<S extends z.ZodType<unknown[]>>(channel: IpcChannel, schema: S, handler: (args: z.infer<S>) => Promise<unknown> | unknown): void {
      if (!INVOKE_CHANNELS.includes(channel)) throw new Error(`IPC channel '${channel}' is not on the allow-list`);
      if (registered.has(channel)) throw new Error(`IPC channel '${channel}' already has a handler`);
      registered.add(channel);
      ipc.handle(channel, async (event: IpcEventLike, ...args: unknown[]) => {
        if (!isTrustedSender(event, opts.appUrl())) {
          log(`refused ${channel} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
          return forbidden('Calls are accepted only from the app window');
        }
        const parsed = schema.safeParse(args);
        if (!parsed.success) {
          return badRequest(`${channel}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ')}`);
        }
        try {
          return await handler(parsed.data);
        } catch (err) {
          return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } } satisfies ApiResult<never>;
        }
      });
    },
    channels: () => [...registered],
  };
}
