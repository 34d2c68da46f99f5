#!/usr/bin/env python3
"""The benchmark's synthetic workload, generated from a fixed seed so every run measures the same input.

One system `bench` with one PostgreSQL store and N services. Each service has an image, 3 replicas,
two ports (http, grpc), liveness and readiness probes, requests and limits, two env variables and one
`uses:` (the store for every tenth service, else an earlier service's grpc port, picked by the seeded
generator). dev, staging and prod overlays patch every service (replicas, resources, an env variable).

    scripts/bench_workload.py N DIRECTORY        # writes DIRECTORY/specs/… and DIRECTORY/overlays/bench/…
    scripts/bench_workload.py N DIRECTORY --helm # also writes DIRECTORY/chart/: the same services as a Helm chart

The Helm chart renders the same objects per service as clusterspec emits for this spec (Deployment,
Service, PodDisruptionBudget, ServiceAccount), with values for the prod environment.
"""

import argparse
import os
import random

SEED = 20261201
ENVIRONMENTS = {
    # name: (replicas, cpu request, memory limit, log level)
    "dev": (1, "50m", "128Mi", "debug"),
    "staging": (2, "100m", "256Mi", "info"),
    "prod": (5, "250m", "512Mi", "warn"),
}


def services(count):
    """(name, image tag, target of `uses:`, uses the grpc port) for each service, from the fixed seed."""
    rng = random.Random(SEED)
    result = []
    for index in range(count):
        name = f"svc-{index:05d}"
        tag = f"1.{rng.randrange(40)}.{rng.randrange(10)}"
        if index % 10 == 0:
            target = None  # the store
        else:
            target = f"svc-{rng.randrange(index):05d}"
        result.append((name, tag, target))
    return result


def spec(count):
    lines = [
        "clusterspec: v1",
        "name: bench",
        "defaults: {runAsUser: 10001}",
        "namespaces:",
        "  bench: {}",
        "secrets:",
        "  bench-db: {keys: [password]}",
        "stores:",
        "  db:",
        "    engine: postgres",
        '    version: "17"',
        "    storage: {size: 10Gi}",
        "    resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: \"1\", memory: 1Gi}}",
        "    credentials: {secret: bench-db}",
        "services:",
    ]
    for name, tag, target in services(count):
        uses = "db" if target is None else f"{{target: {target}, ports: [grpc]}}"
        lines += [
            f"  {name}:",
            f"    image: registry.example.com/bench/{name}:{tag}",
            "    replicas: 3",
            "    ports: {http: 8080, grpc: 50051}",
            "    health: {liveness: /health/live, readiness: /health/ready, port: http}",
            "    resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 500m, memory: 256Mi}}",
            "    env:",
            "      LOG_LEVEL: info",
            f"      SERVICE_NAME: {name}",
            f"    uses: [{uses}]",
        ]
    return "\n".join(lines) + "\n"


def overlay(count, environment):
    replicas, cpu, memory, level = ENVIRONMENTS[environment]
    lines = [
        "clusterspec: v1",
        f"overlay: {{spec: bench, environment: {environment}}}",
        "services:",
    ]
    for name, _, _ in services(count):
        lines += [
            f"  {name}:",
            f"    replicas: {replicas}",
            f"    resources: {{requests: {{cpu: {cpu}, memory: 64Mi}}, limits: {{cpu: 500m, memory: {memory}}}}}",
            f"    env: {{LOG_LEVEL: {level}}}",
        ]
    return "\n".join(lines) + "\n"


CHART_TEMPLATE = """\
{{- range .Values.services }}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .name }}
  namespace: bench
  labels:
    app.kubernetes.io/managed-by: clusterspec
    app.kubernetes.io/name: {{ .name }}
    app.kubernetes.io/part-of: bench
automountServiceAccountToken: false
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  namespace: bench
  labels:
    app.kubernetes.io/managed-by: clusterspec
    app.kubernetes.io/name: {{ .name }}
    app.kubernetes.io/part-of: bench
spec:
  selector:
    app.kubernetes.io/name: {{ .name }}
    app.kubernetes.io/part-of: bench
  ports:
    - name: http
      port: 8080
      targetPort: http
      protocol: TCP
    - name: grpc
      port: 50051
      targetPort: grpc
      protocol: TCP
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  namespace: bench
  labels:
    app.kubernetes.io/managed-by: clusterspec
    app.kubernetes.io/name: {{ .name }}
    app.kubernetes.io/part-of: bench
spec:
  replicas: {{ $.Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .name }}
      app.kubernetes.io/part-of: bench
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/managed-by: clusterspec
        app.kubernetes.io/name: {{ .name }}
        app.kubernetes.io/part-of: bench
    spec:
      serviceAccountName: {{ .name }}
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    app.kubernetes.io/name: {{ .name }}
                    app.kubernetes.io/part-of: bench
      containers:
        - name: {{ .name }}
          image: {{ .image }}
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
            - name: grpc
              containerPort: 50051
              protocol: TCP
          env:
            {{- range .env }}
            - name: {{ .name }}
              value: {{ .value | quote }}
            {{- end }}
          resources:
            requests:
              cpu: {{ $.Values.cpu }}
              memory: 64Mi
            limits:
              cpu: 500m
              memory: {{ $.Values.memory }}
          livenessProbe:
            httpGet:
              path: /health/live
              port: http
            initialDelaySeconds: 10
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /health/ready
              port: http
            initialDelaySeconds: 5
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 3
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            privileged: false
            readOnlyRootFilesystem: true
            capabilities:
              drop:
                - ALL
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .name }}
  namespace: bench
  labels:
    app.kubernetes.io/managed-by: clusterspec
    app.kubernetes.io/name: {{ .name }}
    app.kubernetes.io/part-of: bench
spec:
  minAvailable: {{ sub $.Values.replicas 1 }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .name }}
      app.kubernetes.io/part-of: bench
{{- end }}
"""


def chart(count, directory):
    """A Helm chart of the same services (prod values), for the benchmark's Helm peer."""
    os.makedirs(os.path.join(directory, "templates"), exist_ok=True)
    with open(os.path.join(directory, "Chart.yaml"), "w") as handle:
        handle.write("apiVersion: v2\nname: bench\nversion: 1.0.0\n")
    replicas, cpu, memory, level = ENVIRONMENTS["prod"]
    lines = [f"replicas: {replicas}", f"cpu: {cpu}", f"memory: {memory}", "services:"]
    for name, tag, target in services(count):
        lines += [
            f"  - name: {name}",
            f"    image: registry.example.com/bench/{name}:{tag}",
            "    env:",
            "      - {name: LOG_LEVEL, value: " + level + "}",
            f"      - {{name: SERVICE_NAME, value: {name}}}",
        ]
        if target is None:
            lines += [
                "      - {name: DB_HOST, value: db.bench.svc.cluster.local}",
                "      - {name: DB_PORT, value: \"5432\"}",
            ]
    with open(os.path.join(directory, "values.yaml"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    with open(os.path.join(directory, "templates", "services.yaml"), "w") as handle:
        handle.write(CHART_TEMPLATE)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("services", type=int)
    parser.add_argument("directory")
    parser.add_argument("--helm", action="store_true", help="also write an equivalent Helm chart to DIRECTORY/chart")
    arguments = parser.parse_args()
    root = arguments.directory
    os.makedirs(os.path.join(root, "specs"), exist_ok=True)
    os.makedirs(os.path.join(root, "overlays", "bench"), exist_ok=True)
    with open(os.path.join(root, "specs", "bench.cluster.yaml"), "w") as handle:
        handle.write(spec(arguments.services))
    for environment in ENVIRONMENTS:
        with open(os.path.join(root, "overlays", "bench", f"{environment}.yaml"), "w") as handle:
            handle.write(overlay(arguments.services, environment))
    if arguments.helm:
        chart(arguments.services, os.path.join(root, "chart"))


if __name__ == "__main__":
    main()
