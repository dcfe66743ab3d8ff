import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A timestamptz column: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigint columns are parsed to number by both drivers (see db/connection.ts). */
type BigIntColumn = ColumnType<number, number | bigint, number | bigint>;

export interface ServerSettingsTable {
  key: string;
  value: string;
  created_at: CreatedAt;
}

/** How a charger is wired to its site's phases: one phase, or all three in this order. */
export const PHASE_CONNECTIONS = ['L1', 'L2', 'L3', 'L1L2L3', 'L2L3L1', 'L3L1L2'] as const;
export type PhaseConnection = (typeof PHASE_CONNECTIONS)[number];
export const BALANCING_PROFILES = ['TxProfile', 'TxDefaultProfile'] as const;
export type BalancingProfile = (typeof BALANCING_PROFILES)[number];
export type SmartChargingSupport = 'unknown' | 'supported' | 'unsupported';

export interface ChargePointsTable {
  id: Generated<number>;
  name: string;
  address: Generated<string>;
  latitude: number;
  longitude: number;
  price_per_kwh_ore: Generated<number>;
  reservation_amount_ore: Generated<number>;
  session_fee_ore: Generated<number>;
  /** The grid connection's current per phase, in amperes; null: no current limit. */
  max_current_a: number | null;
  /** The grid connection's power, in watts; null: no power limit. */
  max_power_w: number | null;
  phases: Generated<1 | 3>;
  /** Amperes per phase kept for the site's other loads. */
  reserve_current_a: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/**
 * The OCPP 1.6 ChargePointStatus values: what a connector reports, and the charger
 * statuses the apps see (the CHECK on chargers.status allows exactly these).
 */
export const CHARGER_STATUSES = [
  'Available', 'Preparing', 'Charging', 'SuspendedEVSE', 'SuspendedEV', 'Finishing', 'Reserved', 'Unavailable', 'Faulted',
] as const;
export type ChargerStatus = (typeof CHARGER_STATUSES)[number];

/** Whether a charger may work with the central system (OCPP BootNotification's answer); chargers.registration_status. */
export const REGISTRATION_STATUSES = ['Accepted', 'Pending', 'Rejected'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

export interface ChargersTable {
  id: Generated<number>;
  serial_number: string;
  charge_point_id: number | null;
  latitude: number | null;
  longitude: number | null;
  status: Generated<ChargerStatus>;
  dialect: Generated<string>;
  registration_status: Generated<RegistrationStatus>;
  password_hash: string | null;
  /** OCPP security profile 0–3 the charger must connect with (only ever raised). */
  security_profile: Generated<number>;
  vendor: string | null;
  model: string | null;
  charge_point_serial: string | null;
  charge_box_serial: string | null;
  firmware_version: string | null;
  iccid: string | null;
  imsi: string | null;
  meter_type: string | null;
  meter_serial: string | null;
  booted_at: Timestamp | null;
  diagnostics_status: string | null;
  firmware_status: string | null;
  /** The most current per phase it may draw, in amperes (its cable, its breaker). */
  max_current_a: Generated<number>;
  /** The site phases it is wired to, in its own phase order (chargers.phase_connection's CHECK). */
  phase_connection: Generated<PhaseConnection>;
  /** 1–10: weighs its share of the site, and who gets the minimum first when not every session can. */
  balancing_priority: Generated<number>;
  /** The purpose its balancing limits are sent as. */
  balancing_profile: Generated<BalancingProfile>;
  /** What it showed of SetChargingProfile; unsupported ones are counted at their maximum. */
  smart_charging: Generated<SmartChargingSupport>;
  /** Its NumberOfConnectors, once it told it; forgotten when it boots with another firmware version. */
  connector_count: number | null;
  /** A ChangeAvailability (of the whole charger) an admin asked for while it was offline, sent after its next boot. */
  pending_availability: ColumnType<'Operative' | 'Inoperative' | null, 'Operative' | 'Inoperative' | null | undefined, 'Operative' | 'Inoperative' | null>;
  online: Generated<boolean>;
  /** The node holding its socket while it is online. */
  node_id: string | null;
  /** When `online` last changed. */
  presence_at: Timestamp | null;
  last_seen_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ConnectorsTable {
  charger_id: number;
  connector_id: number;
  /**
   * Written from StatusNotifications only; the column has no CHECK, so what is read is not vouched for (see chargerStatusOf).
   * Null (with error_code, status_at and received_at) for a connector known from NumberOfConnectors that has not reported yet.
   */
  status: ColumnType<string | null, ChargerStatus | null | undefined, ChargerStatus>;
  error_code: ColumnType<string | null, string | null | undefined, string>;
  info: string | null;
  vendor_id: string | null;
  vendor_error_code: string | null;
  status_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
  received_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
}

/** Every StatusNotification a charger sent, in the order stored (`id`). */
export interface ConnectorStatusHistoryTable {
  id: Generated<string | number | bigint>;
  charger_id: number;
  connector_id: number;
  status: string;
  error_code: string;
  info: string | null;
  vendor_id: string | null;
  vendor_error_code: string | null;
  status_at: Timestamp;
  received_at: Timestamp;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  role: Generated<'user' | 'admin'>;
  password_hash: string;
  account_status: Generated<string>;
  enabled: Generated<boolean>;
  email_verified: Generated<boolean>;
  first_name: Generated<string>;
  last_name: Generated<string>;
  phone_number: Generated<string>;
  street_address: Generated<string>;
  zip_code: Generated<string>;
  city: Generated<string>;
  country: Generated<string>;
  token_version: Generated<number>;
  billing_name: Generated<string>;
  billing_address: Generated<string>;
  billing_postcode: Generated<string>;
  billing_town: Generated<string>;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface IdTagsTable {
  id: Generated<number>;
  id_tag: string;
  user_id: number | null;
  parent_id_tag: string | null;
  status: Generated<string>;
  expires_at: Timestamp | null;
  created_at: CreatedAt;
}

/** The local authorization list's current version (one row). */
export interface LocalListTable {
  singleton: Generated<boolean>;
  version: number;
}

/** The list version at which a card last changed (removed cards included); `tag_key` is the upper-cased idTag. */
export interface LocalListChangesTable {
  tag_key: string;
  id_tag: string;
  version: number;
}

/** charger_local_lists.status (its CHECK allows exactly these). */
export type LocalListSyncStatus = 'synced' | 'failed' | 'unsupported';

export interface ChargerLocalListsTable {
  charger_id: number;
  version: number | null;
  status: LocalListSyncStatus;
  max_entries: number | null;
  last_update_type: 'Full' | 'Differential' | null;
  last_result: string | null;
  last_attempt_at: Timestamp | null;
  updated_at: UpdatedAt;
}

/** reservations.status (its CHECK allows exactly these); the lifecycle is domain/reservationStatus.ts. */
export type ReservationStatus = 'Requested' | 'Accepted' | 'Rejected' | 'Cancelled' | 'Expired' | 'Used';

export interface ReservationsTable {
  id: Generated<number>;
  charger_id: number;
  connector_id: Generated<number>;
  user_id: number | null;
  id_tag: string;
  status: Generated<ReservationStatus>;
  expires_at: Timestamp;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** charging_sessions.status (its CHECK allows exactly these); the lifecycle is domain/sessions/status.ts. */
export type SessionStatus = 'Created' | 'Starting' | 'Charging' | 'Stopping' | 'Completed' | 'Failed' | 'Cancelled';

export interface ChargingSessionsTable {
  id: Generated<number>;
  charger_id: number | null;
  connector_id: number | null;
  user_id: number | null;
  id_tag: string | null;
  reservation_id: number | null;
  status: Generated<SessionStatus>;
  payment_method: Generated<string>;
  meter_start_wh: BigIntColumn | null;
  meter_stop_wh: BigIntColumn | null;
  energy_wh: ColumnType<number, number | undefined, number>;
  state_of_charge_percent: number | null;
  power_w: number | null;
  price_per_kwh_ore: Generated<number>;
  price_ore: number | null;
  discount_ore: Generated<number>;
  started_at: Timestamp | null;
  start_received_at: Timestamp | null;
  stopped_at: Timestamp | null;
  stop_reason: string | null;
  flags: Generated<string[]>;
  price_breakdown: ColumnType<PriceLine[] | null, string | null, string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** One hour of a session's price, or (kind "fee") the charge point's fee per session. */
export interface PriceLine {
  kind?: 'fee';
  hour: string;
  energyWh: number;
  pricePerKwhOre: number;
  amountOre: number;
}

export interface MeterValuesTable {
  session_id: number | null;
  charger_id: number;
  connector_id: number;
  sampled_at: Timestamp;
  received_at: CreatedAt;
  measurand: string;
  phase: string | null;
  location: string | null;
  context: string | null;
  value: number | null;
  raw_value: string;
  raw_unit: string | null;
}

export interface ElectricityTariffsTable {
  starts_at: Timestamp;
  price_per_kwh_ore: number;
  currency: Generated<string>;
}

/** payments.status; the lifecycle is domain/paymentStatus.ts. */
export type PaymentStatus = 'Open' | 'Authorized' | 'Released' | 'Captured' | 'Invoiced' | 'NothingOwed' | 'SettlementFailed';

export interface PaymentsTable {
  id: Generated<number>;
  session_id: number;
  provider: 'klarna' | 'invoice';
  /** Always written: the column's default ('Created') is none of these. */
  status: PaymentStatus;
  authorized_ore: Generated<number>;
  captured_ore: Generated<number>;
  refunded_ore: Generated<number>;
  klarna_session_id: string | null;
  klarna_client_token: string | null;
  klarna_order_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PaymentEventsTable {
  id: Generated<number>;
  payment_id: number;
  operation: string;
  idempotency_key: string;
  http_status: number | null;
  outcome: string;
  detail: string | null;
  created_at: CreatedAt;
}

export interface InvoicesTable {
  id: Generated<number>;
  number: number;
  user_id: number | null;
  period: ColumnType<Date, string, string>;
  issued_at: CreatedAt;
  due_at: Timestamp;
  status: Generated<'unpaid' | 'paid'>;
  net_ore: number;
  vat_ore: number;
  total_ore: number;
  paid_at: Timestamp | null;
}

export interface InvoiceLinesTable {
  id: Generated<number>;
  invoice_id: number;
  session_id: number | null;
  description: string;
  energy_wh: BigIntColumn;
  amount_ore: number;
}

export interface OcppMessagesTable {
  id: Generated<number>;
  charger_id: number | null;
  identity: string;
  direction: 'in' | 'out';
  frame: string;
  at: ColumnType<Date, Date | string | undefined, never>;
}

export interface AccountCodesTable {
  id: Generated<number>;
  user_id: number;
  purpose: 'verify' | 'reset';
  code_hash: string;
  attempts: Generated<number>;
  expires_at: Timestamp;
  created_at: CreatedAt;
}

export interface RefreshTokensTable {
  id: Generated<number>;
  user_id: number;
  token_hash: string;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface IngestCheckpointsTable {
  journal_id: string;
  applied_seq: BigIntColumn;
  updated_at: UpdatedAt;
}

/** A running node's lease; it is alive while `expires_at` is ahead. */
export interface NodeLeasesTable {
  node_id: string;
  started_at: Generated<Timestamp>;
  expires_at: Timestamp;
}

/** Who does a once-only job now, until when. */
export interface JobLeasesTable {
  name: string;
  node_id: string;
  expires_at: Timestamp;
}

/** A security event, GetLog status or signed-firmware status a charger reported (Security Whitepaper). */
export interface SecurityEventsTable {
  id: Generated<number>;
  charger_id: number;
  kind: 'security' | 'log' | 'firmware';
  type: string;
  tech_info: string | null;
  critical: Generated<boolean>;
  request_id: number | null;
  timestamp: Timestamp;
  received_at: CreatedAt;
}

/** The last ChangeConfiguration of a key: the charger's answer, or Failed (no answer in time, or a CALLERROR). */
export const CONFIGURATION_CHANGE_STATUSES = ['Accepted', 'RebootRequired', 'Rejected', 'NotSupported', 'Failed'] as const;
export type ConfigurationChangeStatus = (typeof CONFIGURATION_CHANGE_STATUSES)[number];

export interface ChargerConfigurationReadsTable {
  charger_id: number;
  unknown_keys: ColumnType<string[], string[] | undefined, string[]>;
  read_at: Timestamp;
}

export interface ChargerConfigurationTable {
  charger_id: number;
  key: string;
  value: string | null;
  readonly: boolean | null;
  read_at: Timestamp | null;
  change_status: ConfigurationChangeStatus | null;
  change_value: string | null;
  change_error: string | null;
  /** The CommandSubsystem that sent the change. */
  change_by: string | null;
  changed_at: Timestamp | null;
}

export interface DesiredConfigurationTable {
  id: Generated<number>;
  charge_point_id: number | null;
  charger_id: number | null;
  key: string;
  value: string;
  updated_at: UpdatedAt;
}

/** charging_profiles.purpose: the three OCPP 1.6 ChargingProfilePurposeType values. */
export type ChargingProfilePurpose = 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
/** charging_profiles.status: the charger's last answer to a SetChargingProfile of it, or Failed without one. */
export type ChargingProfileStatus = 'Accepted' | 'Rejected' | 'Failed';

/** connector_allocations.status: where the balancer's limit for a connector stands. */
export type AllocationStatus = 'pending' | 'accepted' | 'rejected' | 'failed' | 'unsupported';

/** The limit the load balancer gives a running connector, and the one the charger last accepted. */
export interface ConnectorAllocationsTable {
  charger_id: number;
  connector_id: number;
  charge_point_id: number;
  session_id: number | null;
  current_a: number;
  phases: 1 | 3;
  /** null: the charger never accepted one, so it draws its maximum. */
  in_force_a: number | null;
  status: AllocationStatus;
  error: string | null;
  /** What set the limit: the charger's own maximum, the car's demand, the site, a plan, or waiting for the minimum. */
  limited_by: string;
  computed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  accepted_at: Timestamp | null;
}

/** One stretch of a charging plan: from startsAt to endsAt at currentA per phase. */
export interface PlanPeriod {
  startsAt: string;
  endsAt: string;
  currentA: number;
  energyWh: number;
  pricePerKwhOre: number;
}

export interface ChargingPlansTable {
  session_id: number;
  ready_by: Timestamp;
  energy_wh: number;
  periods: ColumnType<PlanPeriod[], string, string>;
  planned_energy_wh: number;
  expected_cost_ore: number;
  currency: string;
  created_at: CreatedAt;
}

/** A charging profile set on a charger, as sent (`profile` is the csChargingProfiles). */
export interface ChargingProfilesTable {
  charger_id: number;
  profile_id: number;
  connector_id: number;
  purpose: ChargingProfilePurpose;
  stack_level: number;
  transaction_id: number | null;
  profile: ColumnType<Record<string, unknown>, string, string>;
  status: ChargingProfileStatus;
  error: string | null;
  set_by: number | null;
  applied_at: UpdatedAt;
  created_at: CreatedAt;
}

/** The outcome of a command (src/domain/commandHistory.ts); `pending` while it is in flight. */
export const COMMAND_OUTCOMES = ['pending', 'answered', 'callError', 'timeout', 'offline', 'invalid', 'unavailable', 'failed'] as const;
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

/** A jsonb column: written as JSON text, read as the parsed value. */
type JsonColumn = ColumnType<unknown, string, string>;

/** One command sent to a charger, with who sent it and how it ended. */
export interface CommandHistoryTable {
  id: string;
  charger_id: number;
  connector_id: number | null;
  action: string;
  subsystem: string;
  user_id: number | null;
  node_id: string;
  request: JsonColumn;
  outcome: CommandOutcome;
  status: string | null;
  response: ColumnType<unknown, string | null, string | null>;
  error_code: string | null;
  error_message: string | null;
  sent_at: Timestamp;
  finished_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  duration_ms: number | null;
}

/** What a job for a firmware file is at: Requested until the charger reports, then its FirmwareStatusNotification status. */
export const FIRMWARE_JOB_STATUSES = [
  'Requested', 'Downloading', 'Downloaded', 'DownloadFailed', 'Installing', 'Installed', 'InstallationFailed', 'Superseded',
] as const;
export type FirmwareJobStatus = (typeof FIRMWARE_JOB_STATUSES)[number];

/** What a GetDiagnostics job is at: Requested until the charger reports, then its DiagnosticsStatusNotification status. */
export const DIAGNOSTICS_JOB_STATUSES = ['Requested', 'Uploading', 'Uploaded', 'UploadFailed', 'Superseded'] as const;
export type DiagnosticsJobStatus = (typeof DIAGNOSTICS_JOB_STATUSES)[number];

/** bytea: a Buffer from `pg`, a Uint8Array from PGlite. */
type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

export interface FirmwareFilesTable {
  id: Generated<number>;
  name: string;
  version: string | null;
  size_bytes: number;
  sha256: string;
  content: Bytes;
  uploaded_by: number | null;
  created_at: CreatedAt;
}

export interface FirmwareJobsTable {
  id: Generated<number>;
  charger_id: number;
  firmware_id: number | null;
  token: string;
  retrieve_date: Timestamp;
  retries: number | null;
  retry_interval: number | null;
  status: Generated<FirmwareJobStatus>;
  requested_by: number | null;
  downloads: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface DiagnosticsJobsTable {
  id: Generated<number>;
  charger_id: number;
  token: string;
  start_time: Timestamp | null;
  stop_time: Timestamp | null;
  retries: number | null;
  retry_interval: number | null;
  file_name: string | null;
  status: Generated<DiagnosticsJobStatus>;
  requested_by: number | null;
  content: Bytes | null;
  content_type: string | null;
  size_bytes: number | null;
  received_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** A status a charger reported for a firmware or diagnostics job. */
export interface JobStepsTable {
  id: Generated<number>;
  job_id: number;
  status: string;
  received_at: CreatedAt;
}

export interface Database {
  charger_configuration_reads: ChargerConfigurationReadsTable;
  charger_configuration: ChargerConfigurationTable;
  desired_configuration: DesiredConfigurationTable;
  charging_profiles: ChargingProfilesTable;
  connector_allocations: ConnectorAllocationsTable;
  charging_plans: ChargingPlansTable;
  command_history: CommandHistoryTable;
  firmware_files: FirmwareFilesTable;
  firmware_jobs: FirmwareJobsTable;
  firmware_job_steps: JobStepsTable;
  diagnostics_jobs: DiagnosticsJobsTable;
  diagnostics_job_steps: JobStepsTable;
  security_events: SecurityEventsTable;
  node_leases: NodeLeasesTable;
  job_leases: JobLeasesTable;
  ingest_checkpoints: IngestCheckpointsTable;
  account_codes: AccountCodesTable;
  refresh_tokens: RefreshTokensTable;
  ocpp_messages: OcppMessagesTable;
  server_settings: ServerSettingsTable;
  charge_points: ChargePointsTable;
  chargers: ChargersTable;
  connectors: ConnectorsTable;
  connector_status_history: ConnectorStatusHistoryTable;
  users: UsersTable;
  id_tags: IdTagsTable;
  local_list: LocalListTable;
  local_list_changes: LocalListChangesTable;
  charger_local_lists: ChargerLocalListsTable;
  reservations: ReservationsTable;
  charging_sessions: ChargingSessionsTable;
  meter_values: MeterValuesTable;
  electricity_tariffs: ElectricityTariffsTable;
  payments: PaymentsTable;
  payment_events: PaymentEventsTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
}

export type ChargePointRow = Selectable<ChargePointsTable>;
export type ChargerRow = Selectable<ChargersTable>;
export type NewCharger = Insertable<ChargersTable>;
export type ChargerUpdate = Updateable<ChargersTable>;
export type UserRow = Selectable<UsersTable>;
