# syntax=docker/dockerfile:1
# FlexiCharge server image: one node (HTTP API on 8080, OCPP and live metrics on 1337).
# compose.yaml runs several of them behind a load balancer.

ARG NODE_VERSION=20

# Build: `npm ci` installs every dependency and, through the package's `prepare` script
# (`npm run build`), compiles src/ to dist/ and copies the files the server reads at run time
# (db/migrations/*.sql, ocpp/protocol/ocpp16.schemas.json) beside the JavaScript, and builds
# the dashboard (dashboard/, Vite) into dist/dashboard.
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY dashboard ./dashboard
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# Run: production dependencies only (--ignore-scripts: `prepare` would need the dev
# dependencies; dist/ comes built from the stage above) and dist/.
FROM node:${NODE_VERSION}-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist

# DATA_DIR: this node's journal of charger data (DATA_DIR/journal, kept while PostgreSQL is
# away) and the mail outbox when SMTP_URL is empty. One volume per node, never shared; it is
# created owned by `node` so that a named volume mounted here starts with that owner.
RUN mkdir /data && chown node:node /data
VOLUME /data

ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 OCPP_PORT=1337 DATA_DIR=/data
USER node
EXPOSE 8080 1337

# /health answers 200, or 503 while PostgreSQL does not answer: the node then still takes
# charger data into its journal, so it counts as alive (restarting it would not help).
# No answer at all (not listening yet, hung, gone) is unhealthy.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.status === 200 || r.status === 503 ? 0 : 1), () => process.exit(1))"]

# node is PID 1 and gets SIGTERM itself: the server closes sockets (code 1001), stores what
# is pending and exits within SHUTDOWN_TIMEOUT (10 s); give `docker stop` more than that.
CMD ["node", "dist/main.js"]
