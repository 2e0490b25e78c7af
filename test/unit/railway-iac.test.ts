import { describe, expect, it } from 'vitest';
import { createRailwayContext, project, validateGraph } from 'railway/iac';
import program from '../../.railway/railway.js';

describe('.railway/railway.ts', () => {
  it('describes the bot service (Dockerfile, start command, /readyz, draining, restarts, replicas) and PostgreSQL wired to DATABASE_URL', async () => {
    const definition = await program(createRailwayContext({ environment: 'production', command: 'plan' }), project);
    expect(definition.name).toBe('avatar-video-bot');
    const resources = (definition.resources ?? []).flat();
    const db = resources.find((r) => r.type === 'database');
    const bot = resources.find((r) => r.type === 'service' && r.name === 'bot');
    expect(db).toMatchObject({ engine: 'postgres', output: 'DATABASE_URL' });
    if (bot?.type !== 'service') throw new Error('no bot service');
    expect(bot.build).toMatchObject({ builder: 'DOCKERFILE', dockerfilePath: 'Dockerfile' });
    expect(bot.deploy).toMatchObject({
      startCommand: 'node dist/main.js',
      healthcheckPath: '/readyz',
      restartPolicyType: 'ON_FAILURE',
      drainingSeconds: 15,
      numReplicas: 2,
    });
    expect(bot.variables?.DATABASE_URL).toEqual({ type: 'reference', resource: db!.address, output: 'DATABASE_URL' });
    expect(bot.variables?.BOT_TOKEN).toEqual({ type: 'preserve' });
    expect(bot.variables?.WEBHOOK_URL).toEqual({ type: 'literal', value: 'https://${{RAILWAY_PUBLIC_DOMAIN}}/telegram/webhook' });
    // Secrets never appear as literals.
    for (const name of ['BOT_TOKEN', 'KIE_API_KEY', 'KLING_SECRET_KEY', 'WEBHOOK_SECRET', 'CALLBACK_SECRET', 'METRICS_TOKEN']) {
      expect(bot.variables?.[name]).toEqual({ type: 'preserve' });
    }
    const staging = await program(createRailwayContext({ environment: 'staging' }), project);
    const stagingBot = (staging.resources ?? []).flat().find((r) => r.name === 'bot');
    expect(stagingBot?.type === 'service' && stagingBot.deploy?.numReplicas).toBe(1);
    expect(validateGraph).toBeTypeOf('function');
  });
});
