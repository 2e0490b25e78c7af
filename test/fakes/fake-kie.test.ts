/** The fake KIE's own contract (docs/providers.md §fakes), checked with plain fetch so other suites can rely on it. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKie } from '../support/fake-kie/index.js';
import { fixturePath } from '../support/fake-kie/media.js';

let kie: FakeKie;
let imageUrl: string;
let audioUrl: string;

beforeAll(async () => {
  kie = await FakeKie.start({ credits: 15 });
  const upload = async (name: string, mime: string) => {
    const response = await fetch(`${kie.uploadBaseUrl}/api/file-base64-upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kie.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        base64Data: `data:${mime};base64,${readFileSync(fixturePath(name)).toString('base64')}`,
        uploadPath: 'fake/test',
        fileName: name,
      }),
    });
    const json = (await response.json()) as { success: boolean; data: { downloadUrl: string; mimeType: string } };
    expect(json).toMatchObject({ success: true, code: 200, data: { mimeType: mime } });
    return json.data.downloadUrl;
  };
  imageUrl = await upload('portrait.jpg', 'image/jpeg');
  audioUrl = await upload('speech.mp3', 'audio/mpeg');
});
afterAll(async () => {
  await kie.stop();
});

async function create(body: unknown, key = kie.apiKey): Promise<{ code: number; msg: string; data: { taskId: string } | null }> {
  const response = await fetch(`${kie.apiBaseUrl}/api/v1/jobs/createTask`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as never;
}

describe('fake KIE', () => {
  it('serves base64 uploads back at their downloadUrl', async () => {
    const bytes = Buffer.from(await (await fetch(imageUrl)).arrayBuffer());
    expect(bytes.equals(readFileSync(fixturePath('portrait.jpg')))).toBe(true);
  });

  it('rejects a bad key with body code 401 at HTTP 200', async () => {
    expect(await create({}, 'nope')).toMatchObject({ code: 401, msg: 'You do not have access permissions' });
  });

  it.each([
    ['unknown model', { model: 'x/y', input: {} }, /not supported/],
    ['missing input', { model: 'infinitalk/from-audio' }, /input is required/],
    ['missing image', { model: 'infinitalk/from-audio', input: { audio_url: 'a', prompt: 'p' } }, /image_url is required/],
    ['foreign URL', { model: 'infinitalk/from-audio', input: { image_url: 'https://example.com/a.jpg', audio_url: 'x', prompt: 'p' } }, /image_url is not/],
    ['image/audio swapped', { model: 'infinitalk/from-audio', input: { image_url: 'AUDIO', audio_url: 'IMAGE', prompt: 'p' } }, /unsupported file type/],
    ['empty infinitalk prompt', { model: 'infinitalk/from-audio', input: { image_url: 'IMAGE', audio_url: 'AUDIO', prompt: '' } }, /prompt must not be empty/],
    ['missing avatar prompt', { model: 'kling/ai-avatar-standard', input: { image_url: 'IMAGE', audio_url: 'AUDIO' } }, /prompt is required/],
    ['seed out of range', { model: 'infinitalk/from-audio', input: { image_url: 'IMAGE', audio_url: 'AUDIO', prompt: 'p', seed: 5 } }, /seed/],
    ['bad resolution', { model: 'infinitalk/from-audio', input: { image_url: 'IMAGE', audio_url: 'AUDIO', prompt: 'p', resolution: '1080p' } }, /resolution/],
    [
      'resolution on avatar',
      { model: 'kling/ai-avatar-standard', input: { image_url: 'IMAGE', audio_url: 'AUDIO', prompt: '', resolution: '720p' } },
      /resolution is not a field/,
    ],
    [
      'seed on avatar',
      { model: 'kling/ai-avatar-standard', input: { image_url: 'IMAGE', audio_url: 'AUDIO', prompt: '', seed: 20000 } },
      /seed is not a field/,
    ],
  ])('422 for %s', async (_name, body, msg) => {
    const text = JSON.stringify(body).replaceAll('"IMAGE"', JSON.stringify(imageUrl)).replaceAll('"AUDIO"', JSON.stringify(audioUrl));
    const answer = await create(JSON.parse(text));
    expect(answer.code).toBe(422);
    expect(answer.msg).toMatch(msg);
  });

  it('runs waiting → queuing → generating → success, charges credits and then answers 402', async () => {
    const a = await create({ model: 'kling/ai-avatar-standard', input: { image_url: imageUrl, audio_url: audioUrl, prompt: '' } });
    expect(a.code).toBe(200);
    const taskId = a.data!.taskId;
    expect(kie.tasks.get(taskId)!.state).toBe('waiting');
    const states: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${kie.apiBaseUrl}/api/v1/jobs/recordInfo?taskId=${taskId}`, { headers: { authorization: `Bearer ${kie.apiKey}` } });
      const json = (await r.json()) as { data: { state: string; resultJson: string; param: string } };
      states.push(json.data.state);
      if (i === 2) {
        expect(JSON.parse(json.data.resultJson)).toEqual({ resultUrls: [kie.resultUrl(taskId)] });
        expect(JSON.parse(json.data.param)).toMatchObject({ model: 'kling/ai-avatar-standard' });
      }
    }
    expect(states).toEqual(['queuing', 'generating', 'success']);
    const credit = await fetch(`${kie.apiBaseUrl}/api/v1/chat/credit`, { headers: { authorization: `Bearer ${kie.apiKey}` } });
    expect(await credit.json()).toEqual({ code: 200, msg: 'success', data: 5 });
    const b = await create({ model: 'kling/ai-avatar-standard', input: { image_url: imageUrl, audio_url: audioUrl, prompt: '' } });
    kie.completeTask(b.data!.taskId);
    expect(kie.credits).toBe(-5);
    expect(await create({ model: 'kling/ai-avatar-standard', input: { image_url: imageUrl, audio_url: audioUrl, prompt: '' } })).toMatchObject({ code: 402 });
  });
});
