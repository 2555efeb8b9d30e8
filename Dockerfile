# batcycle container image.
#
#   docker build -t batcycle:0.1.0 .
#   docker run --rm -p 8000:8000 -p 9901:9901 -e BATCYCLE_UPSTREAM=http://host.docker.internal:8080 batcycle:0.1.0
#
# Two stages: the Maven wrapper builds the jar on a JDK image; the runtime stage is a JRE (21 or newer) running
# as a fixed non-root UID. On a JDK 25 runtime an AOT cache (JEP 483/514/515) made from a training run during the
# build roughly halves start-up (measured: 1.6 s -> 0.86 s to the first /healthz answer). Both bases are build
# arguments, so a build without access to public images can pass its own (.ci/container-check.sh does).

ARG BUILD_IMAGE=eclipse-temurin:25-jdk
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# Maven and its downloads live in a cache mount, not in a layer: a rebuild after a source change reuses them.
ENV MAVEN_USER_HOME=/cache/m2
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/main/ src/main/
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
# JVM options, one per line, read by the launcher from the @argfile in ENTRYPOINT (replace the file, e.g. with a
# ConfigMap mounted at /app/jvm.options, to change them):
# - MaxRAMPercentage=50: the heap follows the container's memory limit (the JVM reads the cgroup limit), and the
#   other half stays for what is not heap: Netty's direct buffers, metaspace, code cache and thread stacks.
#   Without a limit the default is a quarter of the node's RAM.
# - UseSerialGC: one collector thread and the smallest footprint; a sidecar's heap is small and its CPU limit is
#   one or two cores, where G1's concurrent threads and remembered sets cost more than they save. Explicit, so the
#   choice does not flip with the machine's size as the JVM's ergonomics would.
# - Xss256k: thread stacks of a quarter of the 1 MiB default; Vert.x's event loops do not recurse deeply.
# - ExitOnOutOfMemoryError: after an OutOfMemoryError a JVM is in an unknown state; exiting lets the kubelet
#   restart the container instead of leaving a half-working proxy in the request path.
# - -UsePerfData: no hsperfdata file in /tmp (the root filesystem is read-only in k8s/; jcmd PID still works).
# On JDK 25+ the training run below appends -XX:AOTCache=/app/batcycle.aot. Without a usable cache (another JVM
# build, a changed jar) the JVM logs a warning and starts normally.
RUN printf '%s\n' -XX:MaxRAMPercentage=50 -XX:+UseSerialGC -Xss256k -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData \
    > /app/jvm.options
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
