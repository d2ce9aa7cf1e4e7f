/**
 * One-time tickets for the events WebSocket. A browser cannot put a custom header on a WebSocket handshake, and the
 * cookie reaches it from any local port, so the page trades its header token for a ticket (POST /events/ticket) and
 * opens /events?ticket=…: used once, within seconds.
 */
import { randomBytes } from 'node:crypto';

export const TICKET_TTL_MS = 30_000;

export interface Tickets {
  issue(): string;
  /** True once per live ticket; the ticket is gone afterwards either way. */
  redeem(ticket: string | null | undefined): boolean;
}

export function createTickets(ttlMs = TICKET_TTL_MS, now: () => number = Date.now): Tickets {
  const expiries = new Map<string, number>();
  return {
    issue() {
      for (const [t, expiry] of expiries) if (expiry <= now()) expiries.delete(t);
      const ticket = randomBytes(24).toString('hex');
      expiries.set(ticket, now() + ttlMs);
      return ticket;
    },
    redeem(ticket) {
      if (!ticket) return false;
      const expiry = expiries.get(ticket);
      expiries.delete(ticket);
      return expiry !== undefined && expiry > now();
    },
  };
}
