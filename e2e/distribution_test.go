//go:build e2e

package e2e

// distribution is what builder-config.yaml promises (issue 2), under the type
// names the v0.158 collector reports in `components`. The old names
// (filelog, hostmetrics, loadbalancing, ...) stay accepted in configs.
var distribution = struct {
	receivers, processors, exporters, connectors, extensions []string
}{
	receivers: []string{
		"otlp", "nop", "file_log", "host_metrics", "prometheus", "journald",
		"kafka", "zipkin", "jaeger", "fluent_forward",
	},
	processors: []string{
		"batch", "memory_limiter", "transform", "filter", "attributes",
		"resource_detection", "k8s_attributes", "tail_sampling", "groupbyattrs",
		"cumulative_to_delta", "delta_to_cumulative",
	},
	exporters: []string{
		"debug", "otlp_grpc", "otlp_http", "nop", "load_balancing", "prometheus",
		"prometheus_remote_write", "file", "kafka",
	},
	connectors: []string{"span_metrics", "service_graph", "count"},
	extensions: []string{"zpages", "health_check", "pprof", "file_storage"},
}
