/** Pure pre-flight checks of the KIE provider: nothing touches the network. */
import { describe, expect, it } from 'vitest';
import { createKieProvider } from '../../src/providers/kie/index.js';
import { ProviderError, type GenerationRequest } from '../../src/providers/types.js';
import { bufferMedia, fixtureMedia } from '../support/fake-kie/media.js';

// Unroutable base URLs: any network call would fail the "final bad_input" expectations below.
const kie = createKieProvider({ apiKey: 'k-test', apiBaseUrl: 'http://127.0.0.1:9', uploadBaseUrl: 'http://127.0.0.1:9', retry: { retries: 0 } });

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    generationId: 'gen-v',
    kind: 'lipsync',
    providerModel: 'infinitalk/from-audio',
    prompt: 'hi',
    image: fixtureMedia('portrait.jpg', 'image/jpeg'),
    audio: fixtureMedia('voice.ogg', 'audio/ogg; codecs=opus'),
    audioSeconds: 3,
    options: {},
    ...overrides,
  };
}

const codes = (r: GenerationRequest) => kie.validate(r).map((i) => i.code);

describe('KIE validate()', () => {
  it('accepts valid requests for both models', () => {
    expect(kie.validate(request())).toEqual([]);
    expect(kie.validate(request({ providerModel: 'kling/ai-avatar-standard', prompt: '' }))).toEqual([]);
    expect(kie.validate(request({ options: { seed: 10_000, resolution: '720p' } }))).toEqual([]);
    expect(kie.validate(request({ options: { seed: 1_000_000 } }))).toEqual([]);
  });

  it('checks the seed range 10000–1000000 (infinitalk only)', () => {
    expect(codes(request({ options: { seed: 9_999 } }))).toEqual(['seed-out-of-range']);
    expect(codes(request({ options: { seed: 1_000_001 } }))).toEqual(['seed-out-of-range']);
    expect(codes(request({ options: { seed: 12_345.5 } }))).toEqual(['seed-out-of-range']);
    expect(codes(request({ options: { seed: 'abc' } }))).toEqual(['seed-out-of-range']);
    // The avatar model takes no seed; the option is ignored (never sent).
    expect(codes(request({ providerModel: 'kling/ai-avatar-standard', options: { seed: 5 } }))).toEqual([]);
  });

  it('rejects audio longer than 15 s and reports the limit', () => {
    expect(kie.validate(request({ audioSeconds: 20.006 }))).toEqual([{ code: 'audio-too-long', vars: { max: 15, seconds: 21 } }]);
    expect(codes(request({ audioSeconds: 15 }))).toEqual([]);
    expect(kie.limits('infinitalk/from-audio').maxAudioSeconds).toBe(15);
    expect(kie.limits('kling/ai-avatar-standard')).toMatchObject({ maxAudioSeconds: 15, maxPromptLength: 5000, maxImageBytes: 10 * 1024 * 1024 });
  });

  it('rejects prompts over 5000 characters', () => {
    expect(codes(request({ prompt: 'x'.repeat(5001) }))).toEqual(['prompt-too-long']);
    expect(codes(request({ prompt: 'x'.repeat(5000) }))).toEqual([]);
  });

  it('checks MIME types and sizes', () => {
    expect(codes(request({ image: fixtureMedia('not-media.txt', 'text/plain') }))).toEqual(['image-type']);
    expect(codes(request({ audio: fixtureMedia('result.mp4', 'video/mp4') }))).toEqual(['audio-type']);
    expect(codes(request({ image: fixtureMedia('wide.png', 'image/png') }))).toEqual([]);
    for (const mime of ['audio/mpeg', 'audio/wav', 'audio/x-wav', 'audio/aac', 'audio/mp4', 'audio/ogg']) {
      expect(codes(request({ audio: bufferMedia(Buffer.alloc(10), mime) }))).toEqual([]);
    }
    const big = bufferMedia(Buffer.alloc(1), 'image/jpeg');
    big.size = 10 * 1024 * 1024 + 1;
    expect(codes(request({ image: big }))).toEqual(['image-too-large']);
  });

  it('checks resolution, model, kind and missing media', () => {
    expect(codes(request({ options: { resolution: '1080p' } }))).toEqual(['resolution-invalid']);
    expect(codes(request({ providerModel: 'kling-v1-6' }))).toEqual(['unsupported-model']);
    expect(codes(request({ kind: 'text2video' }))).toEqual(['unsupported-kind']);
    expect(codes(request({ image: undefined, audio: undefined }))).toEqual(['image-missing', 'audio-missing']);
    expect(kie.kinds).toEqual(['lipsync', 'text2video', 'image2video']); // Catalog v2: the Market video models
    expect(kie.id).toBe('kie');
  });

  it('submit() refuses invalid requests before any network call', async () => {
    await expect(kie.submit(request({ audioSeconds: 16 }))).rejects.toSatisfy(
      (e: unknown) => e instanceof ProviderError && e.errorClass === 'final' && e.userReason === 'bad_input',
    );
  });
});
