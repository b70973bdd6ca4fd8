import { describe, expect, it } from 'vitest';
import { NmflabError } from '@nmflab/core';
import { canonicalJson, parseQueueUrl, runJobId, sweepId } from '@nmflab/queue';

describe('queue URL', () => {
  it('reads host, port, database, credentials and TLS', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/3').connection).toEqual({
      host: '10.0.0.5',
      port: 6380,
      db: 3,
      maxRetriesPerRequest: null,
    });
    expect(parseQueueUrl('redis://h').connection).toMatchObject({ host: 'h', port: 6379, db: 0 });
    const t = parseQueueUrl('rediss://me:p%40ss@[::1]:7000/1', 'mine');
    expect(t.connection).toMatchObject({ host: '::1', port: 7000, db: 1, username: 'me', password: 'p@ss', tls: {} });
    expect(t.name).toBe('mine');
    expect(t.display, 'no credentials in messages').toBe('rediss://[::1]:7000/1');
  });

  it('rejects what is not a redis URL with the option, what was expected and what was found', () => {
    for (const bad of ['localhost:6379', 'http://h:6379/0', 'redis://h:6379/x', 'redis://']) {
      let err: unknown;
      try {
        parseQueueUrl(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(NmflabError);
      expect((err as NmflabError).format()).toMatch(/^--queue: bad --queue.*expected redis:\/\/HOST:PORT\/DB.*found "/);
    }
    expect(() => parseQueueUrl('redis://h', 'a b')).toThrow(/--queue-name/);
  });
});

describe('job and sweep ids', () => {
  const config = { name: 'x', seed: 5, model: { rank: 3, solver: { id: 'mu', params: { eps: 1e-9 } } } };
  const reordered = { model: { solver: { params: { eps: 1e-9 }, id: 'mu' }, rank: 3 }, seed: 5, name: 'x' };

  it('depend on the values, not on key order', () => {
    expect(canonicalJson(config)).toBe(canonicalJson(reordered));
    expect(runJobId(config, 5, 'x/1/0000')).toBe(runJobId(reordered, 5, 'x/1/0000'));
    expect(sweepId([{ name: '0000', config }])).toBe(sweepId([{ name: '0000', config: reordered }]));
  });

  it('change with the config, the seed and the destination, and are valid BullMQ ids', () => {
    const id = runJobId(config, 5, 'x/1/0000');
    expect(id).toMatch(/^run-[0-9a-f]{32}$/);
    expect(runJobId({ ...config, model: { ...config.model, rank: 4 } }, 5, 'x/1/0000')).not.toBe(id);
    expect(runJobId(config, 6, 'x/1/0000')).not.toBe(id);
    expect(runJobId(config, 5, 'x/2/0000')).not.toBe(id);
    expect(sweepId([{ name: '0000', config }])).not.toBe(sweepId([{ name: '0001', config }]));
  });
});
