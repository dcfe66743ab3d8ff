import type { Handler } from './context.ts';

/** Liveness is tracked for every frame; Heartbeat's own job is the clock. */
export const Heartbeat: Handler = async () => ({ response: { currentTime: new Date().toISOString() } });
