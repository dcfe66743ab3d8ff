import { describe, expect, it } from 'vitest';
import { failureOutcome, storableRequest } from '../../src/domain/commandHistory.ts';
import { DomainError } from '../../src/domain/errors.ts';

describe('the command history', () => {
  it('stores a charger password sent as AuthorizationKey as (secret), and other requests as they are', () => {
    expect(storableRequest('ChangeConfiguration', { key: 'AuthorizationKey', value: 'a1b2c3d4e5f6a7b8' })).toEqual({ key: 'AuthorizationKey', value: '(secret)' });
    expect(storableRequest('ChangeConfiguration', { key: 'HeartbeatInterval', value: '300' })).toEqual({ key: 'HeartbeatInterval', value: '300' });
    expect(storableRequest('DataTransfer', { vendorId: 'x', messageId: 'AuthorizationKey', data: 'y' })).toEqual({ vendorId: 'x', messageId: 'AuthorizationKey', data: 'y' });
  });

  it('names the outcome of a failed command after the gateway\'s error', () => {
    expect(failureOutcome(new DomainError('conflict', ['chargerOffline'], 'Charger 100001 is not connected'))).toBe('offline');
    expect(failureOutcome(new DomainError('timeout', ['chargerTimeout'], 'no answer'))).toBe('timeout');
    expect(failureOutcome(new DomainError('invalid', ['invalidCommand'], 'Reset: payload must have required property \'type\''))).toBe('invalid');
    expect(failureOutcome(new DomainError('badGateway', ['NotSupported'], 'answered with NotSupported'))).toBe('callError');
    expect(failureOutcome(new DomainError('unavailable', ['clusterUnavailable'], 'NATS is down'))).toBe('unavailable');
    expect(failureOutcome(new Error('socket hang up'))).toBe('failed');
  });
});
