/** A connector or charger status (OCPP ChargePointStatus), coloured by what it means for a driver. */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  const value = status ?? 'Unknown';
  const tone = value === 'Available' ? 'ok'
    : value === 'Charging' || value === 'Preparing' || value === 'Finishing' || value.startsWith('Suspended') ? 'busy'
      : value === 'Faulted' ? 'bad'
        : value === 'Unavailable' || value === 'Reserved' ? 'warn' : 'neutral';
  return <span class={`badge ${tone}`}>{value}</span>;
}

/** Online or offline, as a dot and a word (never colour alone). */
export function OnlineBadge({ online, labels }: { online: boolean; labels: { online: string; offline: string } }) {
  return <span class={`presence ${online ? 'on' : 'off'}`}>{online ? labels.online : labels.offline}</span>;
}
