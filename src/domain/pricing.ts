/**
 * Prices in whole credits. Pure: no database, no clock.
 *
 *   fixed       amount per generation
 *   per_second  amount × ceil(audio seconds)          (lip sync is priced by the audio length)
 *   per_5s      amount × ceil(video seconds / 5)      (Kling: 5 s → 1 block, 10 s → 2 blocks)
 *   per_output_second  amount × video seconds        (the chosen length of the video made)
 *
 * Then × the product of the per-option multipliers (pro ×2, 1080p ×1.5, …), rounded up to a
 * whole credit.
 */
export type PriceRule = 'fixed' | 'per_second' | 'per_5s' | 'per_output_second';

export const PRICE_RULES: readonly PriceRule[] = ['fixed', 'per_second', 'per_5s', 'per_output_second'];

export interface PriceInput {
  /** Length of the audio, for per_second. */
  audioSeconds?: number;
  /** Length of the video to make, for per_5s and per_output_second (default 5: the providers' default length). */
  durationSeconds?: number;
  /** Product of the chosen options' multipliers (default 1). */
  multiplier?: number;
}

export const DEFAULT_VIDEO_SECONDS = 5;

export interface PriceDescription {
  rule: PriceRule;
  /** Credits per unit. */
  amount: number;
  /** What one unit is: the whole job, one second of audio, one 5-second block of video, one second of video. */
  unit: 'job' | 'second' | 'block5s' | 'outputSecond';
  /** How many units this input costs. */
  units: number;
  /** Product of the option multipliers (1 when none apply). */
  multiplier: number;
  /** ceil(amount × units × multiplier). */
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
    case 'per_output_second': {
      const seconds = input.durationSeconds ?? DEFAULT_VIDEO_SECONDS;
      if (!Number.isFinite(seconds) || seconds <= 0) throw new PriceInputError('per_output_second pricing needs a positive video length');
      return Math.max(1, ceilSeconds(seconds));
    }
  }
}

function multiplierOf(input: PriceInput): number {
  const m = input.multiplier ?? 1;
  if (!Number.isFinite(m) || m <= 0) throw new PriceInputError(`price multiplier must be positive, got ${m}`);
  return m;
}

/** The price in credits (a non-negative integer). */
export function priceFor(rule: PriceRule, amount: number, input: PriceInput): number {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new PriceInputError(`price amount must be a whole number ≥ 0, got ${amount}`);
  const base = amount * priceUnits(rule, input);
  // Rounded to 1e-6 first so that 45 × 1.1 (49.500000000000004) is not billed one credit more.
  return Math.ceil(Math.round(base * multiplierOf(input) * 1e6) / 1e6);
}

const UNIT: Record<PriceRule, PriceDescription['unit']> = { fixed: 'job', per_second: 'second', per_5s: 'block5s', per_output_second: 'outputSecond' };

/** The price with its parts, for rendering ("3 credits × 7 s = 21 credits"). */
export function describePrice(rule: PriceRule, amount: number, input: PriceInput): PriceDescription {
  const units = priceUnits(rule, input);
  return { rule, amount, unit: UNIT[rule], units, multiplier: multiplierOf(input), total: priceFor(rule, amount, input) };
}

export function isPriceRule(value: string): value is PriceRule {
  return (PRICE_RULES as readonly string[]).includes(value);
}
