/** "One model, two providers": the pure provider-choice policy. */
import { describe, expect, it } from 'vitest';
import { chooseProvider, isOutageClass, SHARED_FAMILIES, taskMayExist, type FamilyOffer, type ProviderAttempt } from '../../src/domain/provider-choice.js';
import { ProviderError, type ProviderId } from '../../src/providers/types.js';

const offers = (kie = true, kling = true): FamilyOffer[] => [
  { provider: 'kie', providerModel: 'kling-2.6/text-to-video', enabled: kie },
  { provider: 'kling', providerModel: 'kling-v2-6', enabled: kling },
];
const both: ReadonlySet<ProviderId> = new Set(['kie', 'kling']);
const outage = new ProviderError('Kling 5001', 'final', '5001', 'provider_unavailable');
const balance = new ProviderError('Kling 1102', 'final', '1102', 'provider_unavailable');
const badInput = new ProviderError('Kling 1201', 'final', '1201', 'bad_input');
const content = new ProviderError('Kling 1301', 'final', '1301', 'content_rejected');
const timeout = new ProviderError('timed out', 'ambiguous', 'timeout', 'provider_unavailable');
const reset = new ProviderError('reset', 'retryable', 'ECONNRESET', 'provider_unavailable');
const refused = new ProviderError('refused', 'retryable', 'ECONNREFUSED', 'provider_unavailable');
const attempt = (provider: ProviderId, error: ProviderError, sent = true): ProviderAttempt => ({ provider, error, taskMayExist: taskMayExist(error, sent) });

describe('chooseProvider: before any attempt', () => {
  it('uses the preferred provider of the family when configured and on', () => {
    expect(chooseProvider({ family: 'kling-2.6', offers: offers(), configured: both, preferred: 'kling', attempts: [] })).toEqual({
      action: 'use',
      provider: 'kling',
      providerModel: 'kling-v2-6',
      reason: 'preferred',
    });
    expect(chooseProvider({ family: 'kling-2.6', offers: offers(), configured: both, preferred: 'kie', attempts: [] })).toMatchObject({ provider: 'kie' });
    // No preference: the first offer.
    expect(chooseProvider({ family: 'kling-2.6', offers: offers(), configured: both, attempts: [] })).toMatchObject({ provider: 'kie', reason: 'preferred' });
  });

  it('moves to the other when the preferred one has no keys or is switched off', () => {
    expect(chooseProvider({ family: 'kling-2.6', offers: offers(), configured: new Set(['kie']), preferred: 'kling', attempts: [] })).toEqual({
      action: 'use',
      provider: 'kie',
      providerModel: 'kling-2.6/text-to-video',
      reason: 'not-configured',
    });
    expect(chooseProvider({ family: 'kling-2.6', offers: offers(true, false), configured: both, preferred: 'kling', attempts: [] })).toMatchObject({
      provider: 'kie',
      reason: 'switched-off',
    });
  });

  it('none when neither is usable', () => {
    expect(chooseProvider({ family: 'kling-2.6', offers: offers(false, true), configured: new Set(['kie']), preferred: 'kling', attempts: [] })).toEqual({
      action: 'none',
      reason: 'no-provider',
    });
    expect(chooseProvider({ family: 'kling-2.6', offers: [], configured: both, attempts: [] })).toEqual({ action: 'none', reason: 'no-provider' });
  });
});

describe('chooseProvider: after a failed submit', () => {
  const input = (attempts: ProviderAttempt[]) => ({ family: 'kling-3.0', offers: offers(), configured: both, preferred: 'kling' as const, attempts });

  it('an outage-class refusal (maintenance, used-up pack) before any task: the other provider, once', () => {
    expect(chooseProvider(input([attempt('kling', outage)]))).toEqual({
      action: 'use',
      provider: 'kie',
      providerModel: 'kling-2.6/text-to-video',
      reason: 'outage',
    });
    expect(chooseProvider(input([attempt('kling', balance)]))).toMatchObject({ action: 'use', provider: 'kie' });
    // Could not even connect: nothing was sent.
    expect(chooseProvider(input([attempt('kling', refused)]))).toMatchObject({ action: 'use', provider: 'kie' });
    // Not configured at submit time (no request sent).
    expect(chooseProvider(input([attempt('kling', new ProviderError('x', 'final', 'provider_not_configured', 'provider_unavailable'), false)]))).toMatchObject({
      provider: 'kie',
    });
    // Both failed: nothing left.
    expect(chooseProvider(input([attempt('kling', outage), attempt('kie', outage)]))).toEqual({ action: 'none', reason: 'exhausted' });
  });

  it('never after a task may exist: a timeout after sending, a reset, an unreadable answer', () => {
    expect(chooseProvider(input([attempt('kling', timeout)]))).toEqual({ action: 'stay', provider: 'kling', reason: 'task-may-exist' });
    expect(chooseProvider(input([attempt('kling', reset)]))).toEqual({ action: 'stay', provider: 'kling', reason: 'task-may-exist' });
    const unreadable = new ProviderError('bad body', 'ambiguous', 'invalid_response', 'provider_error');
    expect(chooseProvider(input([attempt('kling', unreadable)]))).toMatchObject({ action: 'stay', reason: 'task-may-exist' });
    const proxy = new ProviderError('502', 'retryable', 'http_502', 'provider_unavailable');
    expect(chooseProvider(input([attempt('kling', proxy)]))).toMatchObject({ action: 'stay' });
    // Once any attempt may have made a task, later outages never move the job.
    expect(chooseProvider(input([attempt('kling', timeout), attempt('kie', outage)]))).toEqual({ action: 'stay', provider: 'kling', reason: 'task-may-exist' });
  });

  it('bad input and content refusals stay: the user is told, the other provider is not tried', () => {
    expect(chooseProvider(input([attempt('kling', badInput)]))).toEqual({ action: 'stay', provider: 'kling', reason: 'not-outage' });
    expect(chooseProvider(input([attempt('kling', content)]))).toEqual({ action: 'stay', provider: 'kling', reason: 'not-outage' });
  });

  it('the fallback must itself be configured and on', () => {
    expect(chooseProvider({ ...input([attempt('kling', outage)]), offers: offers(false, true) })).toEqual({ action: 'none', reason: 'exhausted' });
    expect(chooseProvider({ ...input([attempt('kling', outage)]), configured: new Set(['kling']) })).toEqual({ action: 'none', reason: 'exhausted' });
  });
});

describe('classification helpers', () => {
  it('outage class and task-may-exist', () => {
    expect(isOutageClass(outage)).toBe(true);
    expect(isOutageClass(badInput)).toBe(false);
    expect(isOutageClass(timeout)).toBe(false);
    expect(taskMayExist(outage, true)).toBe(false);
    expect(taskMayExist(timeout, true)).toBe(true);
    expect(taskMayExist(timeout, false)).toBe(false);
    expect(taskMayExist(new ProviderError('kie 455', 'retryable', '455', 'provider_unavailable'), true)).toBe(false);
  });

  it('the shared families map both providers for each task', () => {
    for (const family of Object.values(SHARED_FAMILIES)) {
      for (const models of Object.values(family)) expect(Object.keys(models).sort()).toEqual(['kie', 'kling']);
    }
  });
});
