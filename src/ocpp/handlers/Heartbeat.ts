import type { Answer } from './context.ts';

/** Liveness is tracked for every frame; Heartbeat's own job is the clock. */
export async function Heartbeat(): Promise<Answer<'Heartbeat'>> {
  return { response: { currentTime: new Date().toISOString() } };
}
