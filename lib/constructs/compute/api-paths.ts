/** Where things live on API instances. */
export const API_PATHS = {
  dataDir: '/var/lib/graminsta',
  apiDir: '/opt/graminsta/api',
  webRoot: '/opt/graminsta/web',
  envFile: '/etc/graminsta/api.env',
  rdsCaBundle: '/etc/graminsta/rds-ca.pem',
  logFile: '/var/log/graminsta/api.log',
  workerLogFile: '/var/log/graminsta/worker.log',
  serviceName: 'graminsta-api',
  workerServiceName: 'graminsta-worker',
  user: 'graminsta',
} as const;
