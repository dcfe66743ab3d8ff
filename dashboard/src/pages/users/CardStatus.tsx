/** An RFID card's status (OCPP AuthorizationStatus): whether a charger accepts it. */
export function CardStatus({ status }: { status: string }) {
  const tone = status === 'Accepted' ? 'ok' : status === 'Blocked' ? 'bad' : 'warn';
  return <span class={`badge ${tone}`}>{status}</span>;
}
