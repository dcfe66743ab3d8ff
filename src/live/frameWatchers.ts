import type { Bus } from '../domain/bus.ts';
import type { ChargerId } from '../domain/units.ts';

/**
 * Which chargers' OCPP frames the operators on any node watch now, as the nodes announce it
 * (`framesWatched`). The OCPP server asks `has` for every frame, so the answer is one Set
 * lookup; a node's announcement lapses after its `ttlMs` unless renewed, so a node that died
 * while its operators watched stops costing the others.
 */
export class FrameWatchers {
  readonly #byNode = new Map<string, { chargerIds: ChargerId[]; lapse: NodeJS.Timeout }>();
  #watched = new Set<ChargerId>();
  readonly #unsubscribe: () => void;

  constructor(bus: Bus) {
    this.#unsubscribe = bus.subscribe('framesWatched', ({ nodeId, chargerIds, ttlMs }) => this.#announced(nodeId, chargerIds, ttlMs));
  }

  has(chargerId: ChargerId): boolean {
    return this.#watched.has(chargerId);
  }

  close(): void {
    this.#unsubscribe();
    for (const { lapse } of this.#byNode.values()) clearTimeout(lapse);
    this.#byNode.clear();
    this.#watched = new Set();
  }

  #announced(nodeId: string, chargerIds: ChargerId[], ttlMs: number): void {
    const previous = this.#byNode.get(nodeId);
    if (previous) clearTimeout(previous.lapse);
    if (chargerIds.length === 0) {
      this.#byNode.delete(nodeId);
    } else {
      const lapse = setTimeout(() => {
        this.#byNode.delete(nodeId);
        this.#rebuild();
      }, ttlMs);
      lapse.unref();
      this.#byNode.set(nodeId, { chargerIds, lapse });
    }
    this.#rebuild();
  }

  #rebuild(): void {
    const watched = new Set<ChargerId>();
    for (const { chargerIds } of this.#byNode.values()) for (const chargerId of chargerIds) watched.add(chargerId);
    this.#watched = watched;
  }
}
