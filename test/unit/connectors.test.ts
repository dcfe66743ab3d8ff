import { describe, expect, it } from 'vitest';
import { availabilityOfStatus } from '../../src/domain/availability.ts';
import { connectorCountOf, connectorStatusOf, MAX_CONNECTORS } from '../../src/domain/connectors.ts';

describe('connectorCountOf', () => {
  const answer = (value?: string, key = 'NumberOfConnectors') => ({ configurationKey: [{ key, readonly: true, ...(value === undefined ? {} : { value }) }] });

  it('reads a believable NumberOfConnectors', () => {
    expect(connectorCountOf(answer('2'))).toBe(2);
    expect(connectorCountOf(answer(' 1 '))).toBe(1);
    expect(connectorCountOf(answer(String(MAX_CONNECTORS)))).toBe(MAX_CONNECTORS);
  });

  it('gives nothing for an unknown key, no value, or a value that is no connector count', () => {
    expect(connectorCountOf({ unknownKey: ['NumberOfConnectors'] })).toBeUndefined();
    expect(connectorCountOf({})).toBeUndefined();
    expect(connectorCountOf(answer())).toBeUndefined();
    expect(connectorCountOf(answer('2', 'numberofconnectors'))).toBeUndefined();
    for (const value of ['0', '-1', '1.5', 'two', '', String(MAX_CONNECTORS + 1), '1e3']) expect(connectorCountOf(answer(value))).toBeUndefined();
  });
});

describe('connectorStatusOf', () => {
  it('is the connector\'s own status, unless the whole charger is out of order', () => {
    const rows = [{ connector_id: 0, status: 'Available' }, { connector_id: 1, status: 'Charging' }, { connector_id: 2, status: 'Available' }];
    expect(connectorStatusOf(rows, 1)).toBe('Charging');
    expect(connectorStatusOf(rows, 2)).toBe('Available');
    expect(connectorStatusOf([{ ...rows[0]!, status: 'Unavailable' }, ...rows.slice(1)], 2)).toBe('Unavailable');
    expect(connectorStatusOf([{ ...rows[0]!, status: 'Faulted' }, ...rows.slice(1)], 2)).toBe('Faulted');
  });

  it('is undefined for a connector that has not reported', () => {
    expect(connectorStatusOf([{ connector_id: 2, status: null }], 2)).toBeUndefined();
    expect(connectorStatusOf([], 1)).toBeUndefined();
  });
});

describe('availabilityOfStatus', () => {
  it('maps the admin GUI\'s statuses to ChangeAvailability types', () => {
    expect(availabilityOfStatus('Unavailable')).toBe('Inoperative');
    expect(availabilityOfStatus('Available')).toBe('Operative');
    expect(availabilityOfStatus('Faulted')).toBeUndefined();
    expect(availabilityOfStatus('Charging')).toBeUndefined();
  });
});
