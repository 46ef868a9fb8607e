import { isGenericToken } from './generic';
import type { IssueSignature } from './signature';

const MAX_MESSAGE = 100;

/** `TypeError: Cannot read properties of undefined (reading 'price') in price:lineTotal`: type, message's first line, crash site. */
export function clusterTitle(sig: IssueSignature, message: string): string {
  const firstLine = (message.trim() || sig.messageTemplate.trim()).split('\n')[0].trim();
  const text = firstLine.length > MAX_MESSAGE ? `${firstLine.slice(0, MAX_MESSAGE - 1)}…` : firstLine;
  const head = text ? `${sig.errorType}: ${text}` : sig.errorType;
  const site = crashSite(sig);
  return site ? `${head} in ${site}` : head;
}

/** The top in-app frame, else the top informative frame, else nothing. */
function crashSite(sig: IssueSignature): string | null {
  for (let i = sig.frames.length - 1; i >= 0; i--) if (sig.inApp[i] && !isGenericToken(sig.frames[i], true)) return sig.frames[i];
  for (let i = sig.frames.length - 1; i >= 0; i--) if (!isGenericToken(sig.frames[i])) return sig.frames[i];
  return null;
}
