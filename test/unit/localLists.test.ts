import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { listStateOf, outcomeOfError } from '../../src/domain/localLists.ts';

describe('local list state', () => {
  it('is pending until the charger was asked, and in sync only at the current version', () => {
    expect(listStateOf(undefined, 3)).toBe('pending');
    expect(listStateOf({ status: 'synced', version: 3 }, 3)).toBe('inSync');
    expect(listStateOf({ status: 'synced', version: 2 }, 3)).toBe('pending');
    expect(listStateOf({ status: 'synced', version: null }, 0)).toBe('pending');
    expect(listStateOf({ status: 'failed', version: 3 }, 3)).toBe('failed');
    expect(listStateOf({ status: 'unsupported', version: null }, 3)).toBe('unsupported');
  });
});

describe('a failed local list command', () => {
  it('marks a charger that does not know the command unsupported, and anything else failed', () => {
    expect(outcomeOfError(new DomainError('badGateway', ['NotImplemented'], 'x'), 'Full')).toEqual({ status: 'unsupported', updateType: 'Full', result: 'NotImplemented' });
    expect(outcomeOfError(new DomainError('badGateway', ['NotSupported'], 'x')).status).toBe('unsupported');
    expect(outcomeOfError(new DomainError('badGateway', ['InternalError'], 'boom'), 'Differential')).toEqual({ status: 'failed', updateType: 'Differential', result: 'InternalError: boom' });
    expect(outcomeOfError(new DomainError('timeout', ['chargerTimeout'], 'late')).result).toBe('chargerTimeout: late');
  });

  it('lets errors that are not the gateway\'s through', () => {
    const bug = new TypeError('bug');
    expect(() => outcomeOfError(bug)).toThrow(bug);
  });
});
