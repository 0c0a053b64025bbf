# syntax=docker/dockerfile:1
# pve2mqtt — Proxmox VE to MQTT bridge. Build: docker build -t pve2mqtt .

FROM node:24-alpine AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --ignore-scripts && npm run build && npm prune --omit=dev

FROM node:24-alpine
LABEL org.opencontainers.image.title="pve2mqtt" \
      org.opencontainers.image.description="Proxmox VE to MQTT bridge with Home Assistant discovery" \
      org.opencontainers.image.source="https://github.com/pve2mqtt/pve2mqtt" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production \
    PVE2MQTT_CONFIG=/config/config.yaml \
    PVE2MQTT_HTTP__PORT=9616 \
    PVE2MQTT_HTTP__HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY translations ./translations
COPY config.example.yaml ./config.example.yaml
USER node
VOLUME ["/config"]
EXPOSE 9616
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:9616/health || exit 1
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["run"]
