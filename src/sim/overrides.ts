import { CallError } from './errors.ts';
import { isObject } from './payloadChecks.ts';

type Answer = (payload: unknown) => object;

const accepted: Answer = () => ({ status: 'Accepted' });
const rejected: Answer = () => ({ status: 'Rejected' });

/** Positive `.conf` per action, where it is not `{status: "Accepted"}`. */
const positive: Partial<Record<string, Answer>> = {
  GetConfiguration: () => ({ configurationKey: [], unknownKey: [] }),
  GetDiagnostics: () => ({ fileName: 'diagnostics.log' }),
  GetLocalListVersion: () => ({ listVersion: 0 }),
  UnlockConnector: () => ({ status: 'Unlocked' }),
  UpdateFirmware: () => ({}),
};

/** Negative `.conf` per action, where it is not `{status: "Rejected"}`. */
const negative: Partial<Record<string, Answer>> = {
  ClearChargingProfile: () => ({ status: 'Unknown' }),
  // Every requested key unknown.
  GetConfiguration: (payload) => ({ configurationKey: [], unknownKey: isObject(payload) && Array.isArray(payload.key) ? payload.key : [] }),
  // No fileName: no diagnostics available.
  GetDiagnostics: () => ({}),
  // -1: no local authorization list support.
  GetLocalListVersion: () => ({ listVersion: -1 }),
  SendLocalList: () => ({ status: 'Failed' }),
  UnlockConnector: () => ({ status: 'UnlockFailed' }),
  // UpdateFirmware.conf is empty and has no negative form; the only refusal is an error.
  UpdateFirmware: () => {
    throw new CallError('NotSupported', 'firmware updates are refused');
  },
};

/** The answer an `'accept'` or `'reject'` override gives; throws a CallError for a CALLERROR. */
export function overrideAnswer(action: string, override: 'accept' | 'reject', payload: unknown): object {
  const answer = override === 'accept' ? (positive[action] ?? accepted) : (negative[action] ?? rejected);
  return answer(payload);
}
