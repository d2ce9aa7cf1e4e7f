/** Pushed events from services to whichever transport is listening, validated before they leave. */
import { type EventName, type EventPayload, parseEvent } from '../../shared/api';

export type EventSink = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export class EventBus {
  private readonly sinks = new Set<EventSink>();

  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const parsed = parseEvent(name, payload);
    if (!parsed.ok) {
      // A malformed event is a bug on our side: report it, never crash the host process.
      console.error(`[events] dropped: ${parsed.error.message}`);
      return;
    }
    for (const sink of this.sinks) {
      try {
        sink(name, parsed.value);
      } catch (err) {
        console.error(`[events] a listener failed on ${name}:`, err);
      }
    }
  }
}
