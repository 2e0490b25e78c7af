/**
 * The alert policy, pure (the clock is an argument): what one observation of a condition does
 * to its stored state and whether this write sends an alert or a recovery message.
 *
 * - An episode starts when an inactive condition is raised and ends when it is cleared.
 * - One alert per episode, and at most one per `throttleMs` per condition (a flapping condition
 *   gives at most one alert per window); a muted condition sends nothing until the mute ends,
 *   then the next observation sends the alert if the episode was not announced yet.
 * - A recovery message goes out when an announced, unmuted episode clears.
 * The store writes the returned state with a compare-and-set, so across instances only the
 * writer that won sends.
 */

export interface AlertRow {
  active: boolean;
  notified: boolean;
  details: Record<string, unknown>;
  firstSeenAt: Date | null;
  lastSeenAt: Date | null;
  clearedAt: Date | null;
  lastSentAt: Date | null;
  mutedUntil: Date | null;
}

export interface AlertPolicy {
  /** Minimum time between two alerts of one condition (default 15 min). */
  throttleMs: number;
}

export type AlertEffect = 'alert' | 'recovery' | null;

export interface AlertDecision {
  next: AlertRow;
  effect: AlertEffect;
  /** False when only lastSeenAt/details moved (the store may skip the write). */
  changed: boolean;
}

export const EMPTY_ALERT: AlertRow = {
  active: false,
  notified: false,
  details: {},
  firstSeenAt: null,
  lastSeenAt: null,
  clearedAt: null,
  lastSentAt: null,
  mutedUntil: null,
};

export function isMuted(row: Pick<AlertRow, 'mutedUntil'>, now: Date): boolean {
  return row.mutedUntil !== null && row.mutedUntil.getTime() > now.getTime();
}

export function throttled(row: Pick<AlertRow, 'lastSentAt'>, now: Date, policy: AlertPolicy): boolean {
  return row.lastSentAt !== null && now.getTime() - row.lastSentAt.getTime() < policy.throttleMs;
}

/** The condition holds now. */
export function onRaised(row: AlertRow | null, details: Record<string, unknown>, now: Date, policy: AlertPolicy): AlertDecision {
  const base = row ?? EMPTY_ALERT;
  const starts = !base.active;
  const next: AlertRow = {
    ...base,
    active: true,
    details,
    lastSeenAt: now,
    firstSeenAt: starts ? now : base.firstSeenAt,
    notified: starts ? false : base.notified,
  };
  if (!next.notified && !isMuted(next, now) && !throttled(next, now, policy)) {
    next.notified = true;
    next.lastSentAt = now;
    return { next, effect: 'alert', changed: true };
  }
  return { next, effect: null, changed: starts };
}

/** The condition no longer holds; null when there is nothing to clear. */
export function onCleared(row: AlertRow | null, now: Date): AlertDecision | null {
  if (!row || !row.active) return null;
  const effect: AlertEffect = row.notified && !isMuted(row, now) ? 'recovery' : null;
  return { next: { ...row, active: false, notified: false, clearedAt: now }, effect, changed: true };
}

/** Mutes (until a time) or, with `until` null, unmutes. */
export function onMuted(row: AlertRow, until: Date | null): AlertRow {
  return { ...row, mutedUntil: until };
}
