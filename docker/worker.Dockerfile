# syntax=docker/dockerfile:1.7
# flock-worker image: builds the workspace, prebuilds the workflow bundle,
# and runs `node apps/worker/dist/main.js` as the unprivileged `node` user.
# flockctl ships in the same image (apps/starter/dist/main.js).
#
#   docker build -f docker/worker.Dockerfile -t flock-worker .      (from the repository root)
#   docker run --rm flock-worker --server temporal:7233 --namespace flock-example --task-queue agent-tasks --flock @flock-ts/examples
#
# --flock (or FLOCK_MODULES) names the flocks to host; the image sets none on purpose:
# mount your module (-v ./flocks:/flocks:ro --flock /flocks/my-flock.js) or host the examples.
#
# Glibc-based Node (bookworm-slim): Temporal's native core bridge ships no musl (Alpine) build.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
ENV NX_NO_CLOUD=true \
    NX_DAEMON=false \
    CI=true
COPY . .
RUN npm ci --no-audit --no-fund
# Compile the apps and every package they use, then bundle the workflow code
# once, so workers start without webpack (the bundle fails on any Node-only import).
RUN npx nx run-many -t build -p @flock-ts/worker @flock-ts/starter --skipSync \
 && npx nx run @flock-ts/worker:build-bundle --skipSync \
 && test -s apps/worker/dist/workflow-bundle.js
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    TEMPORAL_ADDRESS=temporal:7233 \
    TEMPORAL_NAMESPACE=default \
    FLOCK_TASK_QUEUE=flock-agents
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY --from=build /app/apps/worker/package.json ./apps/worker/package.json
COPY --from=build /app/apps/worker/dist ./apps/worker/dist
# npm nests what an app needs at another version than the root's (commander 14; the SDK's webpack brings 2.x)
COPY --from=build /app/apps/worker/node_modules ./apps/worker/node_modules
COPY --from=build /app/apps/starter/package.json ./apps/starter/package.json
COPY --from=build /app/apps/starter/dist ./apps/starter/dist
COPY --from=build /app/apps/starter/node_modules ./apps/starter/node_modules
USER node
# SIGTERM drains in-flight agent steps (FLOCK_SHUTDOWN_GRACE seconds) before exiting 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "apps/worker/dist/main.js"]
CMD []
