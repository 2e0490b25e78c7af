import { describe, expect, it } from 'vitest';
import { describePrice, priceFor, PriceInputError, priceUnits } from '../../src/domain/pricing.js';

describe('pricing', () => {
  it('fixed: the amount, whatever the input', () => {
    expect(priceFor('fixed', 50, {})).toBe(50);
    expect(priceFor('fixed', 50, { audioSeconds: 14.2, durationSeconds: 10 })).toBe(50);
  });

  it('per_second: amount × whole seconds of audio, rounded up', () => {
    expect(priceFor('per_second', 3, { audioSeconds: 7 })).toBe(21);
    expect(priceFor('per_second', 3, { audioSeconds: 7.01 })).toBe(24);
    expect(priceFor('per_second', 12, { audioSeconds: 0.4 })).toBe(12);
    expect(priceFor('per_second', 12, { audioSeconds: 15 })).toBe(180);
  });

  it('per_second ignores float noise below a millisecond', () => {
    expect(priceFor('per_second', 3, { audioSeconds: 3.0000000001 })).toBe(9);
    expect(priceFor('per_second', 3, { audioSeconds: 0.1 + 0.2 + 2.7 })).toBe(9);
  });

  it('per_second needs an audio length', () => {
    expect(() => priceFor('per_second', 3, {})).toThrow(PriceInputError);
    expect(() => priceFor('per_second', 3, { audioSeconds: 0 })).toThrow(PriceInputError);
    expect(() => priceFor('per_second', 3, { audioSeconds: Number.NaN })).toThrow(PriceInputError);
  });

  it('per_5s: amount × started 5-second blocks, 5 s by default', () => {
    expect(priceFor('per_5s', 35, { durationSeconds: 5 })).toBe(35);
    expect(priceFor('per_5s', 35, { durationSeconds: 10 })).toBe(70);
    expect(priceFor('per_5s', 35, { durationSeconds: 6 })).toBe(70);
    expect(priceFor('per_5s', 35, {})).toBe(35);
  });

  it('rejects a negative or fractional amount; zero is free', () => {
    expect(() => priceFor('fixed', -1, {})).toThrow(PriceInputError);
    expect(() => priceFor('fixed', 1.5, {})).toThrow(PriceInputError);
    expect(priceFor('per_5s', 0, { durationSeconds: 10 })).toBe(0);
  });

  it('describes the parts for rendering', () => {
    expect(describePrice('per_second', 3, { audioSeconds: 6.5 })).toEqual({
      rule: 'per_second',
      amount: 3,
      unit: 'second',
      units: 7,
      multiplier: 1,
      total: 21,
    });
    expect(describePrice('per_5s', 35, { durationSeconds: 10 })).toEqual({ rule: 'per_5s', amount: 35, unit: 'block5s', units: 2, multiplier: 1, total: 70 });
    expect(describePrice('fixed', 50, {})).toEqual({ rule: 'fixed', amount: 50, unit: 'job', units: 1, multiplier: 1, total: 50 });
    expect(priceUnits('fixed', {})).toBe(1);
  });

  it('per_output_second: amount × whole seconds of the video made', () => {
    expect(priceFor('per_output_second', 4, { durationSeconds: 6 })).toBe(24);
    expect(priceFor('per_output_second', 4, {})).toBe(20);
    expect(() => priceFor('per_output_second', 4, { durationSeconds: 0 })).toThrow(PriceInputError);
  });

  it('multipliers: the product of the chosen options, rounded up to a whole credit, without float noise', () => {
    expect(priceFor('per_output_second', 10, { durationSeconds: 10, multiplier: 3 * 1.5 })).toBe(450);
    expect(priceFor('fixed', 65, { multiplier: 1.1 })).toBe(72); // 71.5 → 72
    expect(priceFor('per_5s', 45, { durationSeconds: 10, multiplier: 1.1 })).toBe(99); // 99.00000000000001 is 99
    expect(priceFor('per_output_second', 7, { durationSeconds: 4, multiplier: 0.5 })).toBe(14);
    expect(describePrice('per_5s', 45, { durationSeconds: 5, multiplier: 2 })).toMatchObject({ units: 1, multiplier: 2, total: 90 });
    expect(() => priceFor('fixed', 10, { multiplier: 0 })).toThrow(PriceInputError);
  });
});
