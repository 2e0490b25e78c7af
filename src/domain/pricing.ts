/**
 * Prices in whole credits. Pure: no database, no clock.
 *
 *   fixed       amount per generation
 *   per_second  amount × ceil(audio seconds)          (lip sync is priced by the audio length)
 *   per_5s      amount × ceil(video seconds / 5)      (Kling: 5 s → 1 block, 10 s → 2 blocks)
 */
export type PriceRule = 'fixed' | 'per_second' | 'per_5s';

export const PRICE_RULES: readonly PriceRule[] = ['fixed', 'per_second', 'per_5s'];

export interface PriceInput {
  /** Length of the audio, for per_second. */
  audioSeconds?: number;
  /** Length of the video to make, for per_5s (default 5: the providers' default length). */
  durationSeconds?: number;
}

export const DEFAULT_VIDEO_SECONDS = 5;

export interface PriceDescription {
  rule: PriceRule;
  /** Credits per unit. */
  amount: number;
  /** What one unit is: the whole job, one second of audio, one 5-second block of video. */
  unit: 'job' | 'second' | 'block5s';
  /** How many units this input costs. */
  units: number;
  /** amount × units. */
  total: number;
}

export class PriceInputError extends Error {
  override name = 'PriceInputError';
}

/**
 * Whole seconds, rounded up. The value is first rounded to the millisecond so that a duration
 * such as 3.0000000001 (float noise from a parser) is billed as 3 s, not 4 s.
 */
function ceilSeconds(seconds: number): number {
  return Math.ceil(Math.round(seconds * 1000) / 1000);
}

/** Number of billable units of `input` under `rule`. Throws PriceInputError when the rule needs a value that is missing. */
export function priceUnits(rule: PriceRule, input: PriceInput): number {
  switch (rule) {
    case 'fixed':
      return 1;
    case 'per_second': {
      const seconds = input.audioSeconds;
      if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
        throw new PriceInputError('per_second pricing needs a positive audio length');
      }
      return Math.max(1, ceilSeconds(seconds));
    }
    case 'per_5s': {
      const seconds = input.durationSeconds ?? DEFAULT_VIDEO_SECONDS;
      if (!Number.isFinite(seconds) || seconds <= 0) throw new PriceInputError('per_5s pricing needs a positive video length');
      return Math.max(1, Math.ceil(ceilSeconds(seconds) / 5));
    }
  }
}

/** The price in credits (a non-negative integer). */
export function priceFor(rule: PriceRule, amount: number, input: PriceInput): number {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new PriceInputError(`price amount must be a whole number ≥ 0, got ${amount}`);
  return amount * priceUnits(rule, input);
}

const UNIT: Record<PriceRule, PriceDescription['unit']> = { fixed: 'job', per_second: 'second', per_5s: 'block5s' };

/** The price with its parts, for rendering ("3 credits × 7 s = 21 credits"). */
export function describePrice(rule: PriceRule, amount: number, input: PriceInput): PriceDescription {
  const units = priceUnits(rule, input);
  return { rule, amount, unit: UNIT[rule], units, total: priceFor(rule, amount, input) };
}

export function isPriceRule(value: string): value is PriceRule {
  return (PRICE_RULES as readonly string[]).includes(value);
}
