/**
 * docs/providers.md §failure-model, "measured media": per-second prices and limits use the duration
 * parsed from the file, the larger of declared and parsed — the sender's metadata cannot make a
 * clip cheaper or slip past a model's limit.
 */
import { describe, expect, it } from 'vitest';
import { useBot } from '../support/bot-fixture.js';
import { buttonsOf, media, startLipsyncWithPhoto } from '../support/drive.js';
import { billableSeconds } from '../../src/media/duration.js';

describe('per-second prices from the measured duration', { timeout: 60_000 }, () => {
  const f = useBot({ kie: true });

  it('a 3 s voice note declared as 1 s is priced for 3 s', async () => {
    const user = await f.newUser(100);
    await startLipsyncWithPhoto(user);
    await user.sendVoice(media('voice.ogg'), { duration: 1 });
    const choice = await user.waitForMessage();
    expect(choice.text).toContain('audio: 3 s');
    // Per-second models are priced for the 3 s measured (Kling AI Avatar Pro 13/s, InfiniteTalk 3/s and 12/s).
    expect(buttonsOf(choice)).toEqual([
      'Kling AI Avatar — 50 credits',
      'Kling AI Avatar Pro — 39 credits',
      'InfiniteTalk 480p — 9 credits',
      'InfiniteTalk 720p — 36 credits',
    ]);
  });

  it('a 20 s voice note declared as 2 s is refused by the 15 s limit', async () => {
    const user = await f.newUser(100);
    await startLipsyncWithPhoto(user);
    await user.sendVoice(media('long-voice.ogg'), { duration: 2 });
    const refusal = await user.waitForMessage();
    expect(refusal.text).toContain('None of the models can take this input');
    expect(refusal.text).toMatch(/the audio is 20 s, this model takes at most 15 s/);
  });

  it('billableSeconds takes the larger known value', () => {
    expect(billableSeconds(1, 60)).toBe(60);
    expect(billableSeconds(60, 3)).toBe(60);
    expect(billableSeconds(undefined, 4.1)).toBe(4.1);
    expect(billableSeconds(0, null)).toBeNull();
  });
});
