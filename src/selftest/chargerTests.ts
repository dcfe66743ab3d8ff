import { callsReceived, simulate, type TestContext } from './context.ts';
import { insertReservation, insertStartingSession, sessionStatus, uniqueIdTag } from './fixture.ts';
import { check } from './waits.ts';

/** The tag the FlexiCharge firmware is reserved for and starts with (it int()s idTags). */
const RESERVED_TAG = '1';
const RESERVATION_MS = 15 * 60_000;

/**
 * The original's charger tests, over a real socket: a simulated FlexiCharge charger boots,
 * is reserved, started and stopped by the server, then drops its connection, which the
 * server must let go of.
 */
export async function runChargerTests(context: TestContext): Promise<void> {
  const { deps, fixture, waits, results } = context;
  const { db, gateway } = deps;
  const chargerId = fixture.charger.id;
  const { sim, connect } = simulate(context, fixture.charger);
  let held = false;

  await results.run('BootNotification', async () => {
    await waits.within(connect(), 'connection to the OCPP server');
    const conf = await waits.within(sim.boot(), 'answer to BootNotification');
    check(conf?.status === 'Accepted', `BootNotification was answered ${JSON.stringify(conf)}`);
    check(typeof conf.currentTime === 'string' && Number.isInteger(conf.interval), `the BootNotification answer lacks currentTime or interval: ${JSON.stringify(conf)}`);
    held = await gateway.isConnected(chargerId);
    check(held, 'the server does not hold the connected charger');
    const bootData = await waits.until(() => sim.bootData, 'the BootData DataTransfer');
    const [transfer] = callsReceived(sim, 'DataTransfer');
    check(
      transfer && typeof transfer.vendorId === 'string' && typeof transfer.messageId === 'string' && typeof transfer.data === 'string',
      `the DataTransfer does not have string vendorId, messageId and data: ${JSON.stringify(transfer)}`,
    );
    check(bootData.connectorID === chargerId, `BootData names connectorID ${JSON.stringify(bootData.connectorID)}, not ${chargerId}`);
    check(typeof bootData.chargingPrice === 'number' && Number.isFinite(bootData.chargingPrice), `BootData has no numeric chargingPrice: ${transfer.data}`);
  });

  // Before the start: the FlexiCharge firmware then starts only for the reserved tag.
  await results.run('ReserveNow', async () => {
    const expiresAt = new Date(Date.now() + RESERVATION_MS);
    const reservationId = await insertReservation(db, fixture, RESERVED_TAG, expiresAt);
    const from = sim.received.length;
    const answer = await waits.within(
      gateway.send(chargerId, 'ReserveNow', { connectorId: 1, expiryDate: expiresAt.toISOString(), idTag: RESERVED_TAG, reservationId }, { subsystem: 'selftest' }),
      'answer to ReserveNow',
    );
    check(answer.status === 'Accepted', `ReserveNow was answered ${answer.status}`);
    await db.updateTable('reservations').set({ status: 'Accepted', updated_at: new Date() }).where('id', '=', reservationId).execute();
    const [sent] = callsReceived(sim, 'ReserveNow', from);
    check(
      sent && sent.connectorID === 1 && sent.reservationID === reservationId && sent.idTag === 1,
      `the charger received ReserveNow without connectorID 1, reservationID ${reservationId} and integer idTag 1: ${JSON.stringify(sent)}`,
    );
  });

  let sessionId: number | undefined;
  await results.run('RemoteStartTransaction', async () => {
    const idTag = uniqueIdTag();
    const id = await insertStartingSession(db, fixture, chargerId, idTag, fixture.reservationIds[0]);
    const from = sim.received.length;
    const answer = await waits.within(gateway.send(chargerId, 'RemoteStartTransaction', { connectorId: 1, idTag }, { subsystem: 'selftest' }), 'answer to RemoteStartTransaction');
    check(answer.status === 'Accepted', `RemoteStartTransaction was answered ${answer.status}`);
    const [sent] = callsReceived(sim, 'RemoteStartTransaction', from);
    check(sent && sent.connectorID === 1 && Number.isInteger(sent.idTag), `the charger received RemoteStartTransaction without connectorID 1 and an integer idTag: ${JSON.stringify(sent)}`);
    await waits.until(async () => (await sessionStatus(db, id)) === 'Charging', `session ${id} to be Charging after the charger's StartTransaction`);
    await waits.until(() => sim.connector(1).transactionId === id, `the charger to receive transactionId ${id} for its StartTransaction`);
    sessionId = id;
  });

  await results.run('RemoteStopTransaction', async () => {
    check(sessionId !== undefined, 'there is no running session to stop (RemoteStartTransaction failed)');
    const from = sim.received.length;
    const answer = await waits.within(gateway.send(chargerId, 'RemoteStopTransaction', { transactionId: sessionId }, { subsystem: 'selftest' }), 'answer to RemoteStopTransaction');
    check(answer.status === 'Accepted', `RemoteStopTransaction was answered ${answer.status}`);
    const [sent] = callsReceived(sim, 'RemoteStopTransaction', from);
    check(sent && sent.transactionID === sessionId, `the charger received RemoteStopTransaction without transactionID ${sessionId}: ${JSON.stringify(sent)}`);
    const id = sessionId;
    await waits.until(async () => (await sessionStatus(db, id)) === 'Completed', `session ${id} to be Completed after the charger's StopTransaction`);
  });

  await results.run('ChargerMemoryLeak : ChargerTests', async () => {
    check(held, 'the charger never connected, so there is nothing to release');
    sim.terminate();
    await waits.until(async () => !(await gateway.isConnected(chargerId)), 'the server to let go of the dropped charger');
  });
}
