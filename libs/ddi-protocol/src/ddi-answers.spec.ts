import { cancelAnswer, deploymentAnswer, pollAnswer, sleepOf } from './ddi-answers';
import { isDdiPath, parseActionId } from './ddi-paths';

describe('DDI answers', () => {
  it('writes the sleep as HH:MM:SS', () => {
    expect(sleepOf(300)).toBe('00:05:00');
    expect(sleepOf(30)).toBe('00:00:30');
    expect(sleepOf(86_400)).toBe('24:00:00');
    expect(sleepOf(3_723)).toBe('01:02:03');
  });

  it('always answers a poll with its sleep, and a cancellation instead of a deployment', () => {
    expect(pollAnswer(300, {})).toEqual({ config: { polling: { sleep: '00:05:00' } }, _links: {} });
    expect(pollAnswer(60, { deploymentBase: 'd', cancelAction: 'c', configData: 'x' })._links).toEqual({
      cancelAction: { href: 'c' },
      configData: { href: 'x' },
    });
  });

  it('always carries update, sha1 and a download link in a deployment', () => {
    const answer = deploymentAnswer({
      actionId: '9',
      part: 'os',
      version: '2.4.1',
      name: 'Contoso Gateway-1 os',
      artifacts: [{ fileName: 'a.swu', size: 3, sha1: '1', md5: '2', sha256: '3', url: 'http://pool/x' }],
    });
    expect(answer.deployment.update).toBe('forced');
    expect(answer.deployment.chunks[0].artifacts[0]).toEqual({
      filename: 'a.swu',
      hashes: { sha1: '1', md5: '2', sha256: '3' },
      size: 3,
      _links: { download: { href: 'http://pool/x' }, 'download-http': { href: 'http://pool/x' } },
    });
    expect(cancelAnswer('9')).toEqual({ id: '9', cancelAction: { stopId: '9' } });
  });
});

describe('DDI paths', () => {
  it('takes positive decimal action ids only', () => {
    expect(parseActionId('1042')).toBe('1042');
    for (const id of ['0', '-1', '1e3', '01', 'abc', '9'.repeat(19)]) expect(parseActionId(id)).toBeNull();
  });

  it('knows its paths', () => {
    expect(isDdiPath('/DEFAULT/controller/v1/gw-1')).toBe(true);
    expect(isDdiPath('/other/controller/v1/gw-1/deploymentBase/1')).toBe(true);
    expect(isDdiPath('/RequestHandler/ucdevice.upx')).toBe(false);
  });
});
