/**
 * The answers of the DDI API (ddi.md), shaped as SWUpdate 2022.12 reads them: the poll always
 * carries `config.polling.sleep` (SWUpdate processes nothing without it), a deployment always
 * `deployment.update` (a missing one is "skip": SWUpdate reports success without installing),
 * and every artifact `hashes.sha1` (the only hash SWUpdate checks), `size` and a download link.
 */

/** `HH:MM:SS` for a number of seconds (at most 24 h, as DdiPollingInterval allows). */
export function sleepOf(seconds: number): string {
  const whole = Math.max(0, Math.min(86_400, Math.round(seconds)));
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(Math.floor(whole / 3600))}:${two(Math.floor((whole % 3600) / 60))}:${two(whole % 60)}`;
}

type Link = { href: string };

export interface PollLinks {
  deploymentBase?: string;
  cancelAction?: string;
  configData?: string;
}

export interface PollAnswer {
  config: { polling: { sleep: string } };
  _links: { deploymentBase?: Link; cancelAction?: Link; configData?: Link };
}

export function pollAnswer(sleepSeconds: number, links: PollLinks): PollAnswer {
  const linked: PollAnswer['_links'] = {};
  if (links.cancelAction !== undefined) linked.cancelAction = { href: links.cancelAction };
  else if (links.deploymentBase !== undefined) linked.deploymentBase = { href: links.deploymentBase };
  if (links.configData !== undefined) linked.configData = { href: links.configData };
  return { config: { polling: { sleep: sleepOf(sleepSeconds) } }, _links: linked };
}

export interface ArtifactOf {
  fileName: string;
  size: number;
  sha1: string;
  md5: string;
  sha256: string;
  /** The artifact's URL on the scheme and host the device asked. */
  url: string;
}

export interface DeploymentOf {
  actionId: string;
  /** hawkBit's chunk `part`: the rule's update type. */
  part: string;
  version: string;
  name: string;
  artifacts: readonly ArtifactOf[];
}

export interface DeploymentAnswer {
  id: string;
  deployment: {
    download: 'forced';
    update: 'forced';
    chunks: {
      part: string;
      version: string;
      name: string;
      artifacts: {
        filename: string;
        hashes: { sha1: string; md5: string; sha256: string };
        size: number;
        _links: { download: Link; 'download-http'?: Link };
      }[];
    }[];
  };
}

/**
 * deploymentBase (and installedBase): one chunk, the version's `.swu` images as its artifacts.
 * `download` is the link on the scheme the device asked (SWUpdate takes it first); an HTTP one is
 * also `download-http`, hawkBit's name for the plain-HTTP link.
 */
export function deploymentAnswer(deployment: DeploymentOf): DeploymentAnswer {
  return {
    id: deployment.actionId,
    deployment: {
      download: 'forced',
      update: 'forced',
      chunks: [
        {
          part: deployment.part,
          version: deployment.version,
          name: deployment.name,
          artifacts: deployment.artifacts.map((artifact) => ({
            filename: artifact.fileName,
            hashes: { sha1: artifact.sha1, md5: artifact.md5, sha256: artifact.sha256 },
            size: artifact.size,
            _links: {
              download: { href: artifact.url },
              ...(artifact.url.startsWith('http:') ? { 'download-http': { href: artifact.url } } : {}),
            },
          })),
        },
      ],
    },
  };
}

export interface CancelAnswer {
  id: string;
  cancelAction: { stopId: string };
}

/** cancelAction: the action to stop is the action itself. */
export function cancelAnswer(actionId: string): CancelAnswer {
  return { id: actionId, cancelAction: { stopId: actionId } };
}

/** Whether a file is an artifact SWUpdate can install: it takes `.swu` images only. */
export function isSwuImage(fileName: string): boolean {
  return fileName.toLowerCase().endsWith('.swu');
}
