/**
 * Child process entry of the cluster row: one load generator holding the chargers of one
 * node (up to ~19,900 sockets under a 20,000 descriptor limit). It connects and boots them
 * when told, then keeps them connected and answers GetConfiguration at once, until told to
 * close. Forked by cluster.ts with the bench's loader (tsx).
 */
import type { GeneratorCommand, GeneratorReport } from './ipc.ts';
import { closeFleet, connectFleet, type CommandAnswerer, type Fleet } from './load.ts';

let fleet: Fleet | undefined;
let commandsAnswered = 0;
let commandsRefused = 0;

/** What a charger answers the GetConfiguration the bench sends through the nodes; other commands are refused. */
const answerCommand: CommandAnswerer = (action) => {
  if (action !== 'GetConfiguration') {
    commandsRefused++;
    return undefined;
  }
  commandsAnswered++;
  return { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] };
};

function send(report: GeneratorReport): Promise<void> {
  return new Promise((resolve) => process.send!(report, () => resolve()));
}

const describe = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

async function handle(command: GeneratorCommand): Promise<void> {
  switch (command.type) {
    case 'connect': {
      fleet = await connectFleet(command.chargerUrl, command.count, command.concurrency, { first: command.first, answerCommand });
      await send({ type: 'booted', booted: fleet.chargers.length, failures: fleet.failures, elapsedMs: fleet.elapsedMs });
      return;
    }
    case 'stats': {
      const open = fleet?.chargers.filter((charger) => charger.open).length ?? 0;
      await send({ type: 'stats', id: command.id, open, commandsAnswered, commandsRefused });
      return;
    }
    case 'close': {
      if (fleet) await closeFleet(fleet);
      await send({ type: 'closed' });
      process.exit(0);
    }
  }
}

process.on('message', (command: GeneratorCommand) => {
  handle(command).catch(async (error: unknown) => {
    await send({ type: 'failed', error: describe(error) });
    process.exit(1);
  });
});
// The bench went away (finished, crashed or was interrupted): the sockets go with this process.
process.on('disconnect', () => process.exit(0));

await send({ type: 'ready' });
