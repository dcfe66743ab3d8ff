export { ChargerSimulator, type SimulatorEvents } from './simulator.ts';
export { simulateMany } from './simulateMany.ts';
export { CallError, ConnectionRefusedError } from './errors.ts';
export { FLEXICHARGE_CALL_ID } from './flexichargeDialect.ts';
export type { ActionOverride, SimDialect, SimulatorOptions } from './options.ts';
export type { ConnectorSnapshot } from './connector.ts';
export type { BootData } from './dialect.ts';
