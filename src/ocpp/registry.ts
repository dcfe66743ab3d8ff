import type { ChargerId } from '../domain/units.ts';
import type { ChargerConnection } from './connection.ts';

/** The live connection of each charger; at most one per charger. */
export class ConnectionRegistry {
  readonly #byCharger = new Map<ChargerId, ChargerConnection>();

  get(chargerId: ChargerId): ChargerConnection | undefined {
    return this.#byCharger.get(chargerId);
  }

  /** Registers `connection`, returning the one it replaces (a charger that reconnected). */
  add(connection: ChargerConnection): ChargerConnection | undefined {
    const previous = this.#byCharger.get(connection.chargerId);
    this.#byCharger.set(connection.chargerId, connection);
    return previous === connection ? undefined : previous;
  }

  /** Unregisters `connection` only if it is still the current one; true when it was. */
  remove(connection: ChargerConnection): boolean {
    if (this.#byCharger.get(connection.chargerId) !== connection) return false;
    this.#byCharger.delete(connection.chargerId);
    return true;
  }

  get size(): number {
    return this.#byCharger.size;
  }

  values(): IterableIterator<ChargerConnection> {
    return this.#byCharger.values();
  }
}
