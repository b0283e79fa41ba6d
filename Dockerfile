# The image of the GitHub Action and of the Azure Pipelines `docker run` step: one static
# binary, a CA bundle and an empty /tmp on `scratch`, about 10 MB. It runs as root, which the
# GitHub runner needs (the files it mounts belong to the runner's user; see
# docs/decisions/0004-container-image.md).
#
# Build stage: a static musl binary, laid out by scripts/build-static. The container test
# replaces this stage with the same script run on the host
# (`podman build --build-context build=DIR`), so the runtime stage below is tested as is.
FROM docker.io/library/rust:1.95.0-slim-bookworm AS build
# The release's SBOM scans this stage too, so it lists the crates of Cargo.lock, which a
# scan of the final stage (one static binary) cannot see.
ARG BUILDKIT_SBOM_SCAN_STAGE=true
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates musl-tools cmake \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add "$(uname -m)-unknown-linux-musl"
WORKDIR /src
COPY . .
RUN scripts/build-static /out

FROM scratch
LABEL org.opencontainers.image.title="msstore-submit" \
      org.opencontainers.image.description="Ship Windows apps to the Microsoft Store from CI through the Partner Center submission API" \
      org.opencontainers.image.source="https://github.com/msstore-submit/msstore-submit" \
      org.opencontainers.image.licenses="MIT"
# rustls-native-certs finds the bundle at this path (openssl-probe's list); SSL_CERT_FILE
# given to the container replaces it, for a private CA behind a TLS-inspecting proxy.
COPY --from=build /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/tmp /tmp
COPY --from=build /out/msstore-submit /usr/local/bin/msstore-submit
# Absolute path, exec form: the runner appends nothing (inputs come as INPUT_*), and Azure's
# `docker run` step passes arguments straight to the binary.
ENTRYPOINT ["/usr/local/bin/msstore-submit"]
