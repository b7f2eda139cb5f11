import { attributesOf, configDataBody, controllerIdOf, controllerPath, ddiErrorCode, feedbackBody, readCancel, readDeployment, readPoll, requestHead } from './ddi-protocol';
import { generateIdentities } from './identities';
import { ProtocolError } from './phone-protocol';

const BASE = 'http://127.0.0.1:8080/DEFAULT/controller/v1/sim-1-0000003';

describe('the simulated DDI device (SWUpdate suricatta)', () => {
  it('names each device by seed and index and reports its kind as attributes', () => {
    expect(controllerIdOf(7, 3)).toBe('sim-7-0000003');
    expect(controllerPath('', 'DEFAULT', 'sim-7-0000003')).toBe('/DEFAULT/controller/v1/sim-7-0000003');
    const [device] = generateIdentities({
      count: 1, seed: 1, mix: [{ brand: 'Contoso', model: 'Gateway-1', revision: '1.0', locale: 'Neutral', weight: 1 }], installed: { os: [{ version: '1.0.0', weight: 1 }] },
      signedInShare: 0, externalShare: 0, testDeviceShare: 0, serialOnlyShare: 0, sipDomain: 'x', deviceType: 'DDI',
    });
    expect(attributesOf(device)).toEqual({ vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' });
    expect(attributesOf({ ...device, locale: 'DEU' })).toMatchObject({ locale: 'DEU' });
    expect(JSON.parse(configDataBody(attributesOf(device)))).toEqual({ mode: 'merge', data: { vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' } });
  });

  it('renders a request head once: its token, a body type and length only with a body', () => {
    expect(requestHead('GET', '/DEFAULT/controller/v1/a', 'h:1', 'TargetToken t')).toBe(
      'GET /DEFAULT/controller/v1/a HTTP/1.1\r\nHost: h:1\r\nAccept: application/hal+json\r\nAuthorization: TargetToken t\r\n\r\n',
    );
    const head = requestHead('POST', '/p', 'h', '', { length: 12 }, 'id-1');
    expect(head).not.toContain('Authorization');
    expect(head).toContain('Content-Type: application/json\r\nContent-Length: 12\r\nX-Request-Id: id-1\r\n\r\n');
  });

  it('sends feedback as SWUpdate does: the id as a number, execution and result', () => {
    expect(JSON.parse(feedbackBody('42', 'closed', 'success'))).toMatchObject({ id: 42, status: { execution: 'closed', result: { finished: 'success' }, details: [] } });
    expect(JSON.parse(feedbackBody('42', 'proceeding', 'none', ['Installing'])).time).toMatch(/^\d{8}T\d{6}$/);
  });

  it('reads a poll in SWUpdate order: cancellation, deployment, configData, nothing', () => {
    const sleep = { config: { polling: { sleep: '00:05:00' } } };
    expect(readPoll(JSON.stringify({ ...sleep, _links: {} }))).toEqual({ kind: 'nothing' });
    expect(readPoll(JSON.stringify({ ...sleep, _links: { configData: { href: `${BASE}/configData` } } }))).toEqual({ kind: 'configData' });
    expect(readPoll(JSON.stringify({ ...sleep, _links: { deploymentBase: { href: `${BASE}/deploymentBase/17` }, configData: { href: `${BASE}/configData` } } }))).toEqual({
      kind: 'deploy', path: '/DEFAULT/controller/v1/sim-1-0000003/deploymentBase/17', actionId: '17',
    });
    expect(readPoll(JSON.stringify({ ...sleep, _links: { cancelAction: { href: `${BASE}/cancelAction/18` } } }))).toMatchObject({ kind: 'cancel', actionId: '18' });
    expect(() => readPoll(JSON.stringify({ _links: {} }))).toThrow(ProtocolError);
    expect(() => readPoll('<xml/>')).toThrow(ProtocolError);
    expect(() => readPoll(JSON.stringify({ ...sleep, _links: { deploymentBase: { href: `${BASE}/deploymentBase/x` } } }))).toThrow('no action id');
  });

  it('reads a deployment and a cancellation; an artifact without SHA-1 or link is a protocol error', () => {
    const artifact = { filename: 'gw-2.0.0.swu', hashes: { sha1: 'a'.repeat(40), md5: 'b'.repeat(32), sha256: 'c'.repeat(64) }, size: 1234, _links: { download: { href: `${BASE}/softwaremodules/1/artifacts/gw-2.0.0.swu` } } };
    const deployment = { id: '17', deployment: { download: 'forced', update: 'forced', chunks: [{ part: 'os', version: '2.0.0', name: 'os', artifacts: [artifact] }] } };
    expect(readDeployment(JSON.stringify(deployment))).toEqual({
      actionId: '17', part: 'os', version: '2.0.0',
      artifacts: [{ fileName: 'gw-2.0.0.swu', size: 1234, sha1: 'a'.repeat(40), sha256: 'c'.repeat(64), url: artifact._links.download.href }],
    });
    const noSha1 = { ...deployment, deployment: { ...deployment.deployment, chunks: [{ part: 'os', version: '2.0.0', name: 'os', artifacts: [{ ...artifact, hashes: {} }] }] } };
    expect(() => readDeployment(JSON.stringify(noSha1))).toThrow('SHA-1');
    expect(() => readDeployment(JSON.stringify({ ...deployment, deployment: { ...deployment.deployment, update: undefined } }))).toThrow('deployment.update');
    expect(readCancel(JSON.stringify({ id: '18', cancelAction: { stopId: '18' } }))).toBe('18');
    expect(() => readCancel('{}')).toThrow(ProtocolError);
  });

  it("reads a refusal's errorCode", () => {
    expect(ddiErrorCode('{"errorCode":"Unauthorized","message":"no"}')).toBe('Unauthorized');
    expect(ddiErrorCode('<html>')).toBeNull();
  });
});
