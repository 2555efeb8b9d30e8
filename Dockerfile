# batcycle container image.
#
#   docker build -t batcycle:0.1.0 .
#   docker run --rm -p 8000:8000 -p 9901:9901 -e BATCYCLE_UPSTREAM=http://host.docker.internal:8080 batcycle:0.1.0
#
# Two stages: the Maven wrapper builds the jar on a JDK image; the runtime stage is a JRE (21 or newer) running
# as a fixed non-root UID. On a JDK 25 runtime an AOT cache (JEP 483/514/515) made from a training run during the
# build roughly halves start-up (measured: 1.6 s -> 0.86 s to the first /healthz answer). Both bases are build
# arguments, so a build without access to public images can pass its own (.ci/container-check.sh does).

# Pinned by digest: a tag moves whenever its image is rebuilt, a digest names the same bytes for ever, so two builds of
# one commit start from the same base. The digests are multi-platform indexes (amd64 and arm64 alike). To move to
# what the tags point at today: docker/pin-base-images.sh, then rebuild and test. These two were taken from public
# pins (the README's "The container image" cites them) because the machine this was written on cannot reach a
# registry; refresh them before a release. `25` is the JDK image's short tag (the same image as `25-jdk`).
ARG BUILD_IMAGE=eclipse-temurin:25@sha256:c42fecf62f32725c65cfea284c012526d6fb31cc78123c740ebdc1cfd2dced12
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre@sha256:671061ae5a8f0d6827816e15bc39d21e224c43ff96998a97cd0d3989c4d17815

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# Maven and its downloads live in a cache mount, not in a layer: a rebuild after a source change reuses them.
ENV MAVEN_USER_HOME=/cache/m2
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/main/ src/main/
# batcycle inject adds the kustomize component's container: the build puts these files into the jar.
COPY k8s/components/batcycle/ k8s/components/batcycle/
# Tests run in CI (./mvnw verify), not in the image build; maven.test.skip also skips compiling them.
RUN --mount=type=cache,target=/cache/m2 \
    ./mvnw -B -q -Dmaven.repo.local=/cache/m2/repository -Dmaven.test.skip=true package \
    && cp target/batcycle.jar /batcycle.jar

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="batcycle" \
      org.opencontainers.image.description="Transparent HTTP reverse-proxy sidecar" \
      org.opencontainers.image.version="0.1.0"
# A fixed numeric UID/GID, also named in USER below: Kubernetes' runAsNonRoot can only verify a numeric user, and
# the manifests in k8s/ set the same runAsUser.
ARG APP_UID=10001
RUN groupadd --system --gid "${APP_UID}" batcycle \
    && useradd --system --uid "${APP_UID}" --gid "${APP_UID}" --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin batcycle
WORKDIR /app
COPY --from=build /batcycle.jar /app/batcycle.jar
# JVM options (heap from the memory limit, Serial GC, small stacks, native memory trimmed): docker/jvm.options
# says why each. MALLOC_ARENA_MAX=2: glibc's per-thread malloc arenas cost RSS and buy nothing with this few threads.
COPY docker/jvm.options /app/jvm.options
ENV MALLOC_ARENA_MAX=2
# AOT training: runs batcycle with --demo under a small workload as it will run later (same options, same jar
# path), then records the cache. Does nothing on a JDK older than 25.
RUN --mount=type=bind,source=docker/aot-train.sh,target=/tmp/aot-train.sh \
    bash /tmp/aot-train.sh /app/batcycle.jar /app/jvm.options /app/batcycle.aot \
    && if [ -f /app/batcycle.aot ]; then echo -XX:AOTCache=/app/batcycle.aot >> /app/jvm.options; fi \
    && chmod 0444 /app/*
USER ${APP_UID}:${APP_UID}
# The proxy port (8000) and the admin port (9901: /healthz, /readyz, /metrics, /config). Configure with
# BATCYCLE_* variables or a YAML file named by BATCYCLE_CONFIG; see README.md. No HEALTHCHECK: Kubernetes ignores
# it (the probes in k8s/ do that job) and the OCI image format has none.
EXPOSE 8000 9901
ENTRYPOINT ["java", "@/app/jvm.options", "-jar", "/app/batcycle.jar"]
