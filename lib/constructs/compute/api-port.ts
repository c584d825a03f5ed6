/**
 * The API listens on port 80 on the instance and on fleet instances: at stages 1
 * and 10 the instance is the public HTTP entry, and keeping one port for every
 * stage means the API security group rule never changes port (systemd grants
 * the unprivileged service user CAP_NET_BIND_SERVICE for it).
 */
export const API_PORT = 80;
