import { simulate, type TestContext } from './context.ts';
import { insertStartingSession, sessionStatus, uniqueIdTag } from './fixture.ts';
import { liveFrameProblem } from './liveFrame.ts';
import { LiveUserSocket } from './userSocket.ts';
import { check, describeError } from './waits.ts';

/**
 * The original's live-metrics tests: the temporary user's app listens on its live socket
 * while its session charges on the temporary charger; a MeterValues from the charger must
 * reach the app in the MeterValues frame. Then both drop their connections, and the server
 * must let go of the user and of the charger.
 */
export async function runLiveMetricsTests(context: TestContext): Promise<void> {
  const { deps, fixture, waits, results } = context;
  const { db, gateway } = deps;
  const chargerId = fixture.liveCharger.id;
  const { sim, connect } = simulate(context, fixture.liveCharger);
  let socket: LiveUserSocket | undefined;
  let usersBefore = deps.liveUsers();
  let sessionId: number | undefined;
  let held = false;

  await results.run('MeterValues', async () => {
    const token = await deps.tokens.issue({ userId: fixture.userId, role: 'user', tokenVersion: 0, email: fixture.email });
    usersBefore = deps.liveUsers();
    const opening = LiveUserSocket.open(`${deps.ocppUrl}/user/${fixture.userId}?token=${encodeURIComponent(token)}`, waits.timeoutMs);
    // Also when the wait below gives up on it: the handshake timeout bounds it.
    context.cleanups.push(() => opening.then((opened) => opened.terminate(), () => undefined));
    const opened = await waits.within(opening, 'live-metrics socket');
    socket = opened;

    await waits.within(connect(), 'connection to the OCPP server');
    const conf = await waits.within(sim.boot(), 'answer to BootNotification');
    check(conf?.status === 'Accepted', `BootNotification was answered ${JSON.stringify(conf)}`);
    held = await gateway.isConnected(chargerId);

    const idTag = uniqueIdTag();
    const id = await insertStartingSession(db, fixture, chargerId, idTag);
    const answer = await waits.within(gateway.send(chargerId, 'RemoteStartTransaction', { connectorId: 1, idTag }, { subsystem: 'selftest' }), 'answer to RemoteStartTransaction');
    check(answer.status === 'Accepted', `RemoteStartTransaction was answered ${answer.status}`);
    await waits.until(async () => (await sessionStatus(db, id)) === 'Charging', `session ${id} to be Charging`);
    sessionId = id;

    const from = opened.frames.length;
    await waits.within(sim.sendMeterValues(1), 'answer to MeterValues');
    const frame = await waits.until(
      () => opened.frames.slice(from).find((f) => Array.isArray(f) && f[2] === 'MeterValues') as unknown[] | undefined,
      'a MeterValues frame on the user socket',
    );
    const problem = liveFrameProblem(frame);
    check(problem === undefined, `the MeterValues frame has the wrong shape (${problem}): ${JSON.stringify(frame)}`);
    const payload = frame[3] as { connectorId: number; transactionId: number };
    check(payload.transactionId === id && payload.connectorId === 1, `the MeterValues frame is for transaction ${payload.transactionId} on connector ${payload.connectorId}, not ${id} on 1`);
  });

  // Not a test: the session ends as sessions do, so the server keeps no state for it.
  if (sessionId !== undefined) {
    const id = sessionId;
    try {
      await waits.within(gateway.send(chargerId, 'RemoteStopTransaction', { transactionId: id }, { subsystem: 'selftest' }), 'answer to RemoteStopTransaction');
      await waits.until(async () => (await sessionStatus(db, id)) === 'Completed', `session ${id} to be Completed`);
    } catch (error) {
      deps.logger?.warn({ sessionId: id, run: fixture.suffix }, `OCPP self-test: could not stop the live-metrics session: ${describeError(error)}`);
    }
  }

  await results.run('UserMemoryLeak', async () => {
    check(socket?.open, 'the live-metrics socket never opened, so there is nothing to release');
    const usersWhileOpen = deps.liveUsers();
    socket.terminate();
    // Real users may connect or leave meanwhile: either fewer users than while ours was
    // connected, or no more than before it connected, shows ours is gone.
    await waits.until(() => {
      const users = deps.liveUsers();
      return users < usersWhileOpen || users <= usersBefore;
    }, 'the server to let go of the disconnected user');
  });

  await results.run('ChargerMemoryLeak : LiveMetricsTests', async () => {
    check(held, 'the charger never connected, so there is nothing to release');
    sim.terminate();
    await waits.until(async () => !(await gateway.isConnected(chargerId)), 'the server to let go of the dropped charger');
  });
}
