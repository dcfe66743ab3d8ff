import type { State } from './fleetModel.ts';
import { stateName } from './fleetNames.ts';

/** A state as a coloured dot and words (never colour alone): its name unless `text` says more. */
export function StateWord({ state, text }: { state: State | null; text?: string }) {
  return <span class={`fleet-state state-${state ?? 'empty'}`}>{text ?? stateName(state)}</span>;
}
