/** What `GET /chargePoints/:id/load` and `GET /chargePoints/:id/load/history` answer. */

export interface SiteLoadConnector {
  chargerID: number;
  connectorID: number;
  serialNumber: string;
  sessionID: number;
  priority: number;
  smartCharging: 'unknown' | 'supported' | 'unsupported';
  profilePurpose: 'TxProfile' | 'TxDefaultProfile';
  maxCurrentA: number;
  /** null while the balancer has given it no limit. */
  allocatedCurrentA: number | null;
  inForceCurrentA: number | null;
  status: 'pending' | 'accepted' | 'rejected' | 'failed' | 'unsupported' | null;
  limitedBy: string | null;
  powerW: number | null;
  online: boolean;
}

export interface SiteLoad {
  chargePointID: number;
  phases: 1 | 3;
  availableCurrentA: number | null;
  limitW: number | null;
  loadW: number;
  allocatedCurrentA: { L1: number; L2: number; L3: number };
  balancedAt: string | null;
  connectors: SiteLoadConnector[];
}

export interface SiteLoadHistory {
  chargePointID: number;
  from: string;
  to: string;
  stepSeconds: number;
  limitW: number | null;
  points: { at: string; loadW: number }[];
}
