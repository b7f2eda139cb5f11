import { loadConfig } from '@ucupdates/config';
import { Metrics } from '@ucupdates/observability';
import type { DeviceRequest } from '../device-request';
import type { UpdateOffers } from '../offers/update-offers';
import type { DeviceAnswer, RequestAuditWriter } from '../request-audit/request-audit-writer';
import { DownloadTokens } from './download-tokens';
import { UpdateCheckService } from './update-check.service';

describe('UpdateCheckService.rehearse', () => {
  it('runs the check against a made-up rule, offering it, and records, counts and asks the pool state nothing', () => {
    const rehearsed: { device: DeviceRequest; answer: DeviceAnswer }[] = [];
    const audit = {
      record: () => Promise.reject(new Error('a rehearsal records nothing')),
      rehearse: (device: DeviceRequest, answer: DeviceAnswer) => rehearsed.push({ device, answer }),
    } as unknown as RequestAuditWriter;
    const offers = {
      plan: () => {
        throw new Error('a rehearsal does not ask the pool state');
      },
      updateTypeOfImage: () => {
        throw new Error('a rehearsal does not ask the pool state');
      },
    } as unknown as UpdateOffers;
    const config = loadConfig({
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
      REDIS_URL: 'redis://127.0.0.1',
      S3_BUCKET: 'rehearsal-bucket',
      S3_ACCESS_KEY: 'access-key',
      S3_SECRET_KEY: 'secret-key-0123',
      UCU_NODE_ID: 'node-1',
      UCU_NODE_URL: 'http://127.0.0.1:8000',
    });
    const metrics = new Metrics('node-1', 'frontend');
    const service = new UpdateCheckService(config, offers, audit, new DownloadTokens(config), metrics);
    service.rehearse('internal', 20);
    service.rehearse('external', 20);
    expect(rehearsed).toHaveLength(40);
    for (const { answer } of rehearsed) expect(answer.responseModules.map((module) => module.version)).toEqual(['2.0.0.0']);
    expect(new Set(rehearsed.map(({ device }) => device.macAddress)).size).toBe(20);
  });
});
