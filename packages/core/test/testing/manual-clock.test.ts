import { isBatonError } from '@baton/core';
import { createManualClock } from '@baton/core/testing';
import { describe, expect, it } from 'vitest';

describe('createManualClock', () => {
  it('starts at a fixed time and moves only when told', () => {
    const clock = createManualClock();
    expect(clock.now()).toBe(1_700_000_000_000);
    expect(clock.advance(250)).toBe(1_700_000_000_250);
    expect(clock.now()).toBe(1_700_000_000_250);
    expect(clock.set(5)).toBe(5);
    expect(createManualClock(42).now()).toBe(42);
  });

  it('refuses to advance backwards', () => {
    const clock = createManualClock();
    let caught: unknown;
    try {
      clock.advance(-1);
    } catch (error) {
      caught = error;
    }
    expect(isBatonError(caught, 'INVALID_INPUT')).toBe(true);
    expect(clock.now()).toBe(1_700_000_000_000);
  });
});
