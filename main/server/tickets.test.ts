import { describe, expect, it } from 'vitest';
import { createTickets } from './tickets';

describe('events tickets', () => {
  it('are random, and good for one use', () => {
    const tickets = createTickets();
    const a = tickets.issue();
    expect(a).not.toBe(tickets.issue());
    expect(tickets.redeem(a)).toBe(true);
    expect(tickets.redeem(a)).toBe(false);
    expect(tickets.redeem('0'.repeat(48))).toBe(false);
    expect(tickets.redeem(null)).toBe(false);
  });

  it('expire after their time to live, used or not', () => {
    let t = 0;
    const tickets = createTickets(1000, () => t);
    const a = tickets.issue();
    const b = tickets.issue();
    t = 999;
    expect(tickets.redeem(a)).toBe(true);
    t = 1000;
    expect(tickets.redeem(b)).toBe(false);
  });
});
