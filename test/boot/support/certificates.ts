import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from './host-command';

export interface ServerCertificate {
  /** The CA that signed it: what the instance is given as the RDS certificate bundle. */
  readonly caPem: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * A throwaway CA and a server certificate for `hostname` (openssl, EC P-256), so that the
 * instance verifies the stand-in's certificate (RDS's, unless `service` names another) against
 * the CA it is given, exactly as it verifies AWS's. The key is handed to `owner` (PostgreSQL
 * reads it as its own user).
 */
export function serverCertificate(dir: string, hostname: string, owner?: { uid: number; gid: number }, service = 'RDS'): ServerCertificate {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  sh('openssl', ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', `/CN=boot harness ${service} stand-in CA`]);
  sh('openssl', ['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=boot harness ${service} stand-in`]);
  writeFileSync(file('server.ext'), `subjectAltName=DNS:${hostname}\n`);
  sh('openssl', ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '2', '-extfile', file('server.ext')]);
  if (owner) for (const f of ['server.key', 'server.pem']) chownSync(file(f), owner.uid, owner.gid);
  return { caPem: readFileSync(file('ca.pem'), 'utf8'), certFile: file('server.pem'), keyFile: file('server.key') };
}
