import { describe, expect, it } from 'vitest';
import { EMPTY_ALERT, isMuted, onCleared, onMuted, onRaised, type AlertRow } from '../../src/alerts/policy.js';
import { conditionKey, criticalReason, describe as wording } from '../../src/alerts/conditions.js';

const policy = { throttleMs: 15 * 60_000 };
const t0 = new Date('2026-12-01T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describe('alert policy (pure, injected now)', () => {
  it('the first observation starts an episode and sends one alert; repeats send nothing', () => {
    const first = onRaised(null, { code: '401' }, t0, policy);
    expect(first.effect).toBe('alert');
    expect(first.next).toMatchObject({ active: true, notified: true, lastSentAt: t0, firstSeenAt: t0 });
    const again = onRaised(first.next, { code: '401' }, at(1), policy);
    expect(again.effect).toBeNull();
    expect(again.changed).toBe(false);
    expect(again.next.lastSeenAt).toEqual(at(1));
    // Still one alert per episode long after the throttle window.
    expect(onRaised(again.next, {}, at(120), policy).effect).toBeNull();
  });

  it('clearing an announced episode sends a recovery; clearing an inactive one does nothing', () => {
    const raised = onRaised(null, {}, t0, policy).next;
    const cleared = onCleared(raised, at(2))!;
    expect(cleared.effect).toBe('recovery');
    expect(cleared.next).toMatchObject({ active: false, notified: false, clearedAt: at(2) });
    expect(onCleared(cleared.next, at(3))).toBeNull();
    expect(onCleared(null, at(3))).toBeNull();
  });

  it('a condition that comes back within 15 minutes of its last alert is not announced again (nor its recovery)', () => {
    const raised = onRaised(null, {}, t0, policy).next;
    const cleared = onCleared(raised, at(1))!.next;
    const back = onRaised(cleared, {}, at(5), policy);
    expect(back.effect).toBeNull();
    expect(back.changed).toBe(true); // a new episode is stored
    expect(back.next).toMatchObject({ active: true, notified: false, firstSeenAt: at(5), lastSentAt: t0 });
    expect(onCleared(back.next, at(6))!.effect).toBeNull();
    // Still holding once the window has passed: announced then.
    const later = onRaised(back.next, {}, at(15), policy);
    expect(later.effect).toBe('alert');
    expect(later.next.lastSentAt).toEqual(at(15));
  });

  it('exactly at the end of the window an alert is allowed', () => {
    const raised = onRaised(null, {}, t0, policy).next;
    const cleared = onCleared(raised, at(1))!.next;
    expect(onRaised(cleared, {}, new Date(t0.getTime() + policy.throttleMs - 1), policy).effect).toBeNull();
    expect(onRaised(cleared, {}, new Date(t0.getTime() + policy.throttleMs), policy).effect).toBe('alert');
  });

  it('a muted condition sends neither alert nor recovery; after the mute the alert goes out', () => {
    const muted: AlertRow = onMuted(EMPTY_ALERT, at(60));
    expect(isMuted(muted, at(59))).toBe(true);
    expect(isMuted(muted, at(60))).toBe(false);
    const raised = onRaised(muted, {}, t0, policy);
    expect(raised.effect).toBeNull();
    expect(raised.next.notified).toBe(false);
    expect(onRaised(raised.next, {}, at(30), policy).effect).toBeNull();
    expect(onRaised(raised.next, {}, at(61), policy).effect).toBe('alert');

    // Muted after being announced: the recovery is not sent either.
    const announced = onRaised(null, {}, t0, policy).next;
    expect(onCleared(onMuted(announced, at(30)), at(10))!.effect).toBeNull();
    expect(onCleared(onMuted(announced, null), at(10))!.effect).toBe('recovery');
  });

  it('maps provider codes to conditions and words each condition', () => {
    expect(criticalReason('kie', '401')).toBe('auth');
    expect(criticalReason('kie', '402')).toBe('credits');
    expect(criticalReason('kie', '433')).toBe('limit');
    expect(criticalReason('kie', '500')).toBeUndefined();
    expect(criticalReason('kling', '1102')).toBe('credits');
    expect(conditionKey.providerCode('kie', 'credits')).toBe('provider_code:kie:credits');
    expect(wording('provider_code:kie:credits', { code: '402' }, false)).toEqual({
      key: 'ops-alert-provider-code',
      vars: { provider: 'kie', reason: 'credits', code: '402' },
    });
    expect(wording('payment_uncredited:ch:1', { userId: '5', stars: 100, error: 'x' }, true).vars.charge).toBe('ch:1');
    expect(wording('kie_credit_low', { balance: 10, threshold: 500 }, false)).toEqual({ key: 'ops-alert-kie-credit', vars: { balance: 10, threshold: 500 } });
  });
});
