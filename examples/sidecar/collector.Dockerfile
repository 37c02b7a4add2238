# An otelcol-aiops image for the Kubernetes example. NOT TESTED (no Docker on
# the development machines). The build context is dist/, after `make build`:
#   docker build -f examples/sidecar/collector.Dockerfile -t registry.example.com/otelcol-aiops:0.1.0 dist
FROM gcr.io/distroless/static-debian12:nonroot
COPY otelcol-aiops /otelcol-aiops
ENTRYPOINT ["/otelcol-aiops"]
CMD ["--config", "/etc/otelcol-aiops/config.yaml"]
